"""CTranslate2 engine: the seq2seq and causal families (seq2seq.py, causal.py) decoded by ctranslate2.

The classes here implement the engine hooks of summarize/backends/engine.py: where the weights
come from, placement (device, quantisation), loading the source model's HF tokenizer without
torch, and decoding a batch of token ids (a seq2seq model with `Translator.translate_batch`, an
instruct LLM with `Generator.generate_batch`, its prompts' shared prefix passed as a cached
static prompt). Tokenisation, prompts, batching, output-length rules, the repetition-loop guard
and decoding of the output are the families' code, so this engine and the transformers one give
the stages identical inputs and outputs. Seq2seq decoding settings come from the
checkpoint's generation config as transformers would apply them (beams, length penalty,
no-repeat n-grams, forced BOS/EOS); lengths are mapped onto CTranslate2's conventions (its length
counts a target prefix and never the end token).

Weights: a converted directory (summarize/convert.py) when one matches the source model at the
chosen quantisation (`--quantization`, else the device default), else the local Hugging Face
checkpoint is converted on first use. Construction is a filesystem check; ctranslate2 and the
tokenizer load on the first cache miss (the tokenizer without torch), and a loaded model is kept
per process, keyed by (directory, device, compute type): one model serving both roles loads once.
"""

from __future__ import annotations

import re
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path

from summarize.backends.base import BackendError, Backends
from summarize.backends.causal import CausalEngine, CausalSummarizer, CausalTranslator
from summarize.backends.engine import ModelEngine
from summarize.backends.router import routed_translator
from summarize.backends.seq2seq import Seq2SeqEngine, Seq2SeqSummarizer, Seq2SeqTranslator
from summarize.convert import (
    MANIFEST,
    SOURCE_CONFIG,
    Source,
    convert,
    converted_name,
    ct2_root,
    ensure_convertible,
    find_converted,
    locate_source,
    read_manifest,
    source_id,
)
from summarize.devices import cpu_threads, ct2_device, default_quantization
from summarize.errors import first_line
from summarize.models import CAUSAL, SEQ2SEQ, ModelChoice, choose_model, model_family, read_checkpoint_json
from summarize.options import Options

ENGINE = "ct2"
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
# Tokenizer classes by model type, for checkpoints whose tokenizer_config.json does not name one.
_TOKENIZER_CLASSES = {"marian": "MarianTokenizer", "bart": "BartTokenizer"}

# Beam hypotheses decoded together. On CPU, the seed cluster's 75 sentences at beam 4 (opus-mt-fr-en
# shape, int8, 2 cores, outputs of real length) take 11.9 s at 128, 12.7 s at 64, 14.6 s at 32 and
# 17.6 s at 256; outputs running to the length limit take about as long at 32 as at 128. 64 keeps
# a batch's key/value caches near 0.25 GB (128: about 0.45 GB, which pushed a seed run's peak RSS
# to 1.47 GB).
_HYPOTHESES_PER_BATCH = {"cpu": 64, "cuda": 512}
# (padded source tokens x beams) per batch. CTranslate2's decoder is memory-bound on CPU, so whole
# articles batch well: five 420-token articles at beam 4 take 5.5 s together and 14.6 s one by one;
# five 1000-token chunks take 16.9 s one by one, 11.4 s three at a time and 10.9 s all together
# (distilbart-cnn-12-6 shape, int8, 2 cores). 12288 holds three full 1024-token chunks at beam 4;
# four (16384) pushed a seed run's peak RSS to 1.45 GB for a second's gain.
_TOKEN_BUDGET = {"cpu": 12288, "cuda": 65536}

# The shared prefix of a batch's prompts (the system turn) is passed to CTranslate2 as a static
# prompt, whose model state it caches across batches, when it is at least this long.
_MIN_STATIC_PROMPT_TOKENS = 8

# Process-level cache: loaded models keyed by (directory, device, compute type).
_MODELS: dict[tuple[str, str, str], object] = {}


