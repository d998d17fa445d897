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
from summarize.backends.router import routed_translator
from summarize.backends.transformers import TransformersSummarizer, TransformersTranslator
from summarize.models import ModelChoice, choose_model
from summarize.options import Options

_FALLBACKS = {"translation": TransformersTranslator, "summary": TransformersSummarizer}


def choose_engine(options: Options, task: str, choice: ModelChoice | None = None):
    """The ct2 engine for `task` (the model `choice`, by default the one `options` ask for) when
    CTranslate2 can run it, else the transformers engine."""
    choice = choice or choose_model(options, task)
    try:
        return plan_engine(options, task, choice)
    except BackendError:
        return _FALLBACKS[task](choice, options)


def make_backends(options: Options) -> Backends:
    return Backends(
        routed_translator(options, lambda choice: choose_engine(options, "translation", choice), "auto"),
        choose_engine(options, "summary"),
    )
