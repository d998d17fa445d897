"""The seq2seq family (Marian-style translation, BART-family summaries) on any engine.

An engine (transformers.py, ct2.py) supplies the hooks of `ModelEngine` (engine.py); this module
owns everything the stages can observe of an encoder-decoder checkpoint, once: tokenisation and
the input-limit check (inputs are never truncated), length-sorted batching under a token budget,
the translation output-length rule and repetition-loop guard, the summary word budget, the
generation settings older checkpoints keep in config.json, and the signature. So every engine
gives the stages identical inputs and outputs, and the signatures differ only in the engine's
name and precision.

`Seq2SeqTranslator` and `Seq2SeqSummarizer` add translate() and summarize() on top; an engine's
translator is `class XTranslator(XEngine, Seq2SeqTranslator)`. Nothing here imports torch,
transformers or ctranslate2 at module level: the tokenizer loads on first use.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Sequence

from summarize.backends.engine import (
    LOOP_MAX_NGRAM,
    LOOP_REPEATS,
    LOOP_RETRY_NO_REPEAT_NGRAM,
    ModelEngine,
    has_repetition_loop,
)
from summarize.models import read_checkpoint_json
from summarize.signature import Signature

# Batches hold at most this many (padded source tokens x beams); larger batches amortise
# per-step overhead, smaller ones waste less on padding and early finishers. On 2 CPU cores,
# opus-mt-fr-en shape, beam 4 (transformers): 2048-4096 is best, 16384 about 20% slower.
_TOKEN_BUDGET = {"cpu": 4096, "cuda": 65536, "mps": 16384}
# Translation output may grow to this many target tokens per source token (plus a margin):
# ample for fr->en, and it bounds any repetition loop.
_OUTPUT_PER_INPUT_TOKEN = 1.5
_OUTPUT_MARGIN_TOKENS = 10
# English summaries: about 1.4 model tokens per word; at least half the budget is generated.
_TOKENS_PER_WORD = 1.4
_MIN_SHARE = 0.5
# Generation settings that older checkpoints keep in config.json (top level or under
# task_specific_params) rather than in generation_config.json; transformers 5 no longer reads them
# there, so engines pass them explicitly.
_LEGACY_GENERATION_KEYS = ("length_penalty", "no_repeat_ngram_size", "early_stopping", "repetition_penalty", "bad_words_ids")
_SIGNATURE_VERSION = 1


class Seq2SeqEngine(ModelEngine):
    """One seq2seq checkpoint behind some engine: input limits, legacy generation settings, tokenisation."""

    token_budget = _TOKEN_BUDGET  # per device: the most (padded source tokens x beams) in one batch
    task_params_key: str | None = None  # this task's entry in config.json's task_specific_params

    # ---- cheap facts ------------------------------------------------------------------------------
    @cached_property
    def legacy_generation_settings(self) -> dict:
        """Generation settings from config.json, for checkpoints without a generation_config.json.

        distilbart-cnn, for one, keeps its no-repeat 3-grams and length penalty 2 there.
        """
        if (self.model_dir / "generation_config.json").is_file():
            return {}
        task_params = (self._config.get("task_specific_params") or {}).get(self.task_params_key or "", {})
        merged = {**self._config, **task_params}
        return {key: merged[key] for key in _LEGACY_GENERATION_KEYS if key in merged}

    @cached_property
    def max_input_tokens(self) -> int:
        """The model's position limit, or its tokenizer's declared limit if that is smaller."""
        limit = int(self._config.get("max_position_embeddings") or 512)
        declared = read_checkpoint_json(self.model_dir / "tokenizer_config.json").get("model_max_length")
        if isinstance(declared, (int, float)) and 0 < declared < limit:
            limit = int(declared)
        return limit

    @property
    def _max_output_tokens(self) -> int:
        """The longest output the decoder supports."""
        return int(self._config.get("max_position_embeddings") or 512) - 1

    # ---- tokenisation and batching ----------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        """Input length of `text` in model tokens, special tokens included."""
        return len(self.tokenizer(self._prepare(text)).input_ids)

    def _prepare(self, text: str) -> str:
        """The text as the model expects it: whitespace collapsed (one line)."""
        return " ".join(text.split())

    def _encode_checked(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids per text; an over-long text is an error (callers split, nothing is truncated)."""
        encoded = [self.tokenizer(self._prepare(text)).input_ids for text in texts]
        limit = self.max_input_tokens
        for index, ids in enumerate(encoded):
            if len(ids) > limit:
                raise ValueError(
                    f"{self.task} input {index} has {len(ids)} tokens, over {self.model_name}'s limit of {limit}; "
                    "the stage must split it (inputs are never truncated)"
                )
        return encoded

    def _decode(self, ids: list[int]) -> str:
        return " ".join(self.tokenizer.decode(ids, skip_special_tokens=True).split())


