"""Language stage: what language an article is in, and so whether it is translated (and by which
language's model), passed through untranslated (it is already English) or skipped (no model reads it).

It runs first, on the ingested text, because cleaning and sentence splitting depend on the
language. Each line (a paragraph of the ingested text) is identified separately (py3langid, limited
to widely published languages so short French paragraphs are not taken for Occitan or
Luxembourgish) and weighted by its letters; lines too short to tell (names, numbers, dates) are
left out. Boilerplate that survives ingest is short and usually in the page's own language, so it
barely moves the shares (benchmarks/bench_multilingual.py measures the verdicts on raw against
cleaned text). An article stays in a source language the translator reads while that language
holds at least MIN_SOURCE_SHARE of its text: a French article quoting English at length is still
translated. Otherwise the dominant language decides. The shares are cached, so a fully cached run
does not load the identifier's model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Collection

from summarize.backends.base import source_languages
from summarize.cache import Cache
from summarize.presets import ANY_LANGUAGE, LANGUAGE_NAMES, language_name
from summarize.records import IngestedArticle, Segment, SegmentedArticle, TranslatedArticle
from summarize.signature import Signature, version_of

STAGE = "language"
TARGET = "en"
MIN_SOURCE_SHARE = 0.25
MIN_LETTERS = 20  # shorter paragraphs (numbers, names, captions) say little about the language
SAMPLE_CHARS = 20_000
NAMES = LANGUAGE_NAMES


@dataclass(frozen=True)
class Verdict:
    """How the pipeline treats one article: action is "translate", "passthrough" or "skip"."""

    language: str
    action: str
    note: str | None = None


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted(NAMES))
    return identifier


@lru_cache(maxsize=1)
def signature() -> Signature:
    return Signature(stage=STAGE, py3langid=version_of("py3langid"), langs=",".join(sorted(NAMES)), min=MIN_LETTERS, v=2)


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def language_shares(paragraphs: Collection[str]) -> dict[str, float]:
    """Share of the text (by letters) in each language; empty when too little text to tell."""
    weights: dict[str, int] = {}
    used = 0
    for paragraph in paragraphs:
        if used >= SAMPLE_CHARS:
            break
        letters = _letters(paragraph)
        if letters >= MIN_LETTERS:
            language, _ = _identifier().classify(paragraph[:SAMPLE_CHARS])
            weights[language] = weights.get(language, 0) + letters
            used += len(paragraph)
    total = sum(weights.values())
    return {lang: round(weight / total, 4) for lang, weight in sorted(weights.items())} if total else {}


def reads(sources: Collection[str], language: str) -> bool:
    """Whether a translator reading `sources` translates `language` (English is never translated)."""
    return language != TARGET and (language in sources or ANY_LANGUAGE in sources)


def decide(shares: dict[str, float], sources: Collection[str], advice: Callable[[str], str] | None = None) -> Verdict:
    """Translate, pass through or skip, from the language shares and the languages the translator reads.

    `advice(language)` says what would get a skipped language translated (the router knows: a
    --languages entry, a registry key); without it, the note names the languages read.
    """
    readable = {lang: share for lang, share in shares.items() if reads(sources, lang)}
    best_source = max(readable, key=readable.get, default=None)
    if not shares:  # too little text to tell: French where it is read (the tool's first language), else the first read
        if reads(sources, "fr"):
            return Verdict("fr", "translate")
        known = sorted(lang for lang in sources if reads(sources, lang) and lang != ANY_LANGUAGE)
        return Verdict(known[0], "translate") if known else Verdict("und", "skip", "too little text to tell its language")
    if best_source is not None and readable[best_source] >= MIN_SOURCE_SHARE:
        return Verdict(best_source, "translate")
    dominant = max(shares, key=shares.get)
    share = f"{shares[dominant]:.0%} of its text"
    if dominant == TARGET:
        return Verdict(TARGET, "passthrough", f"already in {language_name(TARGET)}, {share}; passed through untranslated")
    if dominant in readable:
        return Verdict(dominant, "translate")
    readable_list = ", ".join(language_name(s) for s in sorted(sources)) or "no language"
    why = advice(dominant) if advice else (
        f"no translation model for it is configured (the translator reads {readable_list}); choose a --translation-model that does"
    )
    return Verdict(dominant, "skip", f"written in {language_name(dominant)}, {share}; {why}")


def identify(article: IngestedArticle, translator, cache: Cache) -> Verdict:
    """The verdict for one ingested article, with the language shares taken from the cache when known."""
    text = article.text[: SAMPLE_CHARS * 2]
    key = signature().key(text)
    cached = cache.get(key)
    if cached is not None:
        shares = json.loads(cached)
    else:
        shares = language_shares(text.split("\n"))
        cache.put(STAGE, signature(), key, json.dumps(shares))
    return decide(shares, source_languages(translator), getattr(translator, "advice", None))


def passthrough(segmented: SegmentedArticle) -> TranslatedArticle:
    """An article already in the target language: each sentence is its own 'translation', no model runs."""
    segments = tuple(Segment(paragraph=s.paragraph, source=s.text, translation=s.text) for s in segmented.sentences)
    return TranslatedArticle(article=segmented.article, segments=segments)
