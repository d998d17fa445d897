"""The two small protocols every backend implements.

Stages (translate.py, summarise.py, cluster.py) own caching, sentence splitting, chunking and
map-reduce, so every engine gets identical pre/post-processing; a backend only turns a batch of
texts that fit its model into outputs. Constructing a backend must be cheap: models and heavy
libraries (torch, transformers, ctranslate2) load on first use, so a fully cached run never
imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

from summarize.errors import BackendError
from summarize.presets import ANY_LANGUAGE
from summarize.signature import Signature

__all__ = ["BackendError", "Backends", "Engine", "Summarizer", "Translator", "source_languages", "translator_for"]

# What a translator that does not say which languages it reads is taken to read.
DEFAULT_SOURCES = ("fr",)


@runtime_checkable
class Engine(Protocol):
    def signature(self) -> Signature | str:
        """Reproducibility signature (engine, model id, revision, quantisation, generation params).

        Part of every cache key and of the outputs; must not load the model.
        """

    def describe(self) -> dict:
        """What ran, for `run.models` in cluster.json (engine, model, revision, device, ...)."""

    def count_tokens(self, text: str) -> int:
        """Length of `text` in the model's own input tokens (may load the tokenizer)."""

    @property
    def max_input_tokens(self) -> int:
        """The longest input the model accepts, in its tokens."""


@runtime_checkable
class Translator(Engine, Protocol):
    def translate(self, sentences: Sequence[str]) -> list[str]:
        """Translate sentences of its source language (each within max_input_tokens) to English, in order.

        A translator may declare the languages it reads in a `source_languages` attribute (ISO 639-1
        codes; "*" for any): see source_languages() below.
        """


@runtime_checkable
class Summarizer(Engine, Protocol):
    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        """One English summary of at most about `max_words` words per text (each fits the model)."""


@dataclass(frozen=True)
class Backends:
    """The translator and summariser a run uses. The translator is usually a router of one translator
    per source language (backends/router.py): stages ask it for a language's with translator_for()."""

    translator: Translator
    summarizer: Summarizer


def source_languages(translator) -> tuple[str, ...]:
    """The languages a translator (or a router of translators) reads: its `source_languages` (None or
    "*": any language, as an instruct LLM told the language in its prompt), else French."""
    declared = getattr(translator, "source_languages", DEFAULT_SOURCES)
    return (ANY_LANGUAGE,) if declared is None else tuple(declared)


def translator_for(translator, language: str) -> Translator:
    """The translator that translates `language`: a router's choice for it (backends/router.py), else `translator` itself."""
    choose = getattr(translator, "for_language", None)
    return choose(language) if choose is not None else translator
