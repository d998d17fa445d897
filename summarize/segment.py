"""Segment stage: French paragraphs into sentences, keeping paragraph boundaries.

pysbd does the French segmentation (abbreviations such as M., Mme, numbers such as 3 000 and
37,5, text inside « guillemets »). Two repairs fix what it gets wrong on news text: pieces that
end in an initial ("J.-P.", "G.") or a French month abbreviation are glued to what follows, and a
closing guillemet after a full stop ends a sentence when a capital follows ("… dire. » Puis …").
Sentences that repeat an earlier sentence of the same article (web pages often repeat their lead)
are dropped here, where sentences are first known; a copy cut short is replaced by the full one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarize.clean import fingerprint
from summarize.records import CleanArticle, SegmentedArticle, Sentence

_GLUE_AFTER = re.compile(
    r"(?:(?:^|[\s(-])[A-ZÀ-Ý]\.|\b(?:janv|févr|fév|avr|juil|sept|oct|nov|déc|av|apr|J\.-C|env|cf|p|pp|vol|art|no|n°)\.)\s*$"
)
_QUOTE_BOUNDARY = re.compile(r"(?<=[.!?…]) ?(»)\s+(?=[A-ZÀ-Ý«\"])")


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="fr", clean=False)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph; no non-whitespace character is lost or reordered."""
    pieces: list[str] = []
    for raw in _segmenter().segment(paragraph):
        pieces.extend(_QUOTE_BOUNDARY.sub(r" \1\n", raw).split("\n"))
    sentences: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if sentences and (_GLUE_AFTER.search(sentences[-1]) or piece[0] in "-–,;:)»"):
            sentences[-1] = f"{sentences[-1]}{'' if piece[0] in '-' and sentences[-1].endswith('.') else ' '}{piece}"
        else:
            sentences.append(piece)
    return sentences


def segment_article(article: CleanArticle) -> SegmentedArticle:
    """Sentences of an article, in order, without sentences repeated within the article."""
    keys: list[str] = []
    sentences: list[Sentence] = []
    for index, paragraph in enumerate(article.paragraphs):
        for text in split_sentences(paragraph):
            key = fingerprint(text)
            earlier = next((i for i, seen in enumerate(keys) if key.startswith(seen) or seen.startswith(key)), None)
            if earlier is None:
                keys.append(key)
                sentences.append(Sentence(paragraph=index, text=text))
            elif len(key) > len(keys[earlier]):
                # The earlier copy was cut short (a truncated lead); keep the full one in its place.
                keys[earlier] = key
                sentences[earlier] = Sentence(paragraph=sentences[earlier].paragraph, text=text)
    return SegmentedArticle(article=article, sentences=tuple(sentences))
