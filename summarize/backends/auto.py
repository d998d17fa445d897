"""The default backend: CTranslate2 where it can run, else transformers, decided per model.

For each task (translation, summary) the ct2 engine is chosen when a converted model matching
the source is present or a local Hugging Face checkpoint can be converted on first use. Otherwise
(ctranslate2 not installed, an architecture or device it cannot run, weights not on disk) the
transformers engine runs; it downloads the weights or fails with the one-line missing-weights
error that names the fix. Only filesystem checks happen here, and the chosen engine's name is in
every signature and in `run.models` of the outputs.
"""

from __future__ import annotations

from summarize.backends.base import BackendError, Backends
from summarize.backends.ct2 import plan_engine
from summarize.backends.transformers import transformers_engine
from summarize.options import Options


def choose_engine(options: Options, task: str):
    """The ct2 engine for `task` when CTranslate2 can run it, else the transformers engine (of the model's family)."""
    try:
        return plan_engine(options, task)
    except BackendError:
        return transformers_engine(options, task)


def make_backends(options: Options) -> Backends:
    return Backends(choose_engine(options, "translation"), choose_engine(options, "summary"))
