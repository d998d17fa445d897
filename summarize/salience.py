"""Sentence salience: how central a sentence is to the text it belongs to, and lead-biased picks.

TF-IDF cosine of each sentence's content words to the centroid of all of them, plus a bonus that
decays with the sentence's position in its article (news puts the main facts first). The cluster
stage ranks a cluster's pooled sentences with it; the summarise stage picks an article's key
sentences with it for a summariser that rewrites a selection (extract-then-abstract).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Sequence

_WORD = re.compile(r"\w+", re.UNICODE)
LEAD_BONUS = 0.15
MIN_PICK_WORDS = 4  # shorter sentences (datelines, captions, "Read more.") are never picked


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if len(w) > 3}


def salience(words: Sequence[set[str]], positions: Sequence[int]) -> list[float]:
    """A score per sentence (given its content words and its position in its article): higher is more central."""
    doc_freq = Counter(w for ws in words for w in ws)
    n = len(words)
    idf = {w: math.log((1 + n) / (1 + df)) + 1 for w, df in doc_freq.items()}
    centroid: Counter[str] = Counter()
    for ws in words:
        centroid.update({w: idf[w] for w in ws})
    norm_centroid = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    scores = []
    for ws, position in zip(words, positions):
        dot = sum(idf[w] * centroid[w] for w in ws)
        norm = math.sqrt(sum(idf[w] ** 2 for w in ws)) or 1.0
        scores.append(dot / (norm * norm_centroid) + LEAD_BONUS / (1 + position))
    return scores


def key_sentences(sentences: Sequence[str], budget_words: int, lead: int) -> list[str]:
    """The first `lead` sentences and then the most salient others while they fit `budget_words`, in article order.

    A sentence that does not fit is passed over, not the rest; the first pick always goes in.
    """
    scores = salience([content_words(s) for s in sentences], range(len(sentences)))
    order = list(range(min(lead, len(sentences)))) + sorted(range(lead, len(sentences)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    used = 0
    for index in order:
        length = len(sentences[index].split())
        if length < MIN_PICK_WORDS and len(sentences) > 1:
            continue
        if not chosen or used + length <= budget_words:
            chosen.append(index)
            used += length
    return [sentences[i] for i in sorted(chosen)]