class _CT2Model(ModelEngine):
    """The CTranslate2 hooks every family shares: converted weights, placement and identity, loading."""

    engine = ENGINE
    precision_label = "quant"
    ct2_class: str  # the ctranslate2 class that runs this family: Translator or Generator

    def __init__(
        self,
        choice: ModelChoice,
        options: Options,
        source: Source | None,
        converted: Path | None,
        device: str,
        quantization: str,
    ):
        super().__init__(choice, options)
        self.source = source
        self.converted = converted
        self.device = device
        self.quantization = quantization
        self.root = ct2_root(options)

    # ---- identity (cheap) ---------------------------------------------------------------------
    @cached_property
    def manifest(self) -> dict:
        return read_manifest(self.converted) if self.converted else {}

    @property
    def model_id(self) -> str:
        return self.source.model_id if self.source else self.manifest["source"]

    @cached_property
    def model_dir(self) -> Path:
        """Where the tokenizer and configs are read: the converted directory, else the source checkpoint."""
        return self.converted or self.source.path

    @cached_property
    def revision(self) -> str:
        return self.source.revision if self.source else self.manifest["revision"]

    @cached_property
    def _config(self) -> dict:
        """The source model's config.json (kept as source_config.json in a converted directory)."""
        return read_checkpoint_json(self.converted / SOURCE_CONFIG if self.converted else self.source.path / "config.json")

    @property
    def model_name(self) -> str:
        return Path(self.model_id).name if self.revision.startswith("local-") else self.model_id

    @property
    def placement(self) -> tuple[str, str]:
        return self.device, self.quantization

    def describe(self) -> dict:
        target = self.converted or self.root / converted_name(self.model_id, self.quantization)
        return {
            "engine": ENGINE,
            "model": self.model_name,
            "revision": self.revision,
            "path": str(target),
            "device": self.device,
            "quantization": self.quantization,
            "beams": self.beams,
            "converter": self.manifest.get("converter", "converted on first use"),
            **self._family_description(),
        }

    # ---- loading --------------------------------------------------------------------------------
    def _load_tokenizer(self, transformers):
        """The source model's HF tokenizer, loaded by its class name: transformers' Auto* classes import torch."""
        name = read_checkpoint_json(self.model_dir / "tokenizer_config.json").get("tokenizer_class")
        name = name or _TOKENIZER_CLASSES.get(self._config.get("model_type", ""), "AutoTokenizer")
        tokenizer_class = getattr(transformers, name, None) or transformers.AutoTokenizer
        return tokenizer_class.from_pretrained(str(self.model_dir))

    @property
    def model(self):
        """The ctranslate2 model (a Translator or a Generator), converting the source checkpoint first if needed.

        The device and quantisation are checked before converting, so an impossible request
        (float16 on a CPU, cuda without a GPU) fails at once and converts nothing.
        """
        key = (str(self.converted), self.device, self.quantization)
        if self.converted is None or key not in _MODELS:  # first use: check, convert if needed, load
            ctranslate2 = _ctranslate2_for(self.device, self.quantization)
            if self.converted is None:
                self.converted = convert(self.source, self.root, self.quantization)
                self.__dict__.pop("manifest", None)
                key = (str(self.converted), self.device, self.quantization)
            if key not in _MODELS:
                _MODELS[key] = _load_model(ctranslate2, self.ct2_class, *key)
                self._count_load("model")
        return _MODELS[key]


