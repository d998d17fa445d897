"""Devices and weight types: what `--device` and `--quantization` may say, and what runs where.

Every rule about placement lives here, decided from the environment and the filesystem only: no
torch or ctranslate2 import, so choosing an engine stays cheap and a cached run never loads them.
"""

from __future__ import annotations

import os
import re
from enum import Enum
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from summarize.errors import BackendError, UsageError

DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d+)?")
DEVICE_CHOICES = "auto, cpu, cuda, cuda:N or mps"


class Choice(str, Enum):
    """An enumerated setting that prints as its value (in messages, signatures and typer's help)."""

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


class Quantization(Choice):
    """CTranslate2 weight (and compute) types."""

    int8 = "int8"
    int8_float16 = "int8_float16"
    int8_float32 = "int8_float32"
    int8_bfloat16 = "int8_bfloat16"
    int16 = "int16"
    float16 = "float16"
    bfloat16 = "bfloat16"
    float32 = "float32"


QUANTIZATIONS = tuple(q.value for q in Quantization)
CPU_QUANTIZATION = Quantization.int8
GPU_QUANTIZATION = Quantization.int8_float16


def check_device(requested: str) -> str:
    """The device request normalised ("CUDA" -> "cuda"), or UsageError naming the accepted forms."""
    device = (requested or "auto").strip().lower()
    if not DEVICE.fullmatch(device):
        raise UsageError(f"unknown device {requested!r}. Fix: pass --device {DEVICE_CHOICES}")
    return device


def ct2_device(device: str) -> str:
    """cpu or cuda for a (validated) device request: CTranslate2 runs on nothing else."""
    if device == "auto":
        return "cuda" if nvidia_gpu_visible() else "cpu"
    if device in ("cpu", "cuda"):
        return device
    raise BackendError(f"device {device!r} is not supported by the ct2 engine. Fix: pass --device auto, cpu or cuda")


def default_quantization(device: str) -> Quantization:
    """int8 weights and compute on CPU; int8 weights with float16 compute on GPU."""
    return GPU_QUANTIZATION if device.startswith("cuda") else CPU_QUANTIZATION


def gpus_hidden() -> bool:
    """CUDA_VISIBLE_DEVICES set to nothing (or -1) hides every GPU from every framework."""
    return os.environ.get("CUDA_VISIBLE_DEVICES", "unset").strip() in ("", "-1")


def nvidia_gpu_visible() -> bool:
    """An NVIDIA device node this process may use (what CUDA needs), checked without loading a driver."""
    return not gpus_hidden() and any(Path("/dev").glob("nvidia[0-9]*"))


def rocm_gpu_visible() -> bool:
    """An AMD GPU reachable through ROCm (/dev/kfd), checked without loading a driver."""
    return not gpus_hidden() and Path("/dev/kfd").exists()


@lru_cache(maxsize=1)
def torch_built_for_gpu() -> bool:
    """Whether the installed torch is a CUDA or ROCm build, read from its version.py without importing it."""
    spec = find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return False
    version_file = Path(next(iter(spec.submodule_search_locations))) / "version.py"
    try:
        return re.search(r"^(cuda|hip)\b.*=\s*['\"]", version_file.read_text(), re.MULTILINE) is not None
    except OSError:
        return False


def cpu_threads() -> int:
    """Threads an engine computes with on CPU: OMP_NUM_THREADS when the user set it, else every core this process may run on."""
    requested = os.environ.get("OMP_NUM_THREADS", "")
    if requested.isdigit() and int(requested) > 0:
        return int(requested)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
