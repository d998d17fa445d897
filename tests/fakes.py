"""Small in-test engines with tiny input limits, to drive splitting and map-reduce paths."""

from __future__ import annotations

from summarize.backends.stub import StubTranslator


class WordEngine:
    """Counts one token per word (+1 for EOS) and records every call it receives."""

    engine = "fake"

    def __init__(self, max_input_tokens: int):
        self.max_input_tokens = max_input_tokens
        self.calls: list[list[str]] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 1

    def describe(self) -> dict:
        return {"engine": self.engine, "model": "fake"}

    def signature(self) -> str:
        return f"engine:fake|max:{self.max_input_tokens}"


class UpperTranslator(WordEngine):
    def translate(self, sentences):
        for s in sentences:
            assert self.count_tokens(s) <= self.max_input_tokens, "over-long input reached the model"
        self.calls.append(list(sentences))
        return [s.upper() for s in sentences]


class FirstWordsSummarizer(WordEngine):
    def summarize(self, texts, max_words):
        for t in texts:
            assert self.count_tokens(t) <= self.max_input_tokens, "over-long input reached the model"
        self.calls.append(list(texts))
        return [" ".join(t.split()[: min(max_words, 5)]) + "." for t in texts]



class SloppyTranslator(StubTranslator):
    """Copies the source like the stub translator but garbles numbers (2 becomes 3) and one name
    (Poutine becomes Medvedev): a translation the faithfulness checks must flag."""

    engine = "sloppy"

    def signature(self) -> str:
        return "engine:sloppy|v:1"

    def translate(self, sentences):
        return [s.replace("2", "3").replace("Poutine", "Medvedev") for s in sentences]
