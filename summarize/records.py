"""Typed records that flow forward through the pipeline stages.

ingest -> IngestedArticle -> clean -> CleanArticle -> segment -> SegmentedArticle
-> translate -> TranslatedArticle -> summarise -> BriefedArticle -> cluster -> ClusterBrief -> write
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """A file-level warning or skip reason, shown on the console and stored in cluster.json."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class IngestedArticle:
    """An article file read, decoded and normalised (NFC, LF line endings)."""

    id: str
    path: str
    sha256: str
    text: str
    encoding: str
    fmt: str = "text"


@dataclass(frozen=True)
class CleanArticle:
    """Article text without web boilerplate: title, metadata and paragraphs of source text in `language` (ISO 639-1)."""

    id: str
    path: str
    sha256: str
    title: str
    metadata: dict[str, str]
    paragraphs: tuple[str, ...]
    removed: tuple[tuple[str, str], ...] = ()
    language: str = "fr"

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Sentence:
    """One source sentence and the paragraph it belongs to."""

    paragraph: int
    text: str


@dataclass(frozen=True)
class SegmentedArticle:
    article: CleanArticle
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Segment:
    """A source sentence aligned with its English translation."""

    paragraph: int
    source: str
    translation: str


@dataclass(frozen=True)
class TranslatedArticle:
    article: CleanArticle
    segments: tuple[Segment, ...]

    @property
    def translation(self) -> str:
        """English text with the source paragraph structure rebuilt from the aligned sentences."""
        paragraphs: list[list[str]] = []
        last = None
        for seg in self.segments:
            if seg.paragraph != last:
                paragraphs.append([])
                last = seg.paragraph
            paragraphs[-1].append(seg.translation)
        return "\n\n".join(" ".join(p) for p in paragraphs)


@dataclass(frozen=True)
class BriefedArticle:
    translated: TranslatedArticle
    brief: str

    @property
    def article(self) -> CleanArticle:
        return self.translated.article


@dataclass(frozen=True)
class PooledSentence:
    """An English sentence chosen for the cluster brief, with where it came from."""

    article: str
    segment: int
    text: str
    score: float


@dataclass(frozen=True)
class ClusterBrief:
    summary: str
    pooled: tuple[PooledSentence, ...]
    dropped_duplicates: int


@dataclass
class RunStats:
    """Counters a run accumulates: cache hits and misses, and seconds spent per stage."""

    hits: int = 0
    misses: int = 0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RunInfo:
    """What ran and how: the provenance block of cluster.json."""

    backend: str
    models: dict[str, dict]
    signature: str
    timings: dict[str, float]
    cache: dict[str, int]


@dataclass(frozen=True)
class ClusterResult:
    cluster_id: str
    source_dir: str
    articles: tuple[BriefedArticle, ...]
    brief: ClusterBrief
    problems: tuple[Problem, ...]  # files skipped, with the reason
    run: RunInfo
    warnings: tuple[Problem, ...] = ()  # files processed, with a note (repaired, duplicate, not translated ...)
    provenance: Provenance | None = None  # sources of each summary sentence and the faithfulness checks


@dataclass(frozen=True)
class SourceRef:
    """A translated sentence that backs a summary sentence: article id, segment index, overlap."""

    article: str
    segment: int
    score: float


@dataclass(frozen=True)
class TracedSentence:
    """One sentence of a brief or of the cluster summary and the source sentences behind it."""

    text: str
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class CheckItem:
    """A number or name that the sources do not back ('unsupported') or that a translation lost
    from its French sentence ('missing'), and where it appeared."""

    kind: str  # "number" | "name"
    problem: str  # "unsupported" | "missing"
    item: str  # as written
    where: str  # "translation" | "brief" | "summary"
    article: str  # article id; "" for the cluster summary
    index: int  # segment index (translation) or sentence index (brief, summary)
    text: str  # the English sentence
    source: str = ""  # the French sentence (translations only)


@dataclass(frozen=True)
class Provenance:
    """Where each summary sentence came from, and what the checks could not support."""

    summary_sentences: tuple[TracedSentence, ...]
    brief_sentences: dict[str, tuple[TracedSentence, ...]]  # by article id
    checks: tuple[CheckItem, ...]
    method: str
