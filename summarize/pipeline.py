"""The pipeline: run every stage over one cluster folder, in order, data flowing forward.

ingest -> language -> clean -> segment -> translate -> summarise -> cluster -> provenance -> write: each
article's language is identified first, because cleaning, sentence splitting and the translation
model depend on it. Backends are handed in
already built (models load lazily, on the first cache miss), so a batch shares them across
clusters and a fully cached run never loads a model.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Protocol

from summarize import __version__
from summarize.backends.base import Backends, translator_for
from summarize.cache import Cache
from summarize.clean import clean_article, rules_fingerprint
from summarize.cluster import brief_cluster
from summarize.cluster import stage_signature as cluster_signature
from summarize.errors import ClusterError
from summarize.ingest import ARTICLE_SUFFIXES, ingest_cluster
from summarize.ingest import signature as ingest_signature
from summarize.language import identify, passthrough
from summarize.language import signature as language_signature
from summarize.options import Options
from summarize.provenance import METHOD as PROVENANCE_METHOD
from summarize.provenance import trace_cluster
from summarize.records import ClusterResult, IngestedArticle, Problem, RunInfo, RunStats, SegmentedArticle, TranslatedArticle
from summarize.segment import segment_article
from summarize.segment import signature as segment_signature
from summarize.signature import Signature
from summarize.summarise import brief_articles
from summarize.summarise import stage_signature as summary_signature
from summarize.translate import run_signature as translation_signature
from summarize.translate import translate_articles
from summarize.write import write_outputs


# Articles are translated in groups of at least this many sentences: enough to fill the backend's
# length-sorted batches (CTranslate2 decodes 64 beam hypotheses at once on CPU), few enough that
# progress moves on a large cluster.
TRANSLATION_GROUP_SENTENCES = 128


class Progress(Protocol):
    """Steps of one cluster: each article's translation, then the article briefs, then the cluster brief."""

    def start(self, cluster_id: str, steps: int) -> None: ...
    def advance(self, step: str) -> None: ...


class SilentProgress:
    def start(self, cluster_id: str, steps: int) -> None:
        pass

    def advance(self, step: str) -> None:
        pass


def no_usable_article(cluster_dir: Path, problems: list[Problem]) -> ClusterError:
    reasons = "; ".join(str(p) for p in problems) or f"no article files ({', '.join(ARTICLE_SUFFIXES)})"
    return ClusterError(f"{cluster_dir}: no usable article ({reasons}); add readable article files to the folder")


def run_signature(options: Options, backends: Backends, languages: tuple[str, ...] = ()) -> Signature:
    """Everything that determines a cluster's outputs besides its files: every stage's settings and components.

    With the `languages` a cluster translates, the translation part names each one's model; without
    (batch, before a cluster runs), the routes and settings that choose them.
    """
    return Signature(
        summarize=__version__,
        ingest=ingest_signature(),
        clean=rules_fingerprint(),
        language=language_signature(),
        segment=segment_signature(),
        translate=translation_signature(backends.translator, languages),
        summarise=summary_signature(backends.summarizer, options.brief_words),
        cluster=cluster_signature(backends.summarizer, options.cluster_words),
        provenance=Signature(PROVENANCE_METHOD),
    )


