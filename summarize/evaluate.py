"""`summarize eval`: the configured models measured on reference data, as a JSON-ready report.

Translation: a parallel set (aligned line files, or WMT-style SGM files whose `docid`s and `<p>`
paragraphs are kept) is translated by the translate stage exactly as a run translates it (each
document an article, so an LLM reads real paragraphs in context), with no cache, and scored with
sacrebleu: corpus chrF and BLEU over the aligned sentences, with sacrebleu's own signatures. The
report adds speed (output tokens per second in the model's own tokens), how many passages an LLM
had to retry sentence by sentence, and the faithfulness checks (numbers and names a translation
lost or invented) of every pair.

Summaries: articles with reference summaries (JSON lines `{"id", "article", "reference"}`, e.g.
CNN/DailyMail highlights) are briefed by the summarise stage; ROUGE-1/2/L (rouge-score, Porter
stemming, ROUGE-Lsum over sentences as the CNN/DailyMail papers report it) against the
references, beside the first three sentences of each article (lead-3, the baseline any summariser
must beat); brief lengths against the budget; and the checks' flags (numbers and names of a
brief that its article does not contain).

Every report carries the signatures of what ran: the stage signature (engine, model, revision,
prompts, settings) and the metrics'.
"""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from summarize import __version__
from summarize.backends.base import Summarizer, Translator, translator_for
from summarize.cache import Cache
from summarize.checks import TranslationPair, check_summary, check_translations
from summarize.errors import UsageError
from summarize.provenance import split_summary
from summarize.records import CleanArticle, RunStats, SegmentedArticle, Sentence
from summarize.signature import version_of
from summarize.summarise import summarise_many
from summarize.summarise import stage_signature as summary_signature
from summarize.translate import stage_signature as translation_signature
from summarize.translate import translate_articles

# Documents are translated in groups of at least this many sentences (as a run's articles are).
GROUP_SENTENCES = 128
LEAD_SENTENCES = 3
LENGTH_TOLERANCE = 0.25
_DOC = re.compile(r"<doc\b([^>]*)>(.*?)</doc>", re.S | re.I)
_DOCID = re.compile(r"""docid\s*=\s*["']([^"']*)["']""", re.I)
_BLOCK = re.compile(r"<(p|h1)\b[^>]*>(.*?)</\1>|(<seg\b.*?</seg>)", re.S | re.I)
_SEG = re.compile(r"<seg\b[^>]*?\bid\s*=\s*[\"']?([^\"'\s>]+)[\"']?[^>]*>(.*?)</seg>", re.S | re.I)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Document:
    """A document of a parallel set: its id, and its paragraphs as (source, reference) sentence pairs."""

    id: str
    paragraphs: tuple[tuple[tuple[str, str], ...], ...]


# ---- reading data ---------------------------------------------------------------------------------


def read_sgm(path: Path) -> dict[str, list[list[tuple[str, str]]]]:
    """docid -> paragraphs (the `<h1>` headline and each `<p>`) -> (seg id, text), from a WMT SGM file."""
    text = _read(path)
    documents: dict[str, list[list[tuple[str, str]]]] = {}
    for attributes, body in _DOC.findall(text):
        docid = _DOCID.search(attributes)
        if not docid:
            raise UsageError(f"{path}: a <doc> without a docid. Fix: pass a WMT SGM file (<doc docid=...>)")
        paragraphs = []
        for _, inner, loose in _BLOCK.findall(body):
            segs = [(seg_id, " ".join(html.unescape(seg).split())) for seg_id, seg in _SEG.findall(inner or loose)]
            if segs:
                paragraphs.append(segs)
        documents[docid.group(1)] = paragraphs
    if not documents:
        raise UsageError(f"{path}: no <doc> with <seg> sentences found. Fix: pass a WMT SGM file, or aligned plain-text files")
    return documents


def parallel_sgm(source: Path, reference: Path) -> list[Document]:
    """Documents of a source SGM file with each sentence paired with the reference's sentence of the same docid and seg id."""
    references = {(docid, seg_id): text for docid, paragraphs in read_sgm(reference).items() for p in paragraphs for seg_id, text in p}
    documents = []
    for docid, paragraphs in read_sgm(source).items():
        pairs = []
        for paragraph in paragraphs:
            missing = [seg_id for seg_id, _ in paragraph if (docid, seg_id) not in references]
            if missing:
                raise UsageError(f"{reference}: document {docid} has no seg {missing[0]}. Fix: pass the reference of the same test set")
            pairs.append(tuple((text, references[docid, seg_id]) for seg_id, text in paragraph))
        documents.append(Document(docid, tuple(pairs)))
    return documents


