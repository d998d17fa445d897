"""Summarise stage: token-aware, map-reduce summaries that never truncate their input.

Text is packed into chunks at sentence boundaries, each within the summariser's input limit
(measured with the model's own tokenizer). One chunk is summarised directly; several are each
summarised (map) and their summaries summarised again (reduce) until one fits. Every text of a
call is map-reduced in lockstep, so each round is one summariser call over the chunks of all
texts: the backend batches a cluster's articles together, which on CPU decodes several short
articles in little more time than one. Each summary is cached under the summariser's signature,
the word budget and the input sentences.

A summariser with an `extract` attribute (base.Extract: an instruct LLM that rewrites a
selection, which measures better on news than reading the whole article) gets each text's key
sentences instead: the lead, then the most salient others within a word budget (salience.py).
"""

from __future__ import annotations

from typing import Sequence

from summarize.backends.base import Extract, Summarizer
from summarize.cache import Cache
from summarize.records import BriefedArticle, RunStats, TranslatedArticle
from summarize.salience import key_sentences
from summarize.signature import Signature

STAGE = "summarise"
MAX_REDUCE_ROUNDS = 6


EXTRACT_VERSION = 1


def stage_signature(summarizer: Summarizer, max_words: int) -> Signature:
    signature = Signature(stage=STAGE).extend(summarizer.signature(), words=max_words, chunk="sentences-v1")
    extract = extract_of(summarizer)
    return signature.extend(extract=f"lead{extract.lead}+salient-{extract.words}w-v{EXTRACT_VERSION}") if extract else signature


def extract_of(summarizer: Summarizer) -> Extract | None:
    """How the summariser wants its input cut down (extract-then-abstract), or None: the whole text."""
    return getattr(summarizer, "extract", None)


def chunk_sentences(sentences: Sequence[str], summarizer: Summarizer) -> list[str]:
    """Consecutive sentences packed into the fewest texts that fit the model's input, one sentence per line
    (a seq2seq model reads the lines as one; an LLM's prompt shows them one per line)."""
    limit = summarizer.max_input_tokens
    chunks: list[str] = []
    for sentence in sentences:
        candidate = f"{chunks[-1]}\n{sentence}" if chunks else sentence
        if chunks and summarizer.count_tokens(candidate) <= limit:
            chunks[-1] = candidate
        elif summarizer.count_tokens(sentence) <= limit:
            chunks.append(sentence)
        else:  # one sentence over the whole limit: split it between words rather than truncate
            words = sentence.split()
            half = len(words) // 2
            chunks.extend(chunk_sentences([" ".join(words[:half]), " ".join(words[half:])], summarizer))
    return chunks


def _map_reduce(texts: list[list[str]], summarizer: Summarizer, max_words: int) -> list[str]:
    """One summary per list of chunks; each round summarises the chunks of every unfinished text in one call."""
    results = [""] * len(texts)
    pending = dict(enumerate(texts))
    for round_ in range(MAX_REDUCE_ROUNDS):
        flat = [chunk for chunks in pending.values() for chunk in chunks]
        outputs = iter(summarizer.summarize(flat, max_words))
        still_pending = {}
        for index, chunks in pending.items():
            summaries = [next(outputs) for _ in chunks]
            reduced = chunk_sentences(summaries, summarizer) if len(summaries) > 1 else []
            # done: one summary; or the summaries did not shrink the text (stop, never loop); or out of rounds
            if len(summaries) == 1 or len(reduced) >= len(chunks) or round_ == MAX_REDUCE_ROUNDS - 1:
                results[index] = " ".join(summaries)
            else:
                still_pending[index] = reduced
        pending = still_pending
        if not pending:
            break
    return results


def summarise_many(
    texts: Sequence[Sequence[str]], summarizer: Summarizer, max_words: int, cache: Cache, stats: RunStats
) -> list[str]:
    """One summary within about `max_words` per list of sentences; the cache misses are map-reduced together.

    The cache is consulted before any token is counted, so cached summaries load no tokenizer.
    """
    texts = [[s for s in sentences if s.strip()] for sentences in texts]
    extract = extract_of(summarizer)
    if extract:
        texts = [key_sentences(sentences, extract.words, extract.lead) if sentences else [] for sentences in texts]
    signature = stage_signature(summarizer, max_words)
    keys = [signature.key("\n".join(sentences)) for sentences in texts]
    wanted = [i for i, sentences in enumerate(texts) if sentences]
    found = cache.get_many([keys[i] for i in wanted])
    missing = [i for i in wanted if keys[i] not in found]
    stats.hits += len(wanted) - len(missing)
    stats.misses += len(missing)
    if missing:
        summaries = _map_reduce([chunk_sentences(texts[i], summarizer) for i in missing], summarizer, max_words)
        new = {keys[i]: summary for i, summary in zip(missing, summaries)}
        cache.put_many(STAGE, signature, new)
        found.update(new)
    return [found[key] if sentences else "" for key, sentences in zip(keys, texts)]


def summarise_sentences(
    sentences: Sequence[str], summarizer: Summarizer, max_words: int, cache: Cache, stats: RunStats
) -> str:
    """One summary of `sentences` within about `max_words`, by map-reduce when they do not fit."""
    return summarise_many([sentences], summarizer, max_words, cache, stats)[0]


def brief_articles(
    articles: Sequence[TranslatedArticle], summarizer: Summarizer, max_words: int, cache: Cache, stats: RunStats
) -> list[BriefedArticle]:
    """An English brief of each translated article, the uncached ones summarised together."""
    texts = [[segment.translation for segment in article.segments] for article in articles]
    summaries = summarise_many(texts, summarizer, max_words, cache, stats)
    return [BriefedArticle(article, summary) for article, summary in zip(articles, summaries)]
