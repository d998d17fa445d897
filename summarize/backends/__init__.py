"""Backend selection. Backend modules are imported lazily so the pipeline never imports torch."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from summarize.backends.base import BackendError, Summarizer, Translator
from summarize.options import Options

# backend name -> "module:factory"; each factory takes Options and returns a Backends pair.
_FACTORIES = {
    "stub": "summarize.backends.stub:make_backends",
    "transformers": "summarize.backends.transformers:make_backends",
    "ct2": "summarize.backends.ct2:make_backends",
    "auto": "summarize.backends.auto:make_backends",
}


@dataclass(frozen=True)
class Backends:
    translator: Translator
    summarizer: Summarizer

    @property
    def label(self) -> str:
        """The engine(s) that run, e.g. "stub", "ct2" or "ct2+transformers"."""
        engines = dict.fromkeys(e.describe()["engine"] for e in (self.translator, self.summarizer))
        return "+".join(engines)


def make_backends(options: Options) -> Backends:
    """Build (cheaply, without loading models) the translator and summariser `options` ask for."""
    from summarize.convert import check_quantization  # late: summarize.convert imports this package

    name = options.backend
    if name not in _FACTORIES:
        known = ", ".join(sorted(_FACTORIES))
        raise BackendError(f"unknown backend {name!r}; choose one of: {known}")
    check_quantization(options.quantization, name)
    module_name, factory = _FACTORIES[name].split(":")
    return getattr(import_module(module_name), factory)(options)


__all__ = ["Backends", "BackendError", "make_backends"]
