"""Clean stage: metadata out, web boilerplate out, duplicates out, headline kept as title.

The rules are data (summarize/rules/boilerplate.toml); this module only knows their kinds:
metadata lines, lines dropped anywhere, teasers ("Lire la suite »"), trailing related-article
blocks, captions and other headline-shaped lines, author bios, and repeated paragraphs.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from summarize.records import CleanArticle, IngestedArticle
from summarize.text import fingerprint

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_SENTENCE_FINAL = re.compile(r"[.!?…][\"»”’')\]]*\s*$")
_INNER_BREAK = re.compile(r"[.!?…][\"»”’']*\s+[«\"“A-ZÀ-Ý]")
_QUOTED = re.compile(r"^[\"“«]\s*(?P<body>[^\"“”«»]+?)\s*[\"”»]$")


@dataclass(frozen=True)
class Rules:
    """Compiled boilerplate rules (see rules/boilerplate.toml for what each one means)."""

    tag: re.Pattern
    date: re.Pattern
    byline: re.Pattern
    drop_line: tuple[tuple[str, re.Pattern], ...]
    teaser: re.Pattern
    teaser_max_chars: int
    dateline: re.Pattern
    trailing_block: re.Pattern
    caption: re.Pattern
    headline_max_words: int
    title_max_words: int
    bio_min_fragments: int
    bio_max_words_per_fragment: int


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    data = tomllib.loads(resources.files("summarize.rules").joinpath("boilerplate.toml").read_text("utf-8"))
    ci = re.IGNORECASE
    return Rules(
        tag=re.compile(data["metadata"]["tag"], ci),
        date=re.compile(data["metadata"]["date"], ci),
        byline=re.compile(data["byline"]["pattern"]),
        drop_line=tuple(
            (kind, re.compile(pattern, ci)) for kind, patterns in data["drop_line"].items() for pattern in patterns
        ),
        teaser=re.compile(data["teaser"]["pattern"], ci),
        teaser_max_chars=data["teaser"]["max_chars"],
        dateline=re.compile(data["byline"]["dateline"]),
        trailing_block=re.compile(data["trailing_block"]["pattern"], ci),
        caption=re.compile(data["caption"]["pattern"], ci),
        **data["shape"],
    )


def is_headline_shaped(line: str, max_words: int) -> bool:
    """Short, no sentence-final punctuation and no sentence break inside: a headline, caption or link."""
    return (
        len(line.split()) <= max_words
        and not _SENTENCE_FINAL.search(line)
        and not _INNER_BREAK.search(line)
    )


def is_bio(line: str, rules: Rules) -> bool:
    """A quoted run of short fragments, the shape of generated author bios."""
    match = _QUOTED.match(line)
    if not match:
        return False
    fragments = [f for f in re.split(r"[.!?]+", match.group("body")) if f.strip()]
    return len(fragments) >= rules.bio_min_fragments and all(
        len(f.split()) <= rules.bio_max_words_per_fragment for f in fragments
    )


@dataclass
class _Cleaning:
    """Working state while one article is cleaned."""

    lines: list[str]
    metadata: dict[str, str]
    removed: list[tuple[str, str]]

    def drop(self, index: int, rule: str) -> None:
        self.removed.append((rule, self.lines[index]))
        self.lines[index] = ""


def _extract_metadata(state: _Cleaning, rules: Rules, cluster_id: str | None) -> None:
    for i, line in enumerate(state.lines):
        if rules.tag.match(line) or (cluster_id and line == cluster_id):
            state.metadata.setdefault("tag", line)
            state.lines[i] = ""
            continue
        date = rules.date.match(line)
        if date:
            state.metadata.setdefault("date", date.group("date"))
            state.lines[i] = line[date.end() :].strip()


def _extract_byline(state: _Cleaning, rules: Rules) -> None:
    first = next((i for i, line in enumerate(state.lines) if line), None)
    if first is None:
        return
    match = rules.byline.match(state.lines[first])
    if match:
        state.metadata["author"] = " ".join(match.group("author").split())
        if match.group("place"):
            state.metadata["place"] = match.group("place")
        state.lines[first] = state.lines[first][match.end() :]
    for i, line in enumerate(state.lines):
        dateline = rules.dateline.match(line)
        if dateline:
            state.metadata.setdefault("place", dateline.group("place"))
            state.lines[i] = line[dateline.end() :]


def _pick_title(state: _Cleaning, rules: Rules) -> str | None:
    """A headline among the first two lines becomes the title; a teaser above it is dropped."""
    candidates = [i for i, line in enumerate(state.lines) if line][:2]
    for rank, i in enumerate(candidates):
        line = state.lines[i]
        section, sep, headline = line.partition(" | ")
        if sep and len(headline.split()) <= rules.title_max_words:
            state.metadata["section"] = section.strip()
        elif not is_headline_shaped(line, rules.title_max_words):
            continue
        else:
            headline = line
        for earlier in candidates[:rank]:
            state.drop(earlier, "teaser above headline")
        state.lines[i] = ""
        return headline.strip()
    return None


def _drop_boilerplate(state: _Cleaning, rules: Rules) -> None:
    lines = state.lines
    for i, line in enumerate(lines):
        if not line:
            continue
        if rules.trailing_block.match(line):
            for j in range(i, len(lines)):
                if lines[j]:
                    state.drop(j, "related-articles block")
            return
        if rules.teaser.search(line):
            previous = next((j for j in range(i - 1, -1, -1) if lines[j]), None)
            if previous is not None and len(lines[previous]) <= rules.teaser_max_chars:
                state.drop(previous, "teaser")
            state.drop(i, "teaser link")
            continue
        kind = next((kind for kind, pattern in rules.drop_line if pattern.search(line)), None)
        if kind:
            state.drop(i, kind)
        elif is_bio(line, rules):
            previous = next((j for j in range(i - 1, -1, -1) if lines[j]), None)
            if previous is not None and is_headline_shaped(lines[previous], 4):
                state.drop(previous, "author name")
            state.drop(i, "author bio")
        elif rules.caption.search(line):
            state.drop(i, "caption")
        elif is_headline_shaped(line, rules.headline_max_words):
            state.drop(i, "headline-shaped line (caption, subhead or related link)")


def _drop_repeats(state: _Cleaning) -> None:
    """Drop paragraphs whose text already appeared earlier in the article (alone or inside another)."""
    seen: list[str] = []
    for i, line in enumerate(state.lines):
        if not line:
            continue
        key = fingerprint(line)
        if any(key in earlier for earlier in seen):
            state.drop(i, "repeated paragraph")
        else:
            seen.append(key)


def _first_sentence(text: str, max_words: int) -> str:
    match = re.search(r"^.+?[.!?…](?=\s|$)", text)
    sentence = match.group(0) if match else text
    words = sentence.split()
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def clean_article(article: IngestedArticle, cluster_id: str | None = None, language: str = "fr") -> CleanArticle:
    """Separate metadata, title and body text of one ingested article written in `language` (ISO 639-1).

    The rules are French-only for now; `language` is recorded on the result (per-language rule
    files are coming on the clean branch, behind this same keyword).
    """
    rules = load_rules()
    state = _Cleaning([" ".join(line.split()) for line in article.text.split("\n")], {}, [])
    _extract_metadata(state, rules, cluster_id)
    _extract_byline(state, rules)
    title = _pick_title(state, rules)
    _drop_boilerplate(state, rules)
    _drop_repeats(state)
    paragraphs = tuple(line for line in state.lines if line)
    if title is None:
        title = _first_sentence(paragraphs[0], rules.title_max_words) if paragraphs else article.id
    return CleanArticle(
        id=article.id,
        path=article.path,
        sha256=article.sha256,
        title=title,
        metadata=state.metadata,
        paragraphs=paragraphs,
        removed=tuple(state.removed),
        language=language,
    )
