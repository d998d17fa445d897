"""Reading an instruct LLM's answers: numbered translations back into their sentences, prose without chatter.

Pure text functions, no model. `parse_numbered` is strict where alignment is at stake: it returns
exactly one translation per source sentence or None (the caller then retries sentence by
sentence), and it never guesses which line belongs to which sentence. Text the model adds around
the answer ("Here is the translation:", a closing note after a blank line, code fences, bold
numbers) is dropped; a numbering that is not exactly 1..n, an empty item, or items whose lengths
are far out of proportion with their sentences (two sentences merged into one line, the rest
shifted) reject the whole answer.
"""

from __future__ import annotations

import re
from typing import Sequence

_FENCE = re.compile(r"^\s*```")
_NUMBERED = re.compile(r"^\s*(?:[*_]{1,2})?(\d{1,3})\s*[.):]\s*(?:[*_]{1,2})?\s*(.*?)\s*$")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_LABEL = re.compile(r"^\s*(?:[*_]{1,2})?(?:english(?: translation)?|translation|brief|summary|news brief)\s*:\s*(?:[*_]{1,2})?\s*", re.I)
_ANY_LABEL = re.compile(r"^\s*[^\W\d_][\w' -]{0,30}\s*:")  # "Traduction :", "Mise à jour:" at a source's start
_CITATION = re.compile(r"\s*\[\d{1,2}(?:\s*[,;]\s*\d{1,2})*\]")  # "[2]", "[1, 3]": the model's own citations
_HEADING = re.compile(r"^\s*#{1,6}\s")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_QUOTES = {'"': '"', "“": "”", "«": "»", "'": "'"}
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s|$)")
# An item's share of the answer may be at most this many times its sentence's share of the
# passage (or that many times less); sentences shorter than MIN_SHARE_CHARS are not judged.
MAX_SHARE_RATIO = 3.0
MIN_SHARE_CHARS = 24


def numbered(sentences: Sequence[str]) -> str:
    """The sentences as the prompt shows them: "1. ...", one per line."""
    return "\n".join(f"{number}. {' '.join(sentence.split())}" for number, sentence in enumerate(sentences, 1))


def parse_numbered(answer: str, sources: Sequence[str]) -> list[str] | None:
    """One translation per source sentence from a numbered answer, or None when it does not align.

    Lines before item 1 are preamble and dropped; an unnumbered line right under an item continues
    it (a wrapped line); text after a blank line that no number follows is a note and dropped.
    """
    numbers: list[int] = []
    items: list[list[str]] = []
    attached = False  # whether an unnumbered line continues the last item
    for line in answer.splitlines():
        if _FENCE.match(line):
            continue
        if not line.strip():
            attached = False
            continue
        match = _NUMBERED.match(line)
        if match:
            numbers.append(int(match.group(1)))
            items.append([match.group(2)])
            attached = True
        elif attached:
            items[-1].append(line.strip())
    if numbers != list(range(1, len(sources) + 1)):
        return None
    texts = [_unwrap(" ".join(" ".join(parts).split()), source) for parts, source in zip(items, sources)]
    if not all(texts) or not proportionate(sources, texts):
        return None
    return texts


def proportionate(sources: Sequence[str], translations: Sequence[str]) -> bool:
    """Whether each translation's share of the answer matches its sentence's share of the passage.

    Shares, not ratios, so the check holds whatever the two languages' lengths (Chinese to English
    triples the characters of every sentence alike); a merged line and the shift it causes do not.
    """
    source_total = sum(len(s) for s in sources) or 1
    target_total = sum(len(t) for t in translations) or 1
    for source, target in zip(sources, translations):
        if len(source) < MIN_SHARE_CHARS:
            continue
        ratio = (len(target) / target_total) / (len(source) / source_total)
        if not 1 / MAX_SHARE_RATIO <= ratio <= MAX_SHARE_RATIO:
            return False
    return True


def clean_sentence(answer: str, source: str) -> str:
    """The translation in a one-sentence answer: its first block, without preamble, label, number or added quotes."""
    blocks = _blocks(answer)
    while len(blocks) > 1 and _is_preamble(blocks[0]):
        blocks.pop(0)
    lines = blocks[0] if blocks else []
    while len(lines) > 1 and lines[0].endswith(":"):
        lines = lines[1:]
    text = " ".join(" ".join(lines).split())
    if not _ANY_LABEL.match(source):
        text = _LABEL.sub("", text, count=1)
    match = _NUMBERED.match(text)
    if match and not _NUMBERED.match(source):
        text = match.group(2)
    return _unwrap(text, source)


def clean_prose(answer: str) -> str:
    """A summary as one paragraph: no preamble line, heading, label, list marker, emphasis, code fence or
    citation marker (the provenance stage cites sources itself; a model's own citations are not trusted)."""
    blocks = _blocks(answer)
    while len(blocks) > 1 and _is_preamble(blocks[0]):
        blocks.pop(0)
    lines = [line for block in blocks for line in block if not _HEADING.match(line)]
    while len(lines) > 1 and lines[0].endswith(":"):
        lines = lines[1:]
    text = " ".join(_BULLET.sub("", line) for line in lines)
    text = _EMPHASIS.sub(r"\2", _LABEL.sub("", text, count=1))
    return " ".join(_CITATION.sub("", text).split())


def drop_unfinished(text: str) -> str:
    """`text` without a last sentence that was cut off (no final punctuation); unchanged if no sentence ends."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    if not ends or ends[-1] == len(text.rstrip()):
        return text.rstrip()
    return text[: ends[-1]].rstrip()


def drop_last_sentence(text: str) -> str:
    """`text` without its last sentence ("" when it holds one sentence)."""
    text = text.rstrip()
    ends = [match.end() for match in _SENTENCE_END.finditer(text) if match.end() < len(text)]
    return text[: ends[-1]].rstrip() if ends else ""


def word_count(text: str) -> int:
    return len(text.split())


def _blocks(answer: str) -> list[list[str]]:
    """Non-empty lines grouped into blank-line separated blocks, code fences dropped."""
    blocks: list[list[str]] = [[]]
    for line in answer.splitlines():
        if _FENCE.match(line):
            continue
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _is_preamble(block: list[str]) -> bool:
    """A one-line block that introduces the answer ("Here is the translation:")."""
    return len(block) == 1 and block[0].rstrip("*_ ").endswith(":")


def _unwrap(text: str, source: str) -> str:
    """`text` without markdown emphasis, and without quotes around it that the source does not have."""
    text = _EMPHASIS.sub(r"\2", text).strip()
    closing = _QUOTES.get(text[:1])
    source = source.strip()
    if closing and len(text) > 1 and text.endswith(closing) and not (source[:1] in _QUOTES and source.endswith(_QUOTES[source[:1]])):
        text = text[1:-1].strip()
    return text
