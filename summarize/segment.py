"""Segment stage: French paragraphs into sentences, keeping paragraph boundaries.

pysbd does the French segmentation (abbreviations such as M., Mme, numbers such as 3 000 and
37,5, text inside « guillemets »). Two repairs fix what it gets wrong on news text: pieces that
end in an initial ("J.-P.", "G.") or a French month abbreviation are glued to what follows, and a
closing guillemet after a full stop ends a sentence when a capital follows ("… dire. » Puis …").
Sentences that repeat an earlier sentence of the same article (web pages often repeat their lead)
are dropped here, where sentences are first known: whole sentences of MIN_COPY_WORDS words or more
("Non." said twice is two answers). A copy cut short is replaced by the full one, but only a genuine
cut: the shorter one, as written, is the start of the longer one and ends inside it, in a word (a
quotation closed before its attribution, '"Nous ne céderons rien"', is no cut copy of '"Nous ne
céderons rien", a répété X.').

Guards for text that is not prose: pysbd's time grows with the square of its input (a 20,000-
character paragraph takes 0.13 s, 96,000 characters 2.2 s), so it sees blocks of at most
PYSBD_MAX_CHARS; where pysbd loses characters (it rewrites its own marker characters such as ∯)
a plain split at final punctuation is used; and no sentence is longer than MAX_SENTENCE_CHARS, so
a mega-paragraph without punctuation reaches translation in bounded pieces.
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarize.text import MIN_COPY_WORDS, SENTENCE_END, fingerprint
from summarize.records import CleanArticle, SegmentedArticle, Sentence

_GLUE_AFTER = re.compile(
    r"(?:(?:^|[\s(-])[A-ZÀ-Ý]\.|\b(?:janv|févr|fév|avr|juil|sept|oct|nov|déc|av|apr|J\.-C|env|cf|p|pp|vol|art|no|n°)\.)\s*$"
)
_QUOTE_BOUNDARY = re.compile(r"(?<=[.!?…])\s?(»)\s+(?=[A-ZÀ-Ý«\"])")
_FINAL_BREAK = re.compile(r"(?<=[.!?…»])\s+")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+")
_SPACE = re.compile(r"\s+")
PYSBD_MAX_CHARS = 5_000
MAX_SENTENCE_CHARS = 1_000


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="fr", clean=False)


def _last_break(pattern: re.Pattern, window: str) -> int:
    """End of the last `pattern` match in the second half of `window` (0: none), so no piece is tiny."""
    return max((m.end() for m in pattern.finditer(window, len(window) // 2)), default=0)


def cut(text: str, limit: int, preferred: re.Pattern) -> list[str]:
    """Pieces of at most `limit` characters and about equal length, each cut at its last `preferred`
    break, else at its last space, else anywhere; only whitespace between pieces is lost."""
    pieces: list[str] = []
    while len(text) > limit:
        size = -(-len(text) // -(-len(text) // limit))  # len / number of pieces still needed, rounded up
        window = text[: size + 1]
        end = _last_break(preferred, window) or _last_break(_SPACE, window) or size
        pieces.append(text[:end].rstrip())
        text = text[end:].lstrip()
    return [piece for piece in pieces + [text] if piece]


def _pysbd_sentences(block: str) -> list[str]:
    """pysbd's sentences of `block`, or a split after final punctuation if pysbd lost characters."""
    sentences = _segmenter().segment(block)
    if "".join("".join(sentences).split()) != "".join(block.split()):
        return _FINAL_BREAK.split(block)
    return sentences


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, none over MAX_SENTENCE_CHARS; no non-whitespace character is lost or reordered."""
    pieces: list[str] = []
    for block in cut(paragraph, PYSBD_MAX_CHARS, _FINAL_BREAK):
        block_pieces = [p for raw in _pysbd_sentences(block) for p in _QUOTE_BOUNDARY.sub(r" \1\n", raw).split("\n")]
        if pieces and block_pieces and not SENTENCE_END.search(pieces[-1]):  # block cut mid-sentence: rejoin
            pieces[-1] = f"{pieces[-1]} {block_pieces.pop(0)}"
        pieces.extend(block_pieces)
    sentences: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if sentences and (_GLUE_AFTER.search(sentences[-1]) or piece[0] in "-–,;:)»"):
            sentences[-1] = f"{sentences[-1]}{'' if piece[0] in '-' and sentences[-1].endswith('.') else ' '}{piece}"
        else:
            sentences.append(piece)
    return [piece for sentence in sentences for piece in cut(sentence, MAX_SENTENCE_CHARS, _CLAUSE_BREAK)]


def is_cut_copy(short: str, long: str) -> bool:
    """`short` is `long` cut off in mid-sentence: as written, a start of it that ends inside a word run."""
    return (
        len(short.split()) >= MIN_COPY_WORDS
        and long.startswith(short + " ")
        and short[-1].isalnum()
    )


def is_repeat(text: str, key: str, earlier: str, earlier_key: str) -> bool:
    """The same sentence again (long enough to be a copy), or one of the two is a cut-short copy of the other."""
    if key == earlier_key:
        return len(key.split()) >= MIN_COPY_WORDS
    return is_cut_copy(text, earlier) or is_cut_copy(earlier, text)


def segment_article(article: CleanArticle) -> SegmentedArticle:
    """Sentences of an article, in order, without sentences repeated within the article."""
    keys: list[str] = []
    sentences: list[Sentence] = []
    for index, paragraph in enumerate(article.paragraphs):
        for text in split_sentences(paragraph):
            key = fingerprint(text)
            earlier = next((i for i, seen in enumerate(sentences) if is_repeat(text, key, seen.text, keys[i])), None)
            if earlier is None:
                keys.append(key)
                sentences.append(Sentence(paragraph=index, text=text))
            elif is_cut_copy(sentences[earlier].text, text):
                # The earlier copy was cut short (a truncated lead); keep the full one in its place.
                keys[earlier] = key
                sentences[earlier] = Sentence(paragraph=sentences[earlier].paragraph, text=text)
    return SegmentedArticle(article=article, sentences=tuple(sentences))
