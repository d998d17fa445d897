"""Neural backend on Hugging Face transformers: seq2seq models (Marian, BART) and instruct LLMs.

Any seq2seq checkpoint that `AutoModelForSeq2SeqLM` loads works, its own generation config (or,
for older checkpoints, the generation settings in its config.json) being the starting point; any
chat model that `AutoModelForCausalLM` loads works as translator and summariser. The family is
read from the checkpoint's config.json (summarize.models.model_family). This module is the
transformers implementation of the engine hooks (engine.py; the families in seq2seq.py and
causal.py own tokenisation, prompts, batching, output lengths, the loop guard and the signature):
it locates the checkpoint, places it (device, torch dtype) and decodes a batch with generate(). Constructing
the engines is cheap; `signature()` only locates the weights (summarize/models.py, no torch); the
tokenizer and model load on first use and stay in a process-level cache keyed by (model dir,
device, dtype), so articles and clusters reuse them and a fully cached run never imports torch
or transformers. One model serving both roles is loaded once.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from summarize.backends.base import BackendError, Backends
from summarize.backends.causal import CausalEngine, CausalSummarizer, CausalTranslator
from summarize.backends.engine import ModelEngine
from summarize.backends.router import routed_translator
from summarize.backends.seq2seq import Seq2SeqEngine, Seq2SeqSummarizer, Seq2SeqTranslator
from summarize.devices import cpu_threads, nvidia_gpu_visible, rocm_gpu_visible, torch_built_for_gpu
from summarize.models import CAUSAL, SEQ2SEQ, ModelChoice, choose_model, family_of, read_checkpoint_json, resolve_model, revision_label
from summarize.options import Options

ENGINE = "transformers"
# Model families whose activations overflow in float16; on GPU they run in bfloat16.
_FP16_UNSAFE = {"pegasus", "pegasus_x", "t5", "mt5", "longt5"}

# Process-level model cache, keyed by (model dir, device, dtype).
_MODELS: dict[tuple[str, str, str], object] = {}


class _TransformersModel(ModelEngine):
    """The transformers hooks every family shares: locating, describing and loading one checkpoint."""

    engine = ENGINE
    precision_label = "dtype"
    auto_class: str  # the transformers Auto* class that loads this family

    # ---- cheap facts (no torch) -------------------------------------------------------------
    @cached_property
    def model_dir(self) -> Path:
        """Local checkpoint directory (may download on first use; see summarize.models)."""
        return resolve_model(self.choice.spec, self.choice.revision, self.options, task=self.task)

    @cached_property
    def revision(self) -> str:
        return revision_label(self.model_dir)

    @cached_property
    def _config(self) -> dict:
        return read_checkpoint_json(self.model_dir / "config.json")

    @cached_property
    def placement(self) -> tuple[str, str]:
        """(device, dtype) this engine runs with, decided without importing torch."""
        return _placement(self.options.device, self._config.get("model_type", ""), isinstance(self, CausalEngine))

    @property
    def model_name(self) -> str:
        """Hub id as given, or the directory name for local checkpoints (the fingerprint is the revision)."""
        return self.model_dir.name if self.revision.startswith("local-") else self.choice.spec

    def describe(self) -> dict:
        device, dtype = self.placement
        return {
            "engine": ENGINE,
            "model": self.model_name,
            "revision": self.revision,
            "path": str(self.model_dir),
            "device": device,
            "dtype": dtype,
            "beams": self.beams,
            **self._family_description(),
        }

    # ---- loading and decoding (torch) -------------------------------------------------------------
    def _load_tokenizer(self, transformers):
        return transformers.AutoTokenizer.from_pretrained(str(self.model_dir))

    @property
    def model(self):
        device, dtype = self.placement
        key = (str(self.model_dir), device, dtype)
        if key not in _MODELS:
            _MODELS[key] = self._load_with_transformers("model", lambda transformers: _load_model(transformers, self.auto_class, key))
            self._count_load("model")
        return _MODELS[key]


class _TransformersEngine(_TransformersModel, Seq2SeqEngine):
    """A seq2seq checkpoint decoded by generate()."""

    auto_class = "AutoModelForSeq2SeqLM"

    def _generate(self, encoded: list[list[int]], **settings) -> list[list[int]]:
        """Run generate() on one batch of token ids, returning the new token ids per input.

        The checkpoint's generation config is the base; `settings` (and the beam size) override
        it as generate() keyword arguments, the only way a None can switch a setting off.
        """
        import torch

        tokenizer, model = self.tokenizer, self.model
        batch = tokenizer.pad({"input_ids": encoded}, return_tensors="pt").to(model.device)
        settings = {
            **self.legacy_generation_settings,
            "num_beams": self.options.beams,
            "max_length": None,
            "min_length": 0,
            **settings,
        }
        if self.options.beams == 1:
            settings.update(early_stopping=False, length_penalty=1.0)
        with torch.inference_mode():
            output = model.generate(**batch, **settings)
        # drop the decoder start token, and the padding after an early end (it would read as a loop)
        return [strip_padding(row[1:], tokenizer.pad_token_id) for row in output.tolist()]


class TransformersTranslator(_TransformersEngine, Seq2SeqTranslator):
    """Sentence translation decoded by transformers' generate()."""


