"""Deterministic stub backend for tests and demos without models.

It imports nothing heavy and is always labelled `stub` in outputs: translation returns the
source unchanged (it is NOT a translation) and summaries are the lead sentences that fit the word
budget. Translation is routed by language like the real backends' (the same languages are
translated, passed through or skipped), every route to the same identity.
"""

from __future__ import annotations

import re
from typing import Sequence

from summarize.backends.base import Backends
from summarize.backends.router import routed_translator
from summarize.signature import Signature

STUB_NOTICE = (
    "STUB BACKEND: no model ran. 'Translations' are the untranslated source and briefs "
    "are lead sentences. Use --backend auto/transformers/ct2 with real models for real output."
)

_SENTENCE_END = re.compile(r"(?<=[.!?»\"])\s+")


class _StubEngine:
    engine = "stub"
    max_input_tokens = 1024

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def describe(self) -> dict:
        return {"engine": self.engine, "model": "stub", "revision": "none", "device": "none"}


class StubTranslator(_StubEngine):
    source_languages = ("*",)

    def signature(self) -> Signature:
        return Signature(engine="stub", model="stub-identity", v=1)

    def translate(self, sentences: Sequence[str]) -> list[str]:
        return list(sentences)


class StubSummarizer(_StubEngine):
    def signature(self) -> Signature:
        return Signature(engine="stub", model="stub-lead", v=1)

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        return [lead_sentences(text, max_words) for text in texts]


def lead_sentences(text: str, max_words: int) -> str:
    """The leading sentences of `text` within `max_words` (at least one sentence, clipped)."""
    chosen: list[str] = []
    used = 0
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        words = len(sentence.split())
        if chosen and used + words > max_words:
            break
        chosen.append(sentence if words <= max_words else " ".join(sentence.split()[:max_words]) + " …")
        used += words
    return " ".join(chosen)


def make_backends(options) -> Backends:
    translator = StubTranslator()
    return Backends(routed_translator(options, lambda choice: translator, "stub"), StubSummarizer())
