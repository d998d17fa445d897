"""HTML pages people read: cluster.html (one cluster's brief) and index.html (a batch).

Pages are rendered from the documents the write stage produces (cluster.json, index.json), so a
page served by `summarize serve` and the file beside cluster.json are the same rendering, and
outputs written before pages existed can be rendered too (missing fields are simply not shown).

Every page is one self-contained file: inline CSS, no scripts, fonts or links to other hosts, and
a Content-Security-Policy that forbids scripts, so it works opened from disk and article text can
never run as code. Templates (summarize/templates/*.j2) are rendered by Jinja2 with autoescaping
on: every piece of article text is escaped. Citation marks are plain links to sentence anchors;
the :target style highlights the sentence a mark leads to.

A cluster page is byte-identical for identical inputs, except the one `run-stats` line (timings,
cache hits, when it was generated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Iterable

from summarize import __version__
from summarize.backends.stub import STUB_NOTICE
from summarize.language import NAMES as LANGUAGE_NAMES
from summarize.provenance import ALL_SUPPORTED, check_finding
from summarize.text import headline

STAGE_ORDER = ("ingest", "clean", "language", "segment", "translate", "summarise", "cluster", "provenance")


@lru_cache(maxsize=1)
def environment():
    """The package's Jinja2 templates, autoescaped (HTML-escaping every value they print)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("summarize", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(template: str, **context) -> str:
    """Render one of the package's templates (pages of the cluster server use this too)."""
    context.setdefault("served", False)
    return environment().get_template(template).render(version=__version__, **context)


@dataclass(frozen=True)
class Piece:
    """A run of text; `note` set when it is a flagged number or name (shown highlighted)."""

    text: str
    note: str = ""


@dataclass(frozen=True)
class Cite:
    label: str
    href: str
    title: str


@dataclass
class Sentence:
    """A sentence of the cluster summary or of an article brief, with its citations and flags."""

    anchor: str
    pieces: list[Piece]
    cites: list[Cite]
    notes: list[str]


@dataclass
class Row:
    """One aligned pair: a source sentence and its English translation."""

    anchor: str
    number: int
    paragraph_start: bool
    source: list[Piece]
    translation: list[Piece]
    notes: list[str]
    cited_by: list[Cite] = field(default_factory=list)

    @property
    def classes(self) -> str:
        """CSS classes: a paragraph's first sentence, a flagged pair, a sentence some brief cites."""
        flagged = bool(self.notes) or any(p.note for p in self.source + self.translation)
        marks = (("para", self.paragraph_start and self.number > 1), ("flagged", flagged), ("cited", bool(self.cited_by)))
        return " ".join(name for name, on in marks if on)


@dataclass
class ArticleView:
    number: int
    anchor: str
    title: str
    path: str
    sha256: str
    language: str
    language_name: str
    metadata: list[tuple[str, str]]
    brief: list[Sentence]
    rows: list[Row]
    removed: list[dict]
    flags: int


def mark_items(text: str, flags: Iterable[tuple[str, str]]) -> tuple[list[Piece], list[str]]:
    """`text` cut into pieces, each occurrence of a flagged item marked with its note; the notes
    of items that were not found in the text come back separately (shown beside it)."""
    spans: list[tuple[int, int, str]] = []
    unplaced: list[str] = []
    caseless = len(text.casefold()) == len(text)  # offsets in the casefolded text are offsets in the text
    haystack = text.casefold() if caseless else text
    for item, note in flags:
        found = False
        needle = item.casefold() if caseless else item
        for match in re.finditer(re.escape(needle), haystack) if item.strip() else ():
            start, end = match.span()
            if not any(s < end and start < e for s, e, _ in spans):
                spans.append((start, end, note))
                found = True
        if not found:
            unplaced.append(note)
    pieces: list[Piece] = []
    position = 0
    for start, end, note in sorted(spans):
        if start > position:
            pieces.append(Piece(text[position:start]))
        pieces.append(Piece(text[start:end], note))
        position = end
    if position < len(text) or not pieces:
        pieces.append(Piece(text[position:]))
    return pieces, unplaced


