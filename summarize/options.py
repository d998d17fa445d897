"""One options object, validated once when it is built, passed down to every stage (no globals).

`Options` holds every setting that changes what a run computes or where it puts it. Building
one checks every field (backend, preset, device, quantisation, ranges), so a typo fails at once
with one line naming the fix, whichever backend would have run. The CLI builds it from its
options; library users build it directly.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from summarize.devices import Choice, Quantization, check_device
from summarize.errors import UsageError
from summarize.presets import ANY_LANGUAGE, load_registry


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
# A source language as --languages and --translation-model LANG=MODEL name it: ISO 639-1 (or 639-3).
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def default_cache_dir() -> Path:
    """The user cache dir (XDG on Linux), overridable with SUMMARIZE_CACHE_DIR."""
    env = os.environ.get("SUMMARIZE_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarize"))


def parse_languages(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...] | None:
    """--languages: "fr,de,hu" (or a sequence) -> ("de", "fr", "hu"); "*" accepts every language; None: the registry's."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = sorted({item.strip().lower() for item in items if item.strip()})
    bad = [code for code in codes if code != ANY_LANGUAGE and not _LANGUAGE_CODE.fullmatch(code)]
    if bad or not codes:
        raise UsageError(
            f"--languages {value!r}: {'not a language code: ' + ', '.join(bad) if bad else 'no language given'}. "
            "Fix: pass ISO 639-1 codes separated by commas (e.g. fr,de,es), or '*' for every language a model reads"
        )
    return (ANY_LANGUAGE,) if ANY_LANGUAGE in codes else tuple(codes)


def translation_overrides(value: str | None) -> dict[str, str]:
    """--translation-model: MODEL -> {"*": MODEL} (for every language it reads); "fr=A,de=B" -> {"fr": A, "de": B}."""
    if not value:
        return {}
    if "=" not in value or Path(value).expanduser().exists():
        return {ANY_LANGUAGE: value}
    overrides: dict[str, str] = {}
    for part in value.split(","):
        language, _, model = (piece.strip() for piece in part.partition("="))
        if not _LANGUAGE_CODE.fullmatch(language) or not model:
            raise UsageError(
                f"--translation-model {value!r}: {part.strip()!r} is not LANG=MODEL. Fix: pass one model (a hub id or "
                "a directory), or per-language models as fr=MODEL,de=MODEL with ISO 639-1 codes"
            )
        overrides[language] = model
    return overrides


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
    languages: tuple[str, ...] | None = None  # source languages to translate; None: those with a model of their own
    brief_words: int = 60
    cluster_words: int = 120
    cache_dir: Path = field(default_factory=default_cache_dir)
    use_cache: bool = True

    def __post_init__(self) -> None:
        settle = object.__setattr__  # frozen: fields are normalised once, here
        settle(self, "backend", _choice(Backend, self.backend, "--backend", "backend"))
        settle(self, "device", check_device(self.device))
        load_registry().preset(self.preset)
        settle(self, "languages", parse_languages(self.languages))
        translation_overrides(self.translation_model)
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