class _CT2Engine(_CT2Model, Seq2SeqEngine):
    """A seq2seq model on CTranslate2, decoded with translate_batch."""

    token_budget = _TOKEN_BUDGET
    ct2_class = "Translator"

    def _max_batch_rows(self) -> int:
        """At most `_HYPOTHESES_PER_BATCH` beams per batch: on CPU as fast per token, and it bounds the key/value caches."""
        return max(1, _HYPOTHESES_PER_BATCH.get(self.device, _HYPOTHESES_PER_BATCH["cpu"]) // self.beams)

    @cached_property
    def _generation(self) -> dict:
        """generate()'s base settings: the generation config, else config.json with its legacy settings."""
        return {**(read_checkpoint_json(self.model_dir / "generation_config.json") or self._config), **self.legacy_generation_settings}

    def _generate(self, encoded: list[list[int]], **overrides) -> list[list[int]]:
        """Decode one batch like transformers' generate(max_new_tokens, min_new_tokens, ...) would.

        Returns the generated token ids per input, as generate() does (forced BOS and EOS included)
        but without the padding generate() adds to rows that finish early.
        """
        settings = {**self._generation, "num_beams": self.options.beams, **overrides}
        if self.options.beams == 1:
            settings["length_penalty"] = 1.0

        def setting(name: str, default):
            value = settings.get(name)
            return default if value is None else value

        tokenizer = self.tokenizer
        # transformers counts a forced end token within max_new_tokens; CTranslate2 never counts
        # the end token. Both count a forced first token (CTranslate2's target prefix).
        forced_eos = settings.get("forced_eos_token_id")
        max_length = max(1, settings["max_new_tokens"] - (forced_eos is not None))
        bos = settings.get("forced_bos_token_id")
        prefix = [tokenizer.convert_ids_to_tokens(bos)] if bos is not None else None
        results = self.model.translate_batch(
            [tokenizer.convert_ids_to_tokens(ids) for ids in encoded],
            target_prefix=[prefix] * len(encoded) if prefix else None,
            beam_size=settings["num_beams"],
            length_penalty=float(setting("length_penalty", 1.0)),
            repetition_penalty=float(setting("repetition_penalty", 1.0)),
            no_repeat_ngram_size=int(setting("no_repeat_ngram_size", 0)),
            max_decoding_length=max_length,
            min_decoding_length=min(int(setting("min_new_tokens", 0)), max_length),
            max_input_length=0,  # the stages split and chunk; never truncate
            return_end_token=True,
        )
        outputs = [tokenizer.convert_tokens_to_ids(result.hypotheses[0]) for result in results]
        if forced_eos is not None:  # what generate() puts where the length limit cut the output
            outputs = [ids if ids[-1:] == [forced_eos] else ids + [forced_eos] for ids in outputs]
        return outputs


class CT2Translator(_CT2Engine, Seq2SeqTranslator):
    """Sentence translation on CTranslate2 (same batching, length rule and loop guard as transformers)."""


class CT2Summarizer(_CT2Engine, Seq2SeqSummarizer):
    """Abstractive summaries on CTranslate2 (same chunk inputs, word budget and settings as transformers)."""


class _CT2Causal(_CT2Model, CausalEngine):
    """An instruct LLM on CTranslate2, decoded greedily with generate_batch."""

    ct2_class = "Generator"

    def _generate(self, encoded: list[list[int]], **settings) -> list[list[int]]:
        """The new token ids per prompt, up to (not including) an end token.

        The prompts' common prefix (the system turn and the template around it) goes in as a static
        prompt: CTranslate2 computes its state once and reuses it for every later batch. It ends at
        a line break, so the words a batch's prompts happen to share ("1. Le") do not make each
        batch a static prompt of its own (CTranslate2 keeps every one it has seen).
        """
        tokenizer = self.tokenizer
        static = _common_prefix(encoded)
        while static and not tokenizer.decode(static[-1:]).endswith("\n"):
            static = static[:-1]
        if len(static) < _MIN_STATIC_PROMPT_TOKENS:
            static = []
        results = self.model.generate_batch(
            [tokenizer.convert_ids_to_tokens(ids[len(static) :]) for ids in encoded],
            static_prompt=tokenizer.convert_ids_to_tokens(static) if static else None,
            max_length=settings["max_new_tokens"],
            min_length=int(settings.get("min_new_tokens") or 0),
            beam_size=1,
            repetition_penalty=float(settings.get("repetition_penalty") or 1.0),
            no_repeat_ngram_size=int(settings.get("no_repeat_ngram_size") or 0),
            end_token=self.end_token_ids,
            include_prompt_in_result=False,
        )
        return [list(result.sequences_ids[0]) for result in results]


class CT2CausalTranslator(_CT2Causal, CausalTranslator):
    """Passage translation by an instruct LLM on CTranslate2."""


class CT2CausalSummarizer(_CT2Causal, CausalSummarizer):
    """Briefs by an instruct LLM on CTranslate2."""


ENGINES = {
    ("translation", SEQ2SEQ): CT2Translator,
    ("summary", SEQ2SEQ): CT2Summarizer,
    ("translation", CAUSAL): CT2CausalTranslator,
    ("summary", CAUSAL): CT2CausalSummarizer,
}


def plan_engine(options: Options, task: str, choice: ModelChoice | None = None) -> _CT2Model:
    """The ct2 engine for `task` (the model `choice`, by default the one `options` ask for), or
    BackendError saying why CTranslate2 cannot run it.

    Cheap: reads configs and manifests only. Uses a converted model at `options.quantization` (None:
    the device default) that matches the local checkpoint (or, without a local checkpoint, one
    converted from the same source at the pinned revision); with a local checkpoint but no matching
    conversion, converts on first use.
    """
    if find_spec("ctranslate2") is None:
        raise BackendError("ctranslate2 is not installed. Fix: pip install ctranslate2, or use --backend transformers")
    choice = choice or choose_model(options, task)
    device = ct2_device(options.device)
    quantization = (options.quantization or default_quantization(device)).value
    root = ct2_root(options)
    try:
        source = locate_source(choice.spec, choice.revision, options, task)
    except BackendError as missing:
        pinned = choice.revision if choice.revision and _COMMIT.match(choice.revision) else None
        converted = find_converted(root, source_id(choice.spec), quantization, pinned)
        if converted is None:
            raise missing
        engine_class = ENGINES[task, model_family(read_checkpoint_json(converted / SOURCE_CONFIG))]
        return engine_class(choice, options, source=None, converted=converted, device=device, quantization=quantization)
    ensure_convertible(source)
    converted = find_converted(root, source.model_id, quantization, source.revision)
    engine_class = ENGINES[task, model_family(read_checkpoint_json(source.path / "config.json"))]
    return engine_class(choice, options, source=source, converted=converted, device=device, quantization=quantization)


def make_backends(options: Options) -> Backends:
    """Translator and summariser on CTranslate2 (cheap: filesystem checks only)."""
    return Backends(
        routed_translator(options, lambda choice: plan_engine(options, "translation", choice), ENGINE),
        plan_engine(options, "summary"),
    )


def _ctranslate2_for(device: str, compute_type: str):
    """The ctranslate2 module, once it is known to run `compute_type` on `device` here."""
    try:
        import ctranslate2
    except ImportError:
        raise BackendError("ctranslate2 is not installed. Fix: pip install ctranslate2, or use --backend transformers") from None
    if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
        raise BackendError("device cuda was chosen but CTranslate2 sees no CUDA GPU here. Fix: pass --device cpu")
    supported = sorted(ctranslate2.get_supported_compute_types(device))
    if compute_type not in supported:
        raise BackendError(
            f"CTranslate2 cannot run {compute_type} on this {device} (it runs {', '.join(supported)} here). "
            f"Fix: pass --quantization {default_quantization(device)}, or leave --quantization out"
        )
    return ctranslate2


def _common_prefix(sequences: list[list[int]]) -> list[int]:
    """The longest prefix all sequences share, leaving each at least two tokens of its own.

    (When the shortest start sequence after a static prompt is one token long, CTranslate2 4.x
    returns the longer sequences' remaining prompt tokens as if they were generated.)
    """
    shortest = min(len(ids) for ids in sequences) - 2
    length = 0
    while length < shortest and all(ids[length] == sequences[0][length] for ids in sequences):
        length += 1
    return sequences[0][:length]


def _load_model(ctranslate2, class_name: str, path: str, device: str, compute_type: str):
    """Load a converted model with one intra-op thread per usable core (or OMP_NUM_THREADS)."""
    try:
        model_class = getattr(ctranslate2, class_name)
        return model_class(path, device=device, compute_type=compute_type, inter_threads=1, intra_threads=cpu_threads())
    except (RuntimeError, ValueError, OSError) as error:
        raise BackendError(
            f"cannot load the CTranslate2 model in {path}: {first_line(error)}. Fix: run `summarize models convert` again "
            f"with --force (or delete that directory)"
        ) from None
