"""Language stage: what language a cleaned article is in, and so whether it is translated,
passed through untranslated (it is already English) or skipped (no model reads it).

Each paragraph is identified separately (py3langid, limited to widely published languages so
short French paragraphs are not taken for Occitan or Luxembourgish) and weighted by its letters.
An article stays in a source language the translator reads while that language holds at least
MIN_SOURCE_SHARE of its text: a French article quoting English at length is still translated.
Otherwise the dominant language decides. The per-language shares are cached, so a fully cached
run does not load the identifier's model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Collection

from summarize.backends.base import Translator
from summarize.cache import Cache
from summarize.records import CleanArticle, Segment, SegmentedArticle, TranslatedArticle
from summarize.signature import Signature, version_of

STAGE = "language"
TARGET = "en"
DEFAULT_SOURCES = ("fr",)
MIN_SOURCE_SHARE = 0.25
MIN_LETTERS = 20  # shorter paragraphs (numbers, names, captions) say little about the language
SAMPLE_CHARS = 20_000
NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sv": "Swedish", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}


@dataclass(frozen=True)
class Verdict:
    """How the pipeline treats one article: action is "translate", "passthrough" or "skip"."""

    language: str
    action: str
    note: str | None = None


def name(code: str) -> str:
    return f"{NAMES.get(code, code)} ({code})"


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted(NAMES))
    return identifier


@lru_cache(maxsize=1)
def signature() -> Signature:
    return Signature(stage=STAGE, py3langid=version_of("py3langid"), langs=",".join(sorted(NAMES)), min=MIN_LETTERS, v=1)


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


def decide(shares: dict[str, float], sources: Collection[str]) -> Verdict:
    """Translate, pass through or skip, from the language shares and the languages the translator reads."""
    readable = {lang: shares.get(lang, 0.0) for lang in sources}
    best_source = max(readable, key=readable.get, default=DEFAULT_SOURCES[0])
    if not shares or readable.get(best_source, 0.0) >= MIN_SOURCE_SHARE:
        return Verdict(best_source, "translate")
    dominant = max(shares, key=shares.get)
    share = f"{shares[dominant]:.0%} of its text"
    if dominant == TARGET:
        return Verdict(TARGET, "passthrough", f"already in {name(TARGET)}, {share}; passed through untranslated")
    if dominant in readable:
        return Verdict(dominant, "translate")
    return Verdict(
        dominant,
        "skip",
        f"written in {name(dominant)}, {share}; no translation model for it is configured "
        f"(the translator reads {', '.join(name(s) for s in sorted(sources))}); choose a --translation-model that does",
    )


def source_languages(translator: Translator) -> tuple[str, ...]:
    """The languages a translator reads: its `source_languages` attribute (None: any language, as an
    instruct LLM told the language in its prompt), else French."""
    declared = getattr(translator, "source_languages", DEFAULT_SOURCES)
    return tuple(sorted(set(NAMES) - {TARGET})) if declared is None else tuple(declared)


def identify(article: CleanArticle, sources: Collection[str], cache: Cache) -> Verdict:
    """The verdict for one article, with the language shares taken from the cache when known."""
    text = "\n".join(article.paragraphs)[: SAMPLE_CHARS * 2]
    key = signature().key(text)
    cached = cache.get(key)
    if cached is not None:
        shares = json.loads(cached)
    else:
        shares = language_shares(text.split("\n"))
        cache.put(STAGE, signature(), key, json.dumps(shares))
    return decide(shares, sources)


def passthrough(segmented: SegmentedArticle) -> TranslatedArticle:
    """An article already in the target language: each sentence is its own 'translation', no model runs."""
    segments = tuple(Segment(paragraph=s.paragraph, source=s.text, translation=s.text) for s in segmented.sentences)
    return TranslatedArticle(article=segmented.article, segments=segments)
