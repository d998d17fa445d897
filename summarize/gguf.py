"""GGUF files (llama.cpp's single-file format) as Hugging Face checkpoints, converted once.

transformers reads a GGUF file with the `gguf` package, de-quantising its weights to float32 in
memory (about 4 bytes per parameter: 6 GB for a 1.5B model, for a minute); doing that on every
run would cost more than the run. So a `.gguf` given as a model is converted once into a
save_pretrained directory (float16 weights, tokenizer, chat template) under
`<models>/gguf/<name>-<fingerprint>/` (`--model-dir D`: `D/gguf/`), which every engine then loads
like any local checkpoint (the ct2 engine converts that to int8 on first use, as it does any
checkpoint). The fingerprint covers the file's size and its first and last MiB, so a changed
file is converted again. A conversion is written beside its target and renamed into place, its
manifest last, so an interrupted one is never loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from summarize.errors import BackendError, first_line
from summarize.options import Options
from summarize.presets import models_home

SUFFIX = ".gguf"
MANIFEST = "gguf-manifest.json"
_SAMPLE_BYTES = 1 << 20


def is_gguf(spec: str) -> bool:
    return spec.lower().endswith(SUFFIX)


def fingerprint(path: Path) -> str:
    """A cheap identity of a (large) file: its size and the hash of its first and last MiB."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(_SAMPLE_BYTES))
        handle.seek(max(0, size - _SAMPLE_BYTES))
        digest.update(handle.read(_SAMPLE_BYTES))
    return digest.hexdigest()[:12]


def gguf_root(options: Options | None) -> Path:
    return Path(options.model_dir) / "gguf" if options and options.model_dir else models_home() / "gguf"


def checkpoint_from_gguf(path: Path, options: Options | None = None) -> Path:
    """The Hugging Face directory converted from the GGUF file `path`, converting it now if needed."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise BackendError(f"GGUF file {path} does not exist. Fix: pass an existing .gguf file, a model directory or a hub id")
    identity = fingerprint(path)
    target = gguf_root(options) / f"{path.stem}-{identity}"
    if (target / MANIFEST).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".converting", dir=target.parent))
    try:
        started = time.perf_counter()
        _write_checkpoint(path, staging / "model")
        manifest = {
            "source": str(path),
            "fingerprint": identity,
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "conversion_seconds": round(time.perf_counter() - started, 1),
        }
        (staging / "model" / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        try:
            os.rename(staging / "model", target)
        except OSError:
            if not (target / MANIFEST).is_file():  # not a concurrent run that finished first
                raise
    except OSError as error:
        raise BackendError(f"cannot write the checkpoint converted from {path} to {target}: {error}. Fix: free disk space or pass --model-dir DIR") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _write_checkpoint(path: Path, output: Path) -> None:
    """De-quantise the GGUF file with transformers and save it as float16 safetensors with its tokenizer."""
    try:
        import accelerate  # noqa: F401  (transformers reads GGUF files only with both installed)
        import gguf  # noqa: F401
    except ImportError:
        raise BackendError(f"reading {path.name} needs the gguf and accelerate packages. Fix: pip install 'summarize[gguf]'") from None
    import torch
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        model = transformers.AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    except (OSError, ValueError, KeyError, RuntimeError, NotImplementedError) as error:
        raise BackendError(f"transformers cannot read the GGUF file {path} ({first_line(error)}). Fix: convert it yourself and pass the directory") from None
    model = model.to(torch.float16)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.hf_quantizer = None
    model.config.dtype = torch.float16
    model.save_pretrained(str(output))
    tokenizer.save_pretrained(str(output))
