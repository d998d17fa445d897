"""What every neural engine shares: one seq2seq checkpoint, its tokenizer, batching and the two tasks.

An engine (transformers.py, ct2.py) is a small subclass of `Seq2SeqEngine` that supplies the
abstract hooks: where the checkpoint's files are and what identifies them, placement and
precision, loading the source model's Hugging Face tokenizer, decoding one batch of token ids
(`_generate`, with transformers' generate() keyword arguments), and describe(). Everything the
stages can observe is here, once: tokenisation and the input-limit check (inputs are never
truncated), length-sorted batching under a token budget, the translation output-length rule and
repetition-loop guard, the summary word budget, the generation settings older checkpoints keep in
config.json, and the signature. So every engine gives the stages identical inputs and outputs,
and the signatures differ only in the engine's name and precision.

`Seq2SeqTranslator` and `Seq2SeqSummarizer` add translate() and summarize() on top; an engine's
translator is `class XTranslator(XEngine, Seq2SeqTranslator)`. Nothing here imports torch,
transformers or ctranslate2 at module level: the tokenizer loads on first use.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Sequence

from summarize.errors import BackendError, first_line
from summarize.models import ModelChoice, read_checkpoint_json
from summarize.options import Options
from summarize.signature import Signature

# Batches hold at most this many (padded source tokens x beams); larger batches amortise
# per-step overhead, smaller ones waste less on padding and early finishers. On 2 CPU cores,
# opus-mt-fr-en shape, beam 4 (transformers): 2048-4096 is best, 16384 about 20% slower.
_TOKEN_BUDGET = {"cpu": 4096, "cuda": 65536, "mps": 16384}
# Translation output may grow to this many target tokens per source token (plus a margin):
# ample for fr->en, and it bounds any repetition loop.
_OUTPUT_PER_INPUT_TOKEN = 1.5
_OUTPUT_MARGIN_TOKENS = 10
# An output whose tail repeats one n-gram (n <= 8 tokens) this many times in a row is a
# hallucinated loop, a known opus-mt failure on noisy input; it is regenerated with repeated
# 3-grams banned.
_LOOP_REPEATS = 4
_LOOP_MAX_NGRAM = 8
_LOOP_RETRY_NO_REPEAT_NGRAM = 3
# English summaries: about 1.4 model tokens per word; at least half the budget is generated.
_TOKENS_PER_WORD = 1.4
_MIN_SHARE = 0.5
# Generation settings that older checkpoints keep in config.json (top level or under
# task_specific_params) rather than in generation_config.json; transformers 5 no longer reads them
# there, so engines pass them explicitly.
_LEGACY_GENERATION_KEYS = ("length_penalty", "no_repeat_ngram_size", "early_stopping", "repetition_penalty", "bad_words_ids")
_SIGNATURE_VERSION = 1

# Process-level tokenizer cache, keyed by (engine, directory): articles and clusters reuse them.
_TOKENIZERS: dict[tuple[str, str], object] = {}
# What this process loaded, counted by "engine task what" (e.g. "transformers translation model"):
# a batch worker reports it, so tests and benchmarks can see that each worker loads each model once.
LOADS: Counter[str] = Counter()


class Seq2SeqEngine(ABC):
    """One seq2seq checkpoint behind some engine: identity, tokenisation, batching, signature parts."""

    engine: str  # the engine's name, first in every signature and in describe()
    precision_label: str  # what placement[1] is called in the signature: a torch "dtype", a ct2 "quant"
    token_budget = _TOKEN_BUDGET  # per device: the most (padded source tokens x beams) in one batch
    task = "model"
    task_params_key: str | None = None  # this task's entry in config.json's task_specific_params

    def __init__(self, choice: ModelChoice, options: Options):
        self.choice = choice
        self.options = options

    # ---- what an engine supplies --------------------------------------------------------------
    @property
    @abstractmethod
    def model_dir(self) -> Path:
        """The directory the tokenizer files and generation config are read from."""

    @property
    @abstractmethod
    def revision(self) -> str:
        """What identifies the weights: a hub commit or a local content fingerprint."""

    @property
    @abstractmethod
    def model_name(self) -> str:
        """The model as signatures and outputs name it (hub id, or a local directory's name)."""

    @property
    @abstractmethod
    def _config(self) -> dict:
        """The source checkpoint's config.json."""

    @property
    @abstractmethod
    def placement(self) -> tuple[str, str]:
        """(device, precision) this engine runs with, decided without loading anything."""

    @abstractmethod
    def describe(self) -> dict:
        """What ran, for `run.models` in cluster.json."""

    @abstractmethod
    def _load_tokenizer(self, transformers):
        """The source model's Hugging Face tokenizer, given the (quietly imported) transformers module."""

    @abstractmethod
    def _generate(self, encoded: list[list[int]], **settings) -> list[list[int]]:
        """Decode one batch of token ids like transformers' generate(**settings) would.

        Returns the new token ids per input (decoder start token and padding dropped); the
        checkpoint's generation settings are the base, `settings` override them.
        """

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

    def _engine_signature(self) -> Signature:
        """What identifies this engine's computation: engine, task, model, revision, precision, beams."""
        return Signature(
            engine=self.engine,
            task=self.task,
            model=self.model_name,
            rev=self.revision,
            **{self.precision_label: self.placement[1]},
            beams=self.options.beams,
        )

    # ---- tokenisation and batching ----------------------------------------------------------------
    @property
    def tokenizer(self):
        key = (self.engine, str(self.model_dir))
        if key not in _TOKENIZERS:
            _TOKENIZERS[key] = self._load_with_transformers("tokenizer", self._load_tokenizer)
            self._count_load("tokenizer")
        return _TOKENIZERS[key]

    def _count_load(self, what: str) -> None:
        LOADS[f"{self.engine} {self.task} {what}"] += 1

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

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Indices grouped into batches of similar length under the token budget, longest first."""
        budget = self.token_budget.get(self.placement[0].split(":")[0], self.token_budget["cpu"])
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        batches: list[list[int]] = []
        for index in order:
            if batches and (len(batches[-1]) + 1) * lengths[batches[-1][0]] * self.options.beams <= budget:
                batches[-1].append(index)
            else:
                batches.append([index])
        return batches

    def _load_with_transformers(self, what: str, loader):
        """Import transformers quietly and run `loader(transformers)`, turning load failures into one-line BackendErrors."""
        import transformers

        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        try:
            return loader(transformers)
        except BackendError:
            raise
        except (OSError, ValueError, KeyError, RuntimeError, ImportError) as error:
            raise BackendError(
                f"cannot load the {self.task} {what} from {self.model_dir}: {first_line(error)}. Fix: check that {self.choice.option} "
                f"points at a complete save_pretrained directory (or re-run `summarize models pull`)"
            ) from None


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
            loop_guard=f"{_LOOP_REPEATS}x{_LOOP_MAX_NGRAM}->nr{_LOOP_RETRY_NO_REPEAT_NGRAM}",
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
            retried = self._translate_ids([encoded[k] for k in looping], no_repeat_ngram_size=_LOOP_RETRY_NO_REPEAT_NGRAM)
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


def has_repetition_loop(ids: Sequence[int], repeats: int = _LOOP_REPEATS, max_ngram: int = _LOOP_MAX_NGRAM) -> bool:
    """True when the sequence contains some n-gram (n <= max_ngram) repeated `repeats` times in a row."""
    ids = list(ids)
    for n in range(1, max_ngram + 1):
        for start in range(len(ids) - n * repeats + 1):
            unit = ids[start : start + n]
            if all(ids[start + k * n : start + (k + 1) * n] == unit for k in range(1, repeats)):
                return True
    return False
