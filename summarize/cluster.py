"""Cluster stage: one brief of the whole cluster, to which every article can contribute.

English sentences of all articles are pooled; cross-article near-duplicates are dropped (news
articles about one event repeat each other's quotes); the rest are ranked for salience (TF-IDF
similarity to the cluster centroid, plus a lead bonus) and picked round-robin so each article
contributes its best sentences before any article contributes a second one, until the
summariser's input budget is full. The picked sentences, most salient first, are summarised; a
summariser that can tell sources apart (an instruct LLM: base.SourcesSummarizer) gets them
grouped by article, in each article's order, so it sees which article says what.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass

from summarize.backends.base import SourcesSummarizer, Summarizer
from summarize.cache import Cache
from summarize.records import BriefedArticle, ClusterBrief, PooledSentence, RunStats
from summarize.salience import content_words, salience
from summarize.signature import Signature
from summarize.summarise import summarise_sentences

STAGE = "cluster"
POOL_VERSION = "tfidf-roundrobin-v2"
SOURCES_VERSION = "by-article-v1"  # how a SourcesSummarizer receives the picks
NEAR_DUPLICATE = 0.6


def overlap(a: set[str], b: set[str]) -> float:
    """Overlap coefficient: shared words over the smaller set (catches a sentence inside another)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass
class _Candidate:
    article: str
    article_rank: int
    segment: int
    text: str
    words: set[str]
    score: float = 0.0


def _pool(articles: list[BriefedArticle]) -> tuple[list[_Candidate], int]:
    pool: list[_Candidate] = []
    dropped = 0
    for rank, briefed in enumerate(articles):
        for index, segment in enumerate(briefed.translated.segments):
            words = content_words(segment.translation)
            if len(words) < 3:
                continue
            if any(c.article != briefed.article.id and overlap(words, c.words) >= NEAR_DUPLICATE for c in pool):
                dropped += 1
                continue
            pool.append(_Candidate(briefed.article.id, rank, index, segment.translation, words))
    return pool, dropped


def _score(pool: list[_Candidate]) -> None:
    """Each candidate's salience in the pool (summarize/salience.py): centrality plus a lead bonus."""
    for c, score in zip(pool, salience([c.words for c in pool], [c.segment for c in pool])):
        c.score = score


def select(pool: list[_Candidate], summarizer: Summarizer) -> list[_Candidate]:
    """Round-robin over articles, best first within each, while the picks fit the input budget.

    A sentence that does not fit is passed over, not the rest of its article: a long lead must
    not silence an article whose shorter sentences still fit.
    """
    queues: dict[str, list[_Candidate]] = {}
    for c in sorted(pool, key=lambda c: (-c.score, c.article_rank, c.segment)):
        queues.setdefault(c.article, []).append(c)
    chosen: list[_Candidate] = []
    used = 0
    budget = summarizer.max_input_tokens
    while any(queues.values()):
        for queue in [q for q in queues.values() if q]:
            c = queue.pop(0)
            cost = summarizer.count_tokens(c.text) + 1
            if used + cost <= budget:
                chosen.append(c)
                used += cost
    return sorted(chosen, key=lambda c: -c.score)


def by_article(chosen: list[_Candidate]) -> list[list[str]]:
    """The chosen sentences grouped by article (in cluster order), each group in its article's order."""
    groups: dict[int, list[_Candidate]] = {}
    for c in sorted(chosen, key=lambda c: (c.article_rank, c.segment)):
        groups.setdefault(c.article_rank, []).append(c)
    return [[c.text for c in group] for group in groups.values()]


def stage_signature(summarizer: Summarizer, max_words: int) -> Signature:
    signature = Signature(stage=STAGE).extend(summarizer.signature(), words=max_words, pool=POOL_VERSION)
    return signature.extend(sources=SOURCES_VERSION) if isinstance(summarizer, SourcesSummarizer) else signature


def brief_cluster(
    articles: list[BriefedArticle], summarizer: Summarizer, max_words: int, cache: Cache, stats: RunStats
) -> ClusterBrief:
    """The cluster summary and the pooled sentences it was made from.

    The whole result is cached under the articles' translations, because picking sentences
    counts tokens, and a fully cached run must not load a tokenizer.
    """
    signature = stage_signature(summarizer, max_words)
    key = signature.key(json.dumps([[a.article.id, a.translated.translation] for a in articles]))
    cached = cache.get(key)
    if cached is not None:
        stats.hits += 1
        data = json.loads(cached)
        return ClusterBrief(data["summary"], tuple(PooledSentence(*p) for p in data["pooled"]), data["dropped"])
    stats.misses += 1
    pool, dropped = _pool(articles)
    _score(pool)
    chosen = select(pool, summarizer)
    if isinstance(summarizer, SourcesSummarizer):
        summary = summarizer.summarize_sources(by_article(chosen), max_words)
    else:
        summary = summarise_sentences([c.text for c in chosen], summarizer, max_words, cache, stats)
    pooled = tuple(PooledSentence(c.article, c.segment, c.text, round(c.score, 4)) for c in chosen)
    value = {"summary": summary, "pooled": [astuple(p) for p in pooled], "dropped": dropped}
    cache.put(STAGE, signature, key, json.dumps(value, ensure_ascii=False))
    return ClusterBrief(summary=summary, pooled=pooled, dropped_duplicates=dropped)
