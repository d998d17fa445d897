"""Neural backend on Hugging Face transformers: Marian-style translation and BART-family summaries.

Any seq2seq checkpoint that `AutoModelForSeq2SeqLM` loads works; its own generation config (or,
for older checkpoints, the generation settings in its config.json) is the starting point, and
only the beam size, output lengths and the loop guard are set here. Constructing the engines is
cheap; `signature()` only locates the weights (summarize/models.py, no torch); the tokenizer and
model load on first use and stay in a process-level cache keyed by (model dir, device, dtype), so
articles and clusters reuse them and a fully cached run never imports torch or transformers.
Inputs are never truncated: a text longer than the model's input limit is an error, because the
stages split sentences and chunk articles before calling in.
"""

from __future__ import annotations

import json
import math
import os
import re
from functools import cached_property
from pathlib import Path
from typing import Sequence

from summarize.backends.base import BackendError
from summarize.models import ModelChoice, choose_model, resolve_model, revision_label
from summarize.options import Options

ENGINE = "transformers"
# Batches hold at most this many (padded source tokens x beams); larger batches amortise
# per-step overhead, smaller ones waste less on padding and early finishers. On 2 CPU cores,
# opus-mt-fr-en shape, beam 4: 2048-4096 is best, 16384 about 20% slower.
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
# Model families whose activations overflow in float16; on GPU they run in bfloat16.
_FP16_UNSAFE = {"pegasus", "pegasus_x", "t5", "mt5", "longt5"}
# Generation settings that older checkpoints keep in config.json (top level or under
# task_specific_params) rather than in generation_config.json; transformers 5 no longer reads them
# there, so they are passed to generate() explicitly.
_LEGACY_GENERATION_KEYS = ("length_penalty", "no_repeat_ngram_size", "early_stopping", "repetition_penalty", "bad_words_ids")
_SIGNATURE_VERSION = 1

# Process-level caches: models keyed by (model dir, device, dtype), tokenizers by model dir.
_MODELS: dict[tuple[str, str, str], object] = {}
_TOKENIZERS: dict[str, object] = {}


class _TransformersEngine:
    """What the translator and summariser share: locating, describing and loading one checkpoint."""

    engine = ENGINE
    precision_label = "dtype"  # what placement[1] is: a torch dtype here, a quantisation for ct2
    task = "model"
    task_params_key: str | None = None  # this task's entry in config.json's task_specific_params

    def __init__(self, choice: ModelChoice, options: Options):
        self.choice = choice
        self.options = options

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
        return _read_json(self.model_dir / "config.json")

    @cached_property
    def placement(self) -> tuple[str, str]:
        """(device, dtype) this engine runs with, decided without importing torch."""
        return _placement(self.options.device, self._config.get("model_type", ""))

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
        declared = _read_json(self.model_dir / "tokenizer_config.json").get("model_max_length")
        if isinstance(declared, (int, float)) and 0 < declared < limit:
            limit = int(declared)
        return limit

    @property
    def model_name(self) -> str:
        """Hub id as given, or the directory name for local checkpoints (the fingerprint is the revision)."""
        return self.model_dir.name if self.revision.startswith("local-") else self.choice.spec

    def _signature_parts(self) -> list[str]:
        return [
            f"engine:{self.engine}",
            f"task:{self.task}",
            f"model:{self.model_name}",
            f"rev:{self.revision}",
            f"{self.precision_label}:{self.placement[1]}",
            f"beams:{self.options.beams}",
        ]

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

    # ---- loading (torch) ----------------------------------------------------------------------
    @property
    def tokenizer(self):
        key = str(self.model_dir)
        if key not in _TOKENIZERS:
            _TOKENIZERS[key] = _load(self, "tokenizer", lambda transformers: transformers.AutoTokenizer.from_pretrained(key))
        return _TOKENIZERS[key]

    @property
    def model(self):
        device, dtype = self.placement
        key = (str(self.model_dir), device, dtype)
        if key not in _MODELS:
            _MODELS[key] = _load(self, "model", lambda transformers: _load_model(transformers, key))
        return _MODELS[key]

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

    def _decode(self, ids: list[int]) -> str:
        return " ".join(self.tokenizer.decode(ids, skip_special_tokens=True).split())

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Indices grouped into batches of similar length under the token budget, longest first."""
        budget = _TOKEN_BUDGET.get(self.placement[0].split(":")[0], _TOKEN_BUDGET["cpu"])
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        batches: list[list[int]] = []
        for index in order:
            if batches and (len(batches[-1]) + 1) * lengths[batches[-1][0]] * self.options.beams <= budget:
                batches[-1].append(index)
            else:
                batches.append([index])
        return batches

    @property
    def _max_output_tokens(self) -> int:
        """The longest output the decoder supports."""
        return int(self._config.get("max_position_embeddings") or 512) - 1


class TransformersTranslator(_TransformersEngine):
    """Sentence-level translation: length-sorted batches, proportional output limit, loop guard."""

    task = "translation"

    def signature(self) -> str:
        return "|".join(
            self._signature_parts()
            + [
                f"max_new:{_OUTPUT_PER_INPUT_TOKEN}x+{_OUTPUT_MARGIN_TOKENS}",
                f"loop_guard:{_LOOP_REPEATS}x{_LOOP_MAX_NGRAM}->nr{_LOOP_RETRY_NO_REPEAT_NGRAM}",
                f"v:{_SIGNATURE_VERSION}",
            ]
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


class TransformersSummarizer(_TransformersEngine):
    """Abstractive summaries with the checkpoint's own generation settings and a word budget."""

    task = "summary"
    task_params_key = "summarization"

    def signature(self) -> str:
        return "|".join(
            self._signature_parts()
            + [f"tokens_per_word:{_TOKENS_PER_WORD}", f"min_share:{_MIN_SHARE}", f"v:{_SIGNATURE_VERSION}"]
        )

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