def _check_notes(items: list[dict]) -> dict[tuple[str, int], list[tuple[str, str, str]]]:
    """Check items by (where, index): (item as written, its wording, which side it is on)."""
    notes: dict[tuple[str, int], list[tuple[str, str, str]]] = {}
    for item in items:
        index = item.get("segment", item.get("sentence", 0))
        side = "source" if item["where"] == "translation" and item["problem"] == "missing" else "english"
        wording = check_finding(item["kind"], item["item"], item["problem"], item["where"])
        notes.setdefault((item["where"], index), []).append((item["item"], wording, side))
    return notes


def _sentence(anchor: str, text: str, notes: list[tuple[str, str, str]], cites: list[Cite]) -> Sentence:
    pieces, unplaced = mark_items(text, [(item, wording) for item, wording, _ in notes])
    return Sentence(anchor, pieces, cites, unplaced)


class _Anchors:
    """Anchor names: article n is `a{n}`, its sentence s `a{n}-s{s}`, summary sentence i `c-s{i}`."""

    def __init__(self, articles: list[dict]):
        self.numbers = {a["id"]: n for n, a in enumerate(articles, 1)}

    def row(self, article: str, segment: int) -> str:
        return f"a{self.numbers.get(article, 0)}-s{segment + 1}"


def _summary_view(doc: dict, anchors: _Anchors, cited_by: dict[str, list[Cite]], notes: dict) -> list[Sentence]:
    cluster = doc["cluster"]
    traced = cluster.get("summary_sentences")
    if traced is None:  # outputs older than provenance: the summary without citations
        traced = [{"text": cluster.get("summary", ""), "sources": []}] if cluster.get("summary") else []
    sentences = []
    for index, sentence in enumerate(traced):
        anchor = f"c-s{index + 1}"
        cites: dict[int, list[dict]] = {}
        for source in sentence["sources"]:
            cites.setdefault(anchors.numbers.get(source["article"], 0), []).append(source)
        marks = []
        for number, sources in cites.items():
            best = sources[0]
            rows = ", ".join(str(s["segment"] + 1) for s in sources)
            marks.append(Cite(str(number), f"#{anchors.row(best['article'], best['segment'])}", f"Article {number}, sentence {rows}"))
            for source in sources:
                back = Cite(f"brief {index + 1}", f"#{anchor}", f"Sentence {index + 1} of the cluster brief")
                cited_by.setdefault(anchors.row(source["article"], source["segment"]), []).append(back)
        sentences.append(_sentence(anchor, sentence["text"], notes.get(("summary", index), []), marks))
    return sentences


def _article_view(article: dict, number: int, anchors: _Anchors, cited_by: dict[str, list[Cite]], items: list[dict]) -> ArticleView:
    notes = _check_notes(items)
    brief_sentences = article.get("brief_sentences")
    if brief_sentences is None:
        brief_sentences = [{"text": article.get("brief", ""), "sources": []}] if article.get("brief") else []
    brief = []
    for index, sentence in enumerate(brief_sentences):
        anchor = f"a{number}-b{index + 1}"
        marks = []
        for source in sentence["sources"]:
            row = anchors.row(article["id"], source["segment"])
            marks.append(Cite(f"s{source['segment'] + 1}", f"#{row}", f"Sentence {source['segment'] + 1} of this article"))
            back = Cite(f"[{number}] brief", f"#{anchor}", f"Sentence {index + 1} of article {number}'s brief")
            cited_by.setdefault(row, []).append(back)
        brief.append(_sentence(anchor, sentence["text"], notes.get(("brief", index), []), marks))
    rows = []
    previous = None
    for index, segment in enumerate(article.get("segments", [])):
        found = notes.get(("translation", index), [])
        source, unplaced_source = mark_items(segment["source"], [(i, w) for i, w, side in found if side == "source"])
        english, unplaced_english = mark_items(segment["translation"], [(i, w) for i, w, side in found if side == "english"])
        rows.append(
            Row(anchors.row(article["id"], index), index + 1, segment.get("paragraph") != previous, source, english,
                unplaced_source + unplaced_english)
        )
        previous = segment.get("paragraph")
    language = article.get("language", "fr")
    return ArticleView(
        number=number,
        anchor=f"a{number}",
        title=article.get("title") or article["id"],
        path=article.get("path", ""),
        sha256=article.get("sha256", ""),
        language=language,
        language_name=LANGUAGE_NAMES.get(language, language),
        metadata=sorted(article.get("metadata", {}).items()),
        brief=brief,
        rows=rows,
        removed=article.get("removed", []),
        flags=len(items),
    )


