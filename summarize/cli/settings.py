"""The settings every command that runs the models shares (`run`, `batch`, `serve`, `eval`), declared once.

`@pipeline_settings` adds them to a command's options and hands the command one checked `Options`.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Annotated, Optional

import typer

from summarize.devices import CPU_QUANTIZATION, DEVICE_CHOICES, GPU_QUANTIZATION, QUANTIZATIONS
from summarize.options import BACKENDS, Options
from summarize.presets import load_registry

PRESETS = ", ".join(load_registry().presets)
Backend = Annotated[
    str,
    typer.Option(
        help=f"Engine: {', '.join(BACKENDS)}. 'auto' uses CTranslate2 when it can, else transformers; "
        "'stub' runs no model (tests/demos, clearly labelled)."
    ),
]
Preset = Annotated[str, typer.Option(help=f"Model preset from models/registry.toml: {PRESETS}.")]
TranslationModel = Annotated[
    Optional[str],
    typer.Option(
        help="Translation model: a hub id, a local directory or a .gguf file, a seq2seq model (Marian) or an instruct LLM, "
        "for every language it reads; or per-language models as fr=MODEL,de=MODEL (overrides the preset and "
        "models/registry.toml)."
    ),
]
Languages = Annotated[
    Optional[str],
    typer.Option(
        help="Source languages to translate, as ISO 639-1 codes: fr,de,hu. Default: those with a model of their own in "
        "models/registry.toml. A language without one uses the many-to-English fallback; '*' takes every language a "
        "model reads. Other languages are skipped with a note; English is always passed through."
    ),
]
SummaryModel = Annotated[
    Optional[str], typer.Option(help="Summarisation model: a hub id, a local directory or a .gguf file; a seq2seq model (BART) or an instruct LLM (overrides the preset).")
]
ModelDir = Annotated[
    Optional[Path], typer.Option(help="Folder with downloaded models (<model-dir>/<name>/), searched before the hub.")
]
Device = Annotated[str, typer.Option(help=f"{DEVICE_CHOICES} ('auto': a GPU if available).")]
Beams = Annotated[int, typer.Option(help="Beam size for translation and summaries by seq2seq models (1-16); instruct LLMs decode greedily.")]
Quantization = Annotated[
    Optional[str],
    typer.Option(
        help=f"CTranslate2 weight type: {', '.join(QUANTIZATIONS)}. Default: {CPU_QUANTIZATION} on CPU, {GPU_QUANTIZATION} "
        "on GPU. Only the ct2 engine uses it (with 'auto', the models that run on ct2); the transformers engine has "
        "no quantisation (float32 on CPU, float16/bfloat16 on GPU), so it is an error with --backend transformers."
    ),
]
BriefWords = Annotated[int, typer.Option(help="Target length of each article brief, in words (10-400).")]
ClusterWords = Annotated[int, typer.Option(help="Target length of the cluster brief, in words (10-800).")]
CacheDir = Annotated[Optional[Path], typer.Option(help="Cache folder (default: the user cache dir).")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]


# The settings every command that runs the pipeline shares, declared once: `@pipeline_settings` adds
# them to a command's options and hands the command one checked `Options`.
SETTINGS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
    for name, annotation, default in (
        ("backend", Backend, "auto"),
        ("preset", Preset, "default"),
        ("translation_model", TranslationModel, None),
        ("languages", Languages, None),
        ("summary_model", SummaryModel, None),
        ("model_dir", ModelDir, None),
        ("device", Device, "auto"),
        ("beams", Beams, 4),
        ("quantization", Quantization, None),
        ("brief_words", BriefWords, 60),
        ("cluster_words", ClusterWords, 120),
        ("cache_dir", CacheDir, None),
        ("no_cache", NoCache, False),
    )
]


def options_from(settings: dict) -> Options:
    """Options from the shared settings (checked by Options itself); unset ones keep their defaults."""
    no_cache = settings.pop("no_cache", False)
    return Options(**{name: value for name, value in settings.items() if value is not None}, use_cache=not no_cache)


def pipeline_settings(command):
    """Give `command` the shared pipeline settings as CLI options; it receives them as `options: Options`."""
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "options"]

    @functools.wraps(command)
    def with_settings(*args, **kwargs):
        settings = {parameter.name: kwargs.pop(parameter.name) for parameter in SETTINGS}
        return command(*args, options=options_from(settings), **kwargs)

    with_settings.__signature__ = inspect.Signature(own + SETTINGS)
    return with_settings
