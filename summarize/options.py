"""One options object, built by the CLI and passed down to every stage (no globals)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

BACKENDS = ("auto", "stub", "transformers", "ct2")


def default_cache_dir() -> Path:
    """The user cache dir (XDG on Linux), overridable with SUMMARIZE_CACHE_DIR."""
    env = os.environ.get("SUMMARIZE_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarize"))


@dataclass(frozen=True)
class Options:
    """Every setting that changes what a run computes or where it puts it."""

    backend: str = "auto"
    preset: str = "default"
    translation_model: str | None = None
    summary_model: str | None = None
    model_dir: Path | None = None
    device: str = "auto"
    beams: int = 4
    quantization: str | None = None  # the ct2 engine's weight type (summarize.convert.QUANTIZATIONS); None: the device default
    brief_words: int = 60
    cluster_words: int = 120
    cache_dir: Path = field(default_factory=default_cache_dir)
    use_cache: bool = True
    quiet: bool = False

    def with_(self, **changes) -> "Options":
        return replace(self, **changes)
