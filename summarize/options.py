"""One options object, validated once when it is built, passed down to every stage (no globals).

`Options` holds every setting that changes what a run computes or where it puts it. Building
one checks every field (backend, preset, device, quantisation, ranges), so a typo fails at once
with one line naming the fix, whichever backend would have run. The CLI builds it from its
options; library users build it directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from summarize.devices import Choice, Quantization, check_device
from summarize.errors import UsageError
from summarize.presets import load_registry


class Backend(Choice):
    """Engines: each is the module summarize/backends/<name>.py, whose make_backends(options) builds it."""

    auto = "auto"
    stub = "stub"
    transformers = "transformers"
    ct2 = "ct2"

    @property
    def factory(self) -> str:
        """`module:function` that builds this backend's translator and summariser."""
        return f"summarize.backends.{self.value}:make_backends"


BACKENDS = tuple(b.value for b in Backend)
# Backends that run CTranslate2 and so can use --quantization.
QUANTIZING_BACKENDS = (Backend.auto, Backend.ct2)
LIMITS = {"beams": (1, 16), "brief_words": (10, 400), "cluster_words": (10, 800)}


def default_cache_dir() -> Path:
    """The user cache dir (XDG on Linux), overridable with SUMMARIZE_CACHE_DIR."""
    env = os.environ.get("SUMMARIZE_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarize"))


def _choice(kind: type[Choice], value: object, option: str, what: str) -> Choice:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise UsageError(f"unknown {what} {value!r}; choose one of: {choices}. Fix: pass one of them to {option}") from None


@dataclass(frozen=True)
class Options:
    """Every setting that changes what a run computes or where it puts it; checked when built."""

    backend: Backend = Backend.auto
    preset: str = "default"
    translation_model: str | None = None
    summary_model: str | None = None
    model_dir: Path | None = None
    device: str = "auto"
    beams: int = 4
    quantization: Quantization | None = None  # the ct2 engine's weight type; None: the device's default
    brief_words: int = 60
    cluster_words: int = 120
    cache_dir: Path = field(default_factory=default_cache_dir)
    use_cache: bool = True

    def __post_init__(self) -> None:
        settle = object.__setattr__  # frozen: fields are normalised once, here
        settle(self, "backend", _choice(Backend, self.backend, "--backend", "backend"))
        settle(self, "device", check_device(self.device))
        load_registry().preset(self.preset)
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                option = "--" + name.replace("_", "-")
                raise UsageError(f"{option} {value!r} is out of range; pass a whole number from {low} to {high}")
        if self.model_dir is not None:
            settle(self, "model_dir", Path(self.model_dir))
        settle(self, "cache_dir", Path(self.cache_dir))
        if self.quantization is not None:
            settle(self, "quantization", _choice(Quantization, self.quantization, "--quantization", "quantisation"))
            if self.backend not in QUANTIZING_BACKENDS:
                raise UsageError(
                    f"--quantization {self.quantization} is a CTranslate2 setting and the {self.backend} backend does not use it. "
                    "Fix: leave out --quantization, or pass --backend ct2 (or auto)"
                )

    def with_(self, **changes) -> Options:
        """A copy with `changes` applied, validated like any other."""
        return replace(self, **changes)
