"""What every neural engine shares, whatever the model family: one checkpoint, its tokenizer, batching.

A model family (seq2seq.py: Marian/BART-style encoder-decoders; causal.py: instruct LLMs driven
through their chat template) is a subclass of `ModelEngine` that owns prompts, output lengths and
decoding rules; an engine (transformers.py, ct2.py) supplies the abstract hooks below: where the
checkpoint's files are and what identifies them, placement and precision, loading the source
model's Hugging Face tokenizer, decoding one batch of token ids (`_generate`), and describe().
Nothing here imports torch, transformers or ctranslate2 at module level: the tokenizer loads on
first use.
"""

from __future__ import annotations

import math
from collections import Counter
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Sequence

from summarize.errors import BackendError, first_line
from summarize.models import ModelChoice
from summarize.options import Options
from summarize.signature import Signature

# An output whose tail repeats one n-gram (n <= 8 tokens) this many times in a row is a
# hallucinated loop, a known failure of small models on noisy input; engines regenerate it with
# repeated 3-grams banned.
LOOP_REPEATS = 4
LOOP_MAX_NGRAM = 8
LOOP_RETRY_NO_REPEAT_NGRAM = 3

# Process-level tokenizer cache, keyed by (engine, directory): articles, clusters and both roles reuse them.
_TOKENIZERS: dict[tuple[str, str], object] = {}
# What this process loaded, counted by "engine task what" (e.g. "transformers translation model"):
# a batch worker reports it, so tests and benchmarks can see that each worker loads each model once.
LOADS: Counter[str] = Counter()


class ModelEngine(ABC):
    """One checkpoint behind some engine: identity, tokenizer, length-sorted batching, signature parts."""

    engine: str  # the engine's name, first in every signature and in describe()
    precision_label: str  # what placement[1] is called in the signature: a torch "dtype", a ct2 "quant"
    token_budget: dict[str, int]  # per device: the most padded tokens (x beams) in one batch
    task = "model"

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
        """Decode one batch of token ids like transformers' generate(**settings) would; the new ids per input."""

    # ---- shared ----------------------------------------------------------------------------------
    def _family_description(self) -> dict:
        """What the model family adds to describe() (a causal model: its prompts and decoding)."""
        return {}

    @property
    def beams(self) -> int:
        """Beam size this engine decodes with."""
        return self.options.beams

    def _engine_signature(self) -> Signature:
        """What identifies this engine's computation: engine, task, model, revision, precision, beams."""
        return Signature(
            engine=self.engine,
            task=self.task,
            model=self.model_name,
            rev=self.revision,
            **{self.precision_label: self.placement[1]},
            beams=self.beams,
        )

    @property
    def tokenizer(self):
        key = (self.engine, str(self.model_dir))
        if key not in _TOKENIZERS:
            _TOKENIZERS[key] = self._load_with_transformers("tokenizer", self._load_tokenizer)
            self._count_load("tokenizer")
        return _TOKENIZERS[key]

    def _count_load(self, what: str) -> None:
        LOADS[f"{self.engine} {self.task} {what}"] += 1

    def _batches(self, lengths: Sequence[int]) -> list[list[int]]:
        """Indices grouped into batches of similar length under the token budget, longest first.

        Where the engine caps the rows of a batch, a larger batch is split evenly into parts within
        the cap: rows come longest first, so each part also decodes to a shorter length limit.
        """
        budget = self.token_budget.get(self.placement[0].split(":")[0], self.token_budget["cpu"])
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        batches: list[list[int]] = []
        for index in order:
            if batches and (len(batches[-1]) + 1) * lengths[batches[-1][0]] * self.beams <= budget:
                batches[-1].append(index)
            else:
                batches.append([index])
        cap = self._max_batch_rows()
        if cap is None:
            return batches
        split = []
        for batch in batches:
            size = math.ceil(len(batch) / math.ceil(len(batch) / cap))
            split.extend(batch[start : start + size] for start in range(0, len(batch), size))
        return split

    def _max_batch_rows(self) -> int | None:
        """The most inputs decoded together on this engine's device (None: only the token budget counts)."""
        return None

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


def has_repetition_loop(ids: Sequence[int], repeats: int = LOOP_REPEATS, max_ngram: int = LOOP_MAX_NGRAM) -> bool:
    """True when the sequence contains some n-gram (n <= max_ngram) repeated `repeats` times in a row."""
    ids = list(ids)
    for n in range(1, max_ngram + 1):
        for start in range(len(ids) - n * repeats + 1):
            unit = ids[start : start + n]
            if all(ids[start + k * n : start + (k + 1) * n] == unit for k in range(1, repeats)):
                return True
    return False