def strip_padding(ids: list[int], pad_token_id: int | None) -> list[int]:
    """`ids` without the trailing pad tokens generate() adds to rows that ended before the longest."""
    end = len(ids)
    while end and ids[end - 1] == pad_token_id:
        end -= 1
    return ids[:end]


def has_repetition_loop(ids: Sequence[int], repeats: int = _LOOP_REPEATS, max_ngram: int = _LOOP_MAX_NGRAM) -> bool:
    """True when the sequence contains some n-gram (n <= max_ngram) repeated `repeats` times in a row."""
    ids = list(ids)
    for n in range(1, max_ngram + 1):
        for start in range(len(ids) - n * repeats + 1):
            unit = ids[start : start + n]
            if all(ids[start + k * n : start + (k + 1) * n] == unit for k in range(1, repeats)):
                return True
    return False


def make_backends(options: Options):
    """Translator and summariser for `options` (cheap: nothing is located or loaded yet)."""
    from summarize.backends import Backends

    return Backends(
        TransformersTranslator(choose_model(options, "translation"), options),
        TransformersSummarizer(choose_model(options, "summary"), options),
    )


def _placement(requested: str, model_type: str) -> tuple[str, str]:
    """(device, dtype) for a device request: GPU in half precision when available, else CPU float32.

    "auto" picks CUDA when torch was built with CUDA/ROCm and a GPU device node is visible,
    checked without importing torch; `_load_model` confirms it.
    """
    device = (requested or "auto").lower()
    if device == "auto":
        device = "cuda" if _cuda_probably_available() else "cpu"
    if not re.fullmatch(r"cpu|mps|cuda(:\d+)?", device):
        raise BackendError(f"unknown device {requested!r}. Fix: pass --device auto, cpu, cuda, cuda:N or mps")
    if device == "cpu":
        return device, "float32"
    return device, "bfloat16" if model_type in _FP16_UNSAFE else "float16"


def _cuda_probably_available() -> bool:
    """Whether torch could use a GPU here: a CUDA/ROCm torch build and a visible device, without importing torch."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", "unset").strip() in ("", "-1"):
        return False
    from importlib.util import find_spec

    spec = find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return False
    version_file = Path(next(iter(spec.submodule_search_locations))) / "version.py"
    try:
        built_for_gpu = re.search(r"^(cuda|hip)\b.*=\s*['\"]", version_file.read_text(), re.MULTILINE) is not None
    except OSError:
        return False
    return built_for_gpu and (any(Path("/dev").glob("nvidia[0-9]*")) or Path("/dev/kfd").exists())


def _load(engine: _TransformersEngine, what: str, loader):
    """Import transformers quietly and run `loader`, turning load failures into one-line BackendErrors."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    try:
        return loader(transformers)
    except BackendError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise BackendError(
            f"cannot load the {engine.task} {what} from {engine.model_dir}: {reason}. Fix: check that {engine.choice.option} "
            f"points at a complete save_pretrained directory (or re-run `summarize models pull`)"
        ) from None


def _load_model(transformers, key: tuple[str, str, str]):
    import torch

    path, device, dtype = key
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise BackendError(f"device {device} was chosen but torch cannot use a GPU here. Fix: pass --device cpu")
    if device == "cpu":
        torch.set_num_threads(_cpu_threads())
    model = transformers.AutoModelForSeq2SeqLM.from_pretrained(path, dtype=getattr(torch, dtype))
    return model.to(device).eval()


def _cpu_threads() -> int:
    """OMP_NUM_THREADS when the user set it, else every core this process may run on."""
    requested = os.environ.get("OMP_NUM_THREADS", "")
    if requested.isdigit() and int(requested) > 0:
        return int(requested)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise BackendError(f"cannot read {path}: {error}. Fix: re-save or re-download the checkpoint") from None
