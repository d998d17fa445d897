"""Neural backend on Hugging Face transformers: Marian-style translation and BART-family summaries.

Any seq2seq checkpoint that `AutoModelForSeq2SeqLM` loads works; its own generation config (or,
for older checkpoints, the generation settings in its config.json) is the starting point. This
module is the transformers implementation of the shared engine (summarize/backends/seq2seq.py,
which owns tokenisation, batching, output lengths, the loop guard and the signature): it locates
the checkpoint, places it (device, torch dtype) and decodes a batch with generate(). Constructing
the engines is cheap; `signature()` only locates the weights (summarize/models.py, no torch); the
tokenizer and model load on first use and stay in a process-level cache keyed by (model dir,
device, dtype), so articles and clusters reuse them and a fully cached run never imports torch
or transformers.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from summarize.backends.base import BackendError, Backends
from summarize.backends.router import routed_translator
from summarize.backends.seq2seq import Seq2SeqEngine, Seq2SeqSummarizer, Seq2SeqTranslator
from summarize.devices import cpu_threads, nvidia_gpu_visible, rocm_gpu_visible, torch_built_for_gpu
from summarize.models import choose_model, read_checkpoint_json, resolve_model, revision_label
from summarize.options import Options

ENGINE = "transformers"
# Model families whose activations overflow in float16; on GPU they run in bfloat16.
_FP16_UNSAFE = {"pegasus", "pegasus_x", "t5", "mt5", "longt5"}

# Process-level model cache, keyed by (model dir, device, dtype).
_MODELS: dict[tuple[str, str, str], object] = {}


class _TransformersEngine(Seq2SeqEngine):
    """The transformers hooks: locating and describing one checkpoint, loading it, generate()."""

    engine = ENGINE
    precision_label = "dtype"

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
        return _placement(self.options.device, self._config.get("model_type", ""))

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
            "beams": self.options.beams,
        }

    # ---- loading and decoding (torch) -------------------------------------------------------------
    def _load_tokenizer(self, transformers):
        return transformers.AutoTokenizer.from_pretrained(str(self.model_dir))

    @property
    def model(self):
        device, dtype = self.placement
        key = (str(self.model_dir), device, dtype)
        if key not in _MODELS:
            _MODELS[key] = self._load_with_transformers("model", lambda transformers: _load_model(transformers, key))
            self._count_load("model")
        return _MODELS[key]

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


def strip_padding(ids: list[int], pad_token_id: int | None) -> list[int]:
    """`ids` without the trailing pad tokens generate() adds to rows that ended before the longest."""
    end = len(ids)
    while end and ids[end - 1] == pad_token_id:
        end -= 1
    return ids[:end]


def make_backends(options: Options) -> Backends:
    """Translator and summariser for `options` (cheap: nothing is located or loaded yet)."""
    return Backends(
        routed_translator(options, lambda choice: TransformersTranslator(choice, options), ENGINE),
        TransformersSummarizer(choose_model(options, "summary"), options),
    )


def _placement(device: str, model_type: str) -> tuple[str, str]:
    """(device, dtype) for a (validated) device request: GPU in half precision when available, else CPU float32.

    "auto" picks the GPU when torch was built with CUDA/ROCm and a GPU device node is visible,
    checked without importing torch; `_load_model` confirms it.
    """
    if device == "auto":
        device = "cuda" if torch_built_for_gpu() and (nvidia_gpu_visible() or rocm_gpu_visible()) else "cpu"
    if device == "cpu":
        return device, "float32"
    return device, "bfloat16" if model_type in _FP16_UNSAFE else "float16"


def _load_model(transformers, key: tuple[str, str, str]):
    import torch

    path, device, dtype = key
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise BackendError(f"device {device} was chosen but torch cannot use a GPU here. Fix: pass --device cpu")
    if device == "cpu":
        torch.set_num_threads(cpu_threads())
    model = transformers.AutoModelForSeq2SeqLM.from_pretrained(path, dtype=getattr(torch, dtype))
    return model.to(device).eval()