def _check_list(doc: dict, anchors: _Anchors) -> list[dict]:
    """Every check item with a link to where it occurs, cluster summary first."""
    checks = doc.get("checks") or {}
    listed = []
    for item in checks.get("cluster", []):
        listed.append({"place": f"brief, sentence {item['sentence'] + 1}", "href": f"#c-s{item['sentence'] + 1}", "item": item})
    for group in checks.get("articles", []):
        number = anchors.numbers.get(group["article"], 0)
        for item in group["items"]:
            if item["where"] == "translation":
                place, href = f"[{number}] sentence {item['segment'] + 1}", f"#{anchors.row(group['article'], item['segment'])}"
            else:
                place, href = f"[{number}] brief", f"#a{number}-b{item['sentence'] + 1}"
            listed.append({"place": place, "href": href, "item": item})
    for entry in listed:
        item = entry["item"]
        entry["text"] = check_finding(item["kind"], item["item"], item["problem"], item["where"])
    return listed


def _run_stats(run: dict, generated: datetime | None) -> str:
    """The one line that differs between identical runs: timings, cache use, generation time."""
    timings = run.get("timings", {})
    parts = []
    if "total" in timings:
        stages = ", ".join(f"{stage} {timings[stage]:.2f} s" for stage in STAGE_ORDER if stage in timings)
        parts.append(f"run took {timings['total']:.1f} s ({stages})")
    cache = run.get("cache")
    if cache:
        parts.append(f"cache {cache.get('hits', 0)} hits / {cache.get('misses', 0)} misses")
    if generated is not None:
        parts.append(f"generated {generated.strftime('%Y-%m-%d %H:%M UTC')}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def model_rows(models: dict) -> list[tuple[str, dict]]:
    """(label, what ran) per model of `run.models`; translation, one per source language, gets a row each."""
    rows = []
    for role, model in models.items():
        if model and all(isinstance(value, dict) for value in model.values()):
            rows += [(f"{role} from {LANGUAGE_NAMES.get(language, language)}", each) for language, each in model.items()]
        else:
            rows.append((role, model))
    return rows


def is_stub(doc: dict) -> bool:
    return "stub" in str(doc.get("run", {}).get("backend", "")).split("+")


def cluster_title(doc: dict) -> str:
    """The cluster's headline: the first sentence of its brief, else its first article's title."""
    articles = doc.get("articles") or [{}]
    return headline(doc["cluster"].get("summary", ""), articles[0].get("title", "") or doc["cluster"]["id"])


def render_cluster(doc: dict, generated: datetime | None = None, served: bool = False) -> str:
    """cluster.html from a cluster.json document. `served` adds the server's navigation bar."""
    articles = doc.get("articles", [])
    anchors = _Anchors(articles)
    cited_by: dict[str, list[Cite]] = {}
    checks = doc.get("checks") or {}
    summary = _summary_view(doc, anchors, cited_by, _check_notes(checks.get("cluster", [])))
    items_by_article = {group["article"]: group["items"] for group in checks.get("articles", [])}
    views = [
        _article_view(article, number, anchors, cited_by, items_by_article.get(article["id"], []))
        for number, article in enumerate(articles, 1)
    ]
    for view in views:
        for row in view.rows:
            row.cited_by = cited_by.get(row.anchor, [])
    run = doc.get("run", {})
    return render_page(
        "cluster.html.j2",
        doc=doc,
        cluster=doc["cluster"],
        title=cluster_title(doc),
        summary=summary,
        articles=views,
        checks=_check_list(doc, anchors),
        all_supported=ALL_SUPPORTED,
        has_checks="checks" in doc,
        stub_notice=STUB_NOTICE if is_stub(doc) else "",
        run=run,
        models=model_rows(run.get("models", {})),
        run_stats=_run_stats(run, generated),
        languages=sorted({view.language_name for view in views}),
        served=served,
    )


def render_index(document: dict) -> str:
    """index.html from an index.json document: every cluster of a batch, linked to its page."""
    counts: dict[str, int] = {}
    for entry in document["clusters"]:
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    return render_page("index.html.j2", index=document, counts=sorted(counts.items()))