class Seq2SeqTranslator(Seq2SeqEngine):
    """Sentence-level translation: length-sorted batches, proportional output limit, loop guard."""

    task = "translation"

    @property
    def source_languages(self) -> tuple[str, ...]:
        """The languages this checkpoint reads, as the router asks a model the registry does not describe.

        The languages it was chosen for, else what its tokenizer says (opus-mt's `source_lang`: an
        ISO 639-1 code, or "mul" for a many-to-English model), else French.
        """
        if self.choice.languages:
            return self.choice.languages
        declared = str(read_checkpoint_json(self.model_dir / "tokenizer_config.json").get("source_lang", ""))
        if declared == "mul":
            return ("*",)
        return (declared,) if len(declared) == 2 and declared.isalpha() else ("fr",)

    def signature(self) -> Signature:
        return self._engine_signature().extend(
            max_new=f"{_OUTPUT_PER_INPUT_TOKEN}x+{_OUTPUT_MARGIN_TOKENS}",
            loop_guard=f"{LOOP_REPEATS}x{LOOP_MAX_NGRAM}->nr{LOOP_RETRY_NO_REPEAT_NGRAM}",
            v=_SIGNATURE_VERSION,
        )

    def translate(self, sentences: Sequence[str]) -> list[str]:
        results = [""] * len(sentences)
        todo = [i for i, sentence in enumerate(sentences) if sentence.strip()]
        if not todo:
            return results
        encoded = self._encode_checked([sentences[i] for i in todo])
        outputs = self._translate_ids(encoded)
        looping = [k for k, ids in enumerate(outputs) if has_repetition_loop(ids)]
        if looping:
            retried = self._translate_ids([encoded[k] for k in looping], no_repeat_ngram_size=LOOP_RETRY_NO_REPEAT_NGRAM)
            for k, ids in zip(looping, retried):
                outputs[k] = ids
        for k, ids in zip(todo, outputs):
            results[k] = self._decode(ids)
        return results

    def _translate_ids(self, encoded: list[list[int]], **overrides) -> list[list[int]]:
        """Output ids per input, each within its own length limit whatever it was batched with.

        The batch runs to its longest input's limit and each row is then cut to its own; EOS is
        not forced at the limit, so a cut row equals what the input would give alone (greedy).
        """
        limits = [self._output_limit(len(ids)) for ids in encoded]
        outputs: list[list[int]] = [[] for _ in encoded]
        for batch in self._batches([len(ids) for ids in encoded]):
            longest_limit = max(limits[i] for i in batch)
            generated = self._generate(
                [encoded[i] for i in batch], max_new_tokens=longest_limit, forced_eos_token_id=None, **overrides
            )
            for i, ids in zip(batch, generated):
                outputs[i] = ids[: limits[i]]
        return outputs

    def _output_limit(self, input_tokens: int) -> int:
        return min(self._max_output_tokens, math.ceil(_OUTPUT_PER_INPUT_TOKEN * input_tokens) + _OUTPUT_MARGIN_TOKENS)


class Seq2SeqSummarizer(Seq2SeqEngine):
    """Abstractive summaries with the checkpoint's own generation settings and a word budget."""

    task = "summary"
    task_params_key = "summarization"

    def signature(self) -> Signature:
        return self._engine_signature().extend(tokens_per_word=_TOKENS_PER_WORD, min_share=_MIN_SHARE, v=_SIGNATURE_VERSION)

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        results = [""] * len(texts)
        todo = [i for i, text in enumerate(texts) if text.strip()]
        if not todo:
            return results
        encoded = self._encode_checked([texts[i] for i in todo])
        max_new = min(self._max_output_tokens, math.ceil(max_words * _TOKENS_PER_WORD) + 2)
        for batch in self._batches([len(ids) for ids in encoded]):
            shortest = min(len(encoded[i]) for i in batch)
            min_new = min(math.ceil(max_new * _MIN_SHARE), shortest // 2)
            generated = self._generate([encoded[i] for i in batch], max_new_tokens=max_new, min_new_tokens=min_new)
            for i, ids in zip(batch, generated):
                results[todo[i]] = self._decode(ids)
        return results

    def _prepare(self, text: str) -> str:
        """Whitespace collapsed, with the checkpoint's task prefix (e.g. T5's "summarize: ")."""
        task_params = (self._config.get("task_specific_params") or {}).get(self.task_params_key, {})
        prefix = (task_params.get("prefix") or self._config.get("prefix") or "").strip()
        return f"{prefix} {super()._prepare(text)}" if prefix else super()._prepare(text)

    def _decode(self, ids: list[int]) -> str:
        # PEGASUS checkpoints write "<n>" for newlines.
        return " ".join(super()._decode(ids).replace("<n>", " ").split())

