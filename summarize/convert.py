"""Convert a Hugging Face checkpoint (seq2seq or instruct LLM) into a CTranslate2 model directory.

`models/ct2/<name>-<quantisation>/` (or `<--model-dir>/ct2/...`) holds CTranslate2's model.bin
and vocabulary, the source model's tokenizer files and generation config (so the ct2 engine
tokenises and decodes exactly like the transformers backend), the source config.json as
source_config.json, and manifest.json saying what it was made from: source id, revision,
quantisation and converter version. Conversion writes into a temporary sibling directory and
renames it into place, and the manifest is written last, so a crash never leaves a half-written
model that a later run would load.

Nothing here imports torch, transformers or ctranslate2 at module level: the checks the backend
factories make (`find_converted`) are plain filesystem reads.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from summarize.devices import CPU_QUANTIZATION, Quantization
from summarize.errors import BackendError, first_line
from summarize.models import read_checkpoint_json, resolve_model, revision_label
from summarize.options import Options
from summarize.presets import models_home

MANIFEST = "manifest.json"
SOURCE_CONFIG = "source_config.json"
MANIFEST_VERSION = 1
# Architectures the ct2 engine runs (CTranslate2 converts them and their tokenizers need no extra
# inputs): seq2seq ones run as a ctranslate2.Translator, decoder-only LLMs as a ctranslate2.Generator.
SEQ2SEQ_MODEL_TYPES = ("marian", "bart")
CAUSAL_MODEL_TYPES = ("qwen2", "qwen3", "llama", "mistral", "gemma2", "phi3")
SUPPORTED_MODEL_TYPES = SEQ2SEQ_MODEL_TYPES + CAUSAL_MODEL_TYPES
# Files of a checkpoint that are not copied next to the converted weights.
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".h5", ".msgpack", ".ot", ".onnx", ".ckpt")
_NOT_COPIED = {"config.json", "model.safetensors.index.json", "pytorch_model.bin.index.json", ".gitattributes"}


@dataclass(frozen=True)
class Source:
    """A local Hugging Face checkpoint to convert: what it is called and which weights it holds."""

    model_id: str
    path: Path
    revision: str

    @classmethod
    def from_dir(cls, model_id: str, path: Path) -> "Source":
        return cls(model_id=model_id, path=Path(path), revision=revision_label(Path(path)))

    @property
    def model_type(self) -> str | None:
        return read_checkpoint_json(self.path / "config.json").get("model_type")


def source_id(spec: str) -> str:
    """How a converted model names its source: the hub id, or the absolute path of a local directory."""
    local = Path(spec).expanduser()
    return str(local.resolve()) if local.exists() else spec


def locate_source(spec: str, revision: str | None, options: Options, task: str, download: bool = False) -> Source:
    """The local checkpoint of `spec` (see summarize.models.resolve_model), or BackendError naming the fix."""
    path = resolve_model(spec, revision, options, task=task, download=download)
    return Source.from_dir(source_id(spec), path)


def ct2_root(options: Options) -> Path:
    """Where converted models live: `<--model-dir>/ct2` when a model dir is given, else models/ct2 (see models_home)."""
    return Path(options.model_dir) / "ct2" if options.model_dir else models_home() / "ct2"


def converted_name(model_id: str, quantization: str) -> str:
    """`<name>-<quantisation>`, name being the last part of a hub id or the directory's name."""
    name = model_id.rstrip("/").replace("\\", "/").rsplit("/", 1)[-1]
    return f"{name}-{quantization}"


def read_manifest(directory: Path) -> dict:
    """A converted directory's manifest; {} when missing or unreadable, i.e. a conversion that never finished."""
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def find_converted(root: Path, model_id: str, quantization: str, revision: str | None = None) -> Path | None:
    """The converted directory of `model_id` (at `revision` when given), or None: a filesystem check only.

    A directory counts only when its manifest (written last) names the same source, so a folder
    left over from another model or an older checkpoint is never loaded in its place.
    """
    directory = root / converted_name(model_id, quantization)
    manifest = read_manifest(directory)
    if manifest.get("source") != model_id or manifest.get("quantization") != quantization:
        return None
    if revision is not None and manifest.get("revision") != revision:
        return None
    return directory if (directory / "model.bin").is_file() else None