def parallel_lines(source: Path, reference: Path, docs: Path | None = None) -> list[Document]:
    """Aligned line files as documents: consecutive lines with the same id in `docs` (one per line, first
    tab-separated column; a header line is skipped if the counts say so) form one document of one
    paragraph; without `docs` every line is a document of its own."""
    sources, references = _read(source).splitlines(), _read(reference).splitlines()
    if len(sources) != len(references):
        raise UsageError(f"{source} has {len(sources)} lines and {reference} {len(references)}. Fix: pass line-aligned files")
    ids = [str(n) for n in range(len(sources))]
    if docs is not None:
        ids = [line.split("\t", 1)[0] for line in _read(docs).splitlines()]
        ids = ids[1:] if len(ids) == len(sources) + 1 else ids
        if len(ids) != len(sources):
            raise UsageError(f"{docs} has {len(ids)} document ids for {len(sources)} sentences. Fix: one id per sentence line")
    documents: list[Document] = []
    start = 0
    for end in range(1, len(sources) + 1):
        if end == len(sources) or ids[end] != ids[start]:
            documents.append(Document(f"{ids[start]}#{start}", (tuple(zip(sources[start:end], references[start:end])),)))
            start = end
    return documents


def read_summaries(path: Path) -> list[dict]:
    """Articles with reference summaries: JSON lines with `article` and `reference` (and an `id`)."""
    items = []
    for number, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            raise UsageError(f"{path}:{number}: not JSON ({error}). Fix: one JSON object per line") from None
        if not isinstance(item, dict) or not isinstance(item.get("article"), str) or not isinstance(item.get("reference"), str):
            raise UsageError(f'{path}:{number}: needs "article" and "reference" strings. Fix: one {{"id", "article", "reference"}} per line')
        items.append({"id": str(item.get("id", number)), "article": item["article"], "reference": item["reference"]})
    return items


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}. Fix: pass a readable UTF-8 file") from None


# ---- translation ----------------------------------------------------------------------------------


def evaluate_translation(
    documents: Sequence[Document], translator: Translator, language: str, progress: Progress | None = None
) -> tuple[dict, list[dict]]:
    """(report, one {document, source, reference, translation} per sentence) for `documents` translated by
    `translator` (a router: the translator it routes `language` to), checked as sources in `language`."""
    from sacrebleu.metrics import BLEU, CHRF

    translator = translator_for(translator, language)
    articles = [_article(document, language) for document in documents]
    total = sum(len(a.sentences) for a in articles)
    cache, stats = Cache(None), RunStats()
    translated = []
    started = time.perf_counter()
    group: list[SegmentedArticle] = []
    for index, article in enumerate(articles):
        group.append(article)
        if sum(len(a.sentences) for a in group) >= GROUP_SENTENCES or index == len(articles) - 1:
            translated.extend(translate_articles(group, translator, cache, stats))
            group = []
            if progress:
                progress(sum(len(t.segments) for t in translated), total)
    seconds = time.perf_counter() - started
    references = [reference for document in documents for paragraph in document.paragraphs for _, reference in paragraph]
    segments = [(t.article.id, index, segment) for t in translated for index, segment in enumerate(t.segments)]
    outputs = [
        {"document": doc, "source": segment.source, "reference": reference, "translation": segment.translation}
        for (doc, _, segment), reference in zip(segments, references)
    ]
    hypotheses = [o["translation"] for o in outputs]
    chrf, bleu = CHRF(), BLEU()
    flags = check_translations([TranslationPair(doc, index, s.source, s.translation) for doc, index, s in segments], language)
    output_tokens = sum(translator.count_tokens(h) for h in hypotheses if h)
    report = {
        "task": "translation",
        "summarize": __version__,
        "language": language,
        "documents": len(documents),
        "sentences": total,
        "chrF": round(chrf.corpus_score(hypotheses, [references]).score, 2),
        "BLEU": round(bleu.corpus_score(hypotheses, [references]).score, 2),
        "seconds": round(seconds, 1),
        "output_tokens": output_tokens,
        "tokens_per_second": round(output_tokens / seconds, 1) if seconds else None,
        "alignment": dict(sorted(getattr(translator, "counters", {}).items())),
        "checks": _flag_counts(flags, total, "sentences"),
        "model": translator.describe(),
        "signatures": {
            "translate": str(translation_signature(translator)),
            "chrF": str(chrf.get_signature()),
            "BLEU": str(bleu.get_signature()),
        },
    }
    return report, outputs


