"""Summarise stage: token-aware, map-reduce summaries that never truncate their input.

Text is packed into chunks at sentence boundaries, each within the summariser's input limit
(measured with the model's own tokenizer). One chunk is summarised directly; several are each
summarised (map) and their summaries summarised again (reduce) until one fits. Each summary is
cached under the summariser's signature, the word budget and the input sentences.
"""

from __future__ import annotations

from typing import Sequence

from summarize.backends.base import Summarizer
from summarize.cache import Cache, cache_key
from summarize.records import BriefedArticle, RunStats, TranslatedArticle

STAGE = "summarise"
MAX_REDUCE_ROUNDS = 6


def stage_signature(summarizer: Summarizer, max_words: int) -> str:
    return f"stage:{STAGE}|{summarizer.signature()}|words:{max_words}|chunk:sentences-v1"


def chunk_sentences(sentences: Sequence[str], summarizer: Summarizer) -> list[str]:
    """Consecutive sentences packed into the fewest texts that fit the model's input."""
    limit = summarizer.max_input_tokens
    chunks: list[str] = []
    for sentence in sentences:
        candidate = f"{chunks[-1]} {sentence}" if chunks else sentence
        if chunks and summarizer.count_tokens(candidate) <= limit:
            chunks[-1] = candidate
        elif summarizer.count_tokens(sentence) <= limit:
            chunks.append(sentence)
        else:  # one sentence over the whole limit: split it between words rather than truncate
            words = sentence.split()
            half = len(words) // 2
            chunks.extend(chunk_sentences([" ".join(words[:half]), " ".join(words[half:])], summarizer))
    return chunks


def _map_reduce(chunks: list[str], summarizer: Summarizer, max_words: int) -> str:
    for _ in range(MAX_REDUCE_ROUNDS):
        summaries = summarizer.summarize(chunks, max_words)
        if len(summaries) == 1:
            return summaries[0]
        reduced = chunk_sentences(summaries, summarizer)
        if len(reduced) >= len(chunks):  # the summaries did not shrink the text: stop, never loop
            break
        chunks = reduced
    return " ".join(summaries)


def summarise_sentences(
    sentences: Sequence[str], summarizer: Summarizer, max_words: int, cache: Cache, stats: RunStats
) -> str:
    """One summary of `sentences` within about `max_words`, by map-reduce when they do not fit.

    The cache is consulted before any token is counted, so a cached summary loads no tokenizer.
    """
    sentences = [s for s in sentences if s.strip()]
    if not sentences:
        return ""
    signature = stage_signature(summarizer, max_words)
    key = cache_key(signature, "\n".join(sentences))
    cached = cache.get(key)
    if cached is not None:
        stats.hits += 1
        return cached
    stats.misses += 1
    summary = _map_reduce(chunk_sentences(sentences, summarizer), summarizer, max_words)
    cache.put(STAGE, signature, key, summary)
    return summary


def brief_article(
    translated: TranslatedArticle, summarizer: Summarizer, max_words: int, cache: Cache, stats: RunStats
) -> BriefedArticle:
    """An English brief of one translated article."""
    sentences = [segment.translation for segment in translated.segments]
    return BriefedArticle(translated, summarise_sentences(sentences, summarizer, max_words, cache, stats))