class TransformersSummarizer(_TransformersEngine, Seq2SeqSummarizer):
    """Abstractive summaries decoded by transformers' generate()."""


class _TransformersCausal(_TransformersModel, CausalEngine):
    """An instruct LLM decoded greedily by generate(), prompts left-padded into one batch."""

    auto_class = "AutoModelForCausalLM"

    def _generate(self, encoded: list[list[int]], **settings) -> list[list[int]]:
        """The new token ids per prompt, up to (not including) an end token."""
        import torch

        tokenizer, model = self.tokenizer, self.model
        ends = self.end_token_ids
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else ends[0]
        width = max(len(ids) for ids in encoded)
        input_ids = torch.tensor([[pad] * (width - len(ids)) + ids for ids in encoded], device=model.device)
        mask = torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for ids in encoded], device=model.device)
        with torch.inference_mode():
            output = model.generate(
                input_ids=input_ids,
                attention_mask=mask,
                do_sample=False,
                num_beams=1,
                temperature=None,
                top_p=None,
                top_k=None,
                eos_token_id=ends,
                pad_token_id=pad,
                **settings,
            )
        return [until_end(row[width:], ends) for row in output.tolist()]


class TransformersCausalTranslator(_TransformersCausal, CausalTranslator):
    """Passage translation by an instruct LLM on transformers."""


class TransformersCausalSummarizer(_TransformersCausal, CausalSummarizer):
    """Briefs by an instruct LLM on transformers."""


ENGINES = {
    ("translation", SEQ2SEQ): TransformersTranslator,
    ("summary", SEQ2SEQ): TransformersSummarizer,
    ("translation", CAUSAL): TransformersCausalTranslator,
    ("summary", CAUSAL): TransformersCausalSummarizer,
}


def strip_padding(ids: list[int], pad_token_id: int | None) -> list[int]:
    """`ids` without the trailing pad tokens generate() adds to rows that ended before the longest."""
    end = len(ids)
    while end and ids[end - 1] == pad_token_id:
        end -= 1
    return ids[:end]


def until_end(ids: list[int], end_ids: list[int]) -> list[int]:
    """`ids` up to the first end token (generate() pads rows that ended early with it or the pad token)."""
    for position, token in enumerate(ids):
        if token in end_ids:
            return ids[:position]
    return ids


def transformers_engine(options: Options, task: str, choice: ModelChoice | None = None):
    """The transformers engine for `task` (the model `choice`, by default the one `options` ask for), of
    the family the model's config.json names (cheap: reads configs only)."""
    choice = choice or choose_model(options, task)
    return ENGINES[task, family_of(choice, options)](choice, options)


def make_backends(options: Options) -> Backends:
    """Translator (a router of one engine per translation model) and summariser for `options` (cheap: nothing is loaded yet)."""
    return Backends(
        routed_translator(options, lambda choice: transformers_engine(options, "translation", choice), ENGINE),
        transformers_engine(options, "summary"),
    )


def _placement(device: str, model_type: str, causal: bool = False) -> tuple[str, str]:
    """(device, dtype) for a (validated) device request: GPU in half precision when available, else CPU float32.

    LLMs are trained and published in bfloat16, and some overflow in float16: on GPU they run in bfloat16.

    "auto" picks the GPU when torch was built with CUDA/ROCm and a GPU device node is visible,
    checked without importing torch; `_load_model` confirms it.
    """
    if device == "auto":
        device = "cuda" if torch_built_for_gpu() and (nvidia_gpu_visible() or rocm_gpu_visible()) else "cpu"
    if device == "cpu":
        return device, "float32"
    return device, "bfloat16" if causal or model_type in _FP16_UNSAFE else "float16"


def _load_model(transformers, auto_class: str, key: tuple[str, str, str]):
    import torch

    path, device, dtype = key
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise BackendError(f"device {device} was chosen but torch cannot use a GPU here. Fix: pass --device cpu")
    if device == "cpu":
        torch.set_num_threads(cpu_threads())
    model = getattr(transformers, auto_class).from_pretrained(path, dtype=getattr(torch, dtype))
    return model.to(device).eval()