def list_converted(root: Path) -> list[tuple[Path, dict | None]]:
    """Each model directory under `root`, by name, with its manifest; None for one the engine would not load.

    A directory without a manifest (written last) or without model.bin is a conversion that did
    not finish; staging directories (hidden) are left out.
    """
    if not root.is_dir():
        return []
    found = []
    for directory in sorted(root.iterdir()):
        if directory.is_dir() and not directory.name.startswith("."):
            manifest = read_manifest(directory)
            complete = manifest.get("source") and (directory / "model.bin").is_file()
            found.append((directory, manifest if complete else None))
    return found


def ensure_convertible(source: Source) -> None:
    """BackendError unless the ct2 engine runs `source`'s architecture."""
    if source.model_type not in SUPPORTED_MODEL_TYPES:
        raise BackendError(
            f"model {source.model_id!r} in {source.path} is a {source.model_type!r} model, which the ct2 engine does not "
            f"run (supported: {', '.join(SUPPORTED_MODEL_TYPES)}). Fix: use --backend transformers for it"
        )


def converter_version() -> str:
    return f"ctranslate2-{metadata.version('ctranslate2')}"


def convert(source: Source, root: Path, quantization: Quantization | str = CPU_QUANTIZATION, force: bool = False) -> Path:
    """Convert `source` into `root/<name>-<quantization>/` and return that directory.

    An up-to-date conversion (same source, revision and quantisation) is reused unless `force`.
    Loads the checkpoint with torch, so call it only when a conversion is really needed.
    """
    quantization = Quantization(quantization).value
    ensure_convertible(source)
    existing = find_converted(root, source.model_id, quantization, source.revision)
    if existing is not None and not force:
        return existing
    target = root / converted_name(source.model_id, quantization)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".converting", dir=root))
    try:
        started = time.perf_counter()
        _write_ct2_model(source, staging / "model", quantization)
        _copy_tokenizer_and_configs(source.path, staging / "model")
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            "source": source.model_id,
            "source_path": str(source.path),
            "revision": source.revision,
            "model_type": source.model_type,
            "quantization": quantization,
            "converter": converter_version(),
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "conversion_seconds": round(time.perf_counter() - started, 1),
        }
        (staging / "model" / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _move_into_place(staging / "model", target, staging)
    except OSError as error:
        raise BackendError(f"cannot write the converted model to {target}: {error}. Fix: free disk space or pass --model-dir DIR") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _write_ct2_model(source: Source, output: Path, quantization: str) -> None:
    """Run CTranslate2's Transformers converter (the part that needs torch)."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError:
        raise BackendError("ctranslate2 is not installed. Fix: pip install ctranslate2, or use --backend transformers") from None
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()

    class Converter(TransformersConverter):
        def load_model(self, model_class, model_name_or_path, **kwargs):
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            # transformers 5 no longer sets BartConfig.normalize_before (BART is post-norm);
            # CTranslate2's BART loader still reads it.
            if model.config.model_type == "bart" and not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = False
            return model

    try:
        Converter(str(source.path)).convert(str(output), quantization=quantization, force=True)
    except (ValueError, NotImplementedError, RuntimeError) as error:
        raise BackendError(
            f"{source.path}: CTranslate2 cannot convert {source.model_id!r} ({first_line(error)}). Fix: use --backend transformers"
        ) from None


def _copy_tokenizer_and_configs(source: Path, output: Path) -> None:
    """Copy the tokenizer files and generation config beside the weights; config.json as source_config.json."""
    for file in sorted(source.iterdir()):
        if not file.is_file() or file.name in _NOT_COPIED or file.name.endswith(_WEIGHT_SUFFIXES):
            continue
        shutil.copyfile(file, output / file.name)
    shutil.copyfile(source / "config.json", output / SOURCE_CONFIG)


def _move_into_place(staged: Path, target: Path, scratch: Path) -> None:
    """Rename the finished conversion to `target`, moving any older one aside first."""
    if target.exists():
        target.rename(scratch / "replaced")
    try:
        os.rename(staged, target)
    except OSError:
        if not (target / MANIFEST).is_file():  # not a concurrent run that finished first
            raise