def _article(document: Document, language: str) -> SegmentedArticle:
    paragraphs = tuple(" ".join(source for source, _ in paragraph) for paragraph in document.paragraphs)
    article = CleanArticle(document.id, document.id, "", "", {}, paragraphs, language=language)
    sentences = tuple(Sentence(number, source) for number, paragraph in enumerate(document.paragraphs) for source, _ in paragraph)
    return SegmentedArticle(article, sentences)


# ---- summaries ------------------------------------------------------------------------------------


def evaluate_summaries(items: Sequence[dict], summarizer: Summarizer, words: int, progress: Progress | None = None) -> tuple[dict, list[dict]]:
    """(report, one {id, brief, lead3, reference, words, flags} per article) for briefs of `words` words."""
    from rouge_score import rouge_scorer

    sentences = [split_summary(item["article"]) for item in items]
    started = time.perf_counter()
    briefs = summarise_many(sentences, summarizer, words, Cache(None), RunStats())
    seconds = time.perf_counter() - started
    if progress:
        progress(len(items), len(items))
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    outputs, scores, all_flags = [], {"brief": [], "lead3": []}, []
    for item, article, brief in zip(items, sentences, briefs):
        lead = " ".join(article[:LEAD_SENTENCES])
        flags = check_summary(split_summary(brief), article, "brief", item["id"])
        all_flags.extend(flags)
        for name, text in (("brief", brief), ("lead3", lead)):
            scores[name].append(scorer.score(_lines(item["reference"]), _lines(text)))
        outputs.append(
            {"id": item["id"], "brief": brief, "words": len(brief.split()), "lead3": lead, "reference": item["reference"],
             "flags": [{"kind": f.kind, "item": f.item, "sentence": f.text} for f in flags]}
        )
    lengths = [o["words"] for o in outputs]
    low, high = words * (1 - LENGTH_TOLERANCE), words * (1 + LENGTH_TOLERANCE)
    report = {
        "task": "summaries",
        "summarize": __version__,
        "articles": len(items),
        "words_asked": words,
        "rouge": {name: _mean_rouge(rows) for name, rows in scores.items()},
        "length": {
            "mean": round(sum(lengths) / len(lengths), 1) if lengths else None,
            "min": min(lengths, default=None),
            "max": max(lengths, default=None),
            "within_tolerance": sum(low <= n <= high for n in lengths),
            "tolerance": LENGTH_TOLERANCE,
        },
        "checks": _flag_counts(all_flags, len(items), "briefs", flagged=sum(bool(o["flags"]) for o in outputs)),
        "seconds": round(seconds, 1),
        "counters": dict(sorted(getattr(summarizer, "counters", {}).items())),
        "model": summarizer.describe(),
        "signatures": {
            "summarise": str(summary_signature(summarizer, words)),
            "rouge": f"rouge-score:{version_of('rouge-score')}|stemmer:porter|rougeL:rougeLsum|F1x100|lead:{LEAD_SENTENCES}",
        },
    }
    return report, outputs


def _lines(text: str) -> str:
    """Text with one sentence per line, as ROUGE-Lsum reads it."""
    return "\n".join(split_summary(text))


def _mean_rouge(rows: list[dict]) -> dict:
    names = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeLsum": "ROUGE-L"}
    return {label: round(100 * sum(row[key].fmeasure for row in rows) / len(rows), 2) if rows else None for key, label in names.items()}


def _flag_counts(flags: Sequence, units: int, unit: str, flagged: int | None = None) -> dict:
    """How many numbers and names the checks flagged, and the share of `units` with a flag."""
    if flagged is None:
        flagged = len({(f.article, f.index) for f in flags})
    counts = {f"{problem}_{kind}s": 0 for problem in ("unsupported", "missing") for kind in ("number", "name")}
    for f in flags:
        counts[f"{f.problem}_{f.kind}s"] += 1
    return {**counts, f"flagged_{unit}": flagged, "flag_rate": round(flagged / units, 4) if units else None}
