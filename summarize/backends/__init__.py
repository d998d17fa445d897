"""Backend selection: one table (options.Backend), each engine's module imported only when chosen,
so the pipeline never imports torch or ctranslate2."""

from __future__ import annotations

from importlib import import_module

from summarize.backends.base import BackendError, Backends, Summarizer, Translator
from summarize.options import Options


def make_backends(options: Options) -> Backends:
    """Build (cheaply, without loading models) the translator and summariser `options` ask for."""
    module_name, factory = options.backend.factory.split(":")
    return getattr(import_module(module_name), factory)(options)


__all__ = ["Backends", "BackendError", "Summarizer", "Translator", "make_backends"]