@contextmanager
def _timed(timings: dict[str, float], stage: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round(timings.get(stage, 0.0) + time.perf_counter() - start, 3)


def _prepare_article(
    item: IngestedArticle, cluster_id: str, backends: Backends, cache: Cache, stats: RunStats
) -> tuple[SegmentedArticle | None, bool, Problem | None]:
    """Identify, clean and segment one article: (sentences, already English?, warning), or (None, _, skip reason)."""
    with _timed(stats.timings, "language"):
        verdict = identify(item, backends.translator, cache)
    note = Problem(item.path, verdict.note) if verdict.note else None
    if verdict.action == "skip":
        return None, False, note
    with _timed(stats.timings, "clean"):
        cleaned = clean_article(item, cluster_id=cluster_id, language=verdict.language)
    if not cleaned.paragraphs:
        return None, False, Problem(item.path, "no article text left after removing boilerplate")
    with _timed(stats.timings, "segment"):
        return segment_article(cleaned), verdict.action == "passthrough", note


def _sentence_groups(
    articles: list[tuple[SegmentedArticle, bool]], min_sentences: int
) -> Iterator[list[tuple[SegmentedArticle, bool]]]:
    """Consecutive articles in groups of at least `min_sentences` sentences (the last group may hold fewer)."""
    group: list[tuple[SegmentedArticle, bool]] = []
    for entry in articles:
        group.append(entry)
        if sum(len(article.sentences) for article, _ in group) >= min_sentences:
            yield group
            group = []
    if group:
        yield group


def _translate_group(
    group: list[tuple[SegmentedArticle, bool]], backends: Backends, cache: Cache, stats: RunStats
) -> list[TranslatedArticle]:
    """The group's French articles translated in one backend call; English ones passed through."""
    translated = iter(translate_articles([a for a, english in group if not english], backends.translator, cache, stats))
    return [passthrough(article) if english else next(translated) for article, english in group]


def run_cluster(
    cluster_dir: Path, options: Options, backends: Backends, cache: Cache, progress: Progress | None = None
) -> ClusterResult:
    """Process one cluster folder into a ClusterResult (nothing is written here).

    Articles are translated in groups (one backend call per group of at least
    TRANSLATION_GROUP_SENTENCES sentences), then briefed together (one summariser call per
    map-reduce round), then the cluster is briefed.
    """
    progress = progress or SilentProgress()
    cluster_dir = Path(cluster_dir)
    if not cluster_dir.exists():
        raise ClusterError(f"{cluster_dir}: does not exist; pass a folder of article files")
    if not cluster_dir.is_dir():
        raise ClusterError(f"{cluster_dir}: not a folder; pass a folder of article files")
    stats = RunStats()
    started = time.perf_counter()
    with _timed(stats.timings, "ingest"):
        ingested = ingest_cluster(cluster_dir)
    problems: list[Problem] = list(ingested.problems)
    warnings: list[Problem] = list(ingested.warnings)
    cache_warnings = len(cache.warnings)
    if not ingested.articles:
        raise no_usable_article(cluster_dir, problems)
    progress.start(cluster_dir.name, len(ingested.articles) + 2)
    prepared = []
    for item in ingested.articles:
        segmented, english, note = _prepare_article(item, cluster_dir.name, backends, cache, stats)
        if segmented is None:
            problems.append(note)
            progress.advance(f"skipped {item.id}")
            continue
        if note is not None:
            warnings.append(note)
        prepared.append((segmented, english))
    translated: list[TranslatedArticle] = []
    for group in _sentence_groups(prepared, TRANSLATION_GROUP_SENTENCES):
        with _timed(stats.timings, "translate"):
            translated.extend(_translate_group(group, backends, cache, stats))
        for segmented, _ in group:
            progress.advance(f"translated {segmented.article.id}")
    if not translated:
        raise no_usable_article(cluster_dir, problems)
    with _timed(stats.timings, "summarise"):
        briefed = brief_articles(translated, backends.summarizer, options.brief_words, cache, stats)
    progress.advance(f"briefed {len(briefed)} articles")
    with _timed(stats.timings, "cluster"):
        brief = brief_cluster(briefed, backends.summarizer, options.cluster_words, cache, stats)
    progress.advance("cluster brief")
    with _timed(stats.timings, "provenance"):
        provenance = trace_cluster(briefed, brief)
    stats.timings["total"] = round(time.perf_counter() - started, 3)
    languages = tuple(sorted({a.article.language for a, english in prepared if not english}))
    translators = {language: translator_for(backends.translator, language).describe() for language in languages}
    run = RunInfo(
        backend="+".join(dict.fromkeys([*(t["engine"] for t in translators.values()), backends.summarizer.describe()["engine"]])),
        models={"translation": translators, "summarisation": backends.summarizer.describe()},
        signature=run_signature(options, backends, languages),
        timings=stats.timings,
        cache={"hits": stats.hits, "misses": stats.misses},
    )
    warnings = sorted(warnings, key=lambda p: p.path) + [Problem("cache", w) for w in cache.warnings[cache_warnings:]]
    return ClusterResult(
        cluster_dir.name, str(cluster_dir), tuple(briefed), brief, tuple(sorted(problems, key=lambda p: p.path)), run,
        tuple(warnings), provenance,
    )


def process_cluster(
    cluster_dir: Path, out_dir: Path, options: Options, backends: Backends, cache: Cache,
    progress: Progress | None = None,
) -> tuple[ClusterResult, Path]:
    """Run one cluster and write its outputs; returns the result and the output folder."""
    result = run_cluster(cluster_dir, options, backends, cache, progress)
    return result, write_outputs(result, out_dir)
