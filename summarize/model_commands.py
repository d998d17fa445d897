"""`summarize models list|pull|convert`: what the presets name, what is on disk (Hugging Face checkpoints and
CTranslate2 conversions), and fetching or converting it for offline use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from summarize.backends.base import BackendError
from summarize.convert import convert_command, ct2_root, list_converted
from summarize.models import (
    TASKS,
    Registry,
    directory_size,
    hub_cache_dir,
    load_registry,
    resolve_model,
    revision_label,
    split_revision,
)
from summarize.options import Options

models_app = typer.Typer(help="List the configured models, download them for offline use or convert them to CTranslate2.", no_args_is_help=True)
models_app.command("convert")(convert_command)

ModelDir = Annotated[Optional[Path], typer.Option(help="Folder with downloaded models (<model-dir>/<name>/), searched first.")]


@models_app.command("list")
def list_models(model_dir: ModelDir = None) -> None:
    """Every model the registry names (presets using it, pinned revision, whether and where it is on disk), then the
    CTranslate2 conversions in models/ct2/ (or <model-dir>/ct2/)."""
    registry = _registry_or_exit()
    options = Options(model_dir=model_dir)
    typer.echo(f"Hugging Face cache: {hub_cache_dir()}")
    for model_id, settings in registry.models.items():
        presets = ", ".join(registry.presets_using(model_id)) or "-"
        typer.echo(f"{model_id}  [{settings.get('task', '?')}; presets: {presets}; revision: {settings.get('revision', 'main')}]")
        if settings.get("about"):
            typer.echo(f"    {settings['about']}")
        typer.echo(f"    {_local_status(model_id, settings.get('revision'), options)}")
    _list_converted(options)


@models_app.command("pull")
def pull_models(
    targets: Annotated[
        Optional[list[str]],
        typer.Argument(help="Presets (fast, default, quality, ...) or hub ids (ID or ID@REVISION); default: the default preset."),
    ] = None,
    model_dir: ModelDir = None,
) -> None:
    """Download models into the Hugging Face cache (HF_HOME) so later runs work offline."""
    registry = _registry_or_exit()
    options = Options(model_dir=model_dir)
    try:
        for model_id, revision in _targets_to_models(targets or ["default"], registry):
            path = resolve_model(model_id, revision, options, task=registry.models.get(model_id, {}).get("task", "model"))
            typer.echo(f"ready: {model_id} (revision {revision_label(path)}) at {path}, {directory_size(path) / 1e6:.0f} MB")
    except BackendError as error:
        _exit_with(error)


def _targets_to_models(targets: list[str], registry: Registry) -> list[tuple[str, str | None]]:
    """(model id, revision) pairs for preset names and hub ids, without duplicates, in order."""
    models: list[tuple[str, str | None]] = []
    for target in targets:
        if target in registry.presets:
            pairs = [split_revision(registry.presets[target][task], registry) for task in TASKS]
        else:
            pairs = [split_revision(target, registry)]
        models.extend(pair for pair in pairs if pair not in models)
    return models


def _registry_or_exit() -> Registry:
    try:
        return load_registry()
    except BackendError as error:
        _exit_with(error)


def _exit_with(error: BackendError) -> None:
    """The CLI's one-line error and exit code 2 (imported late: cli.py imports this module)."""
    from summarize.cli import fail

    fail(str(error), code=2)


def _local_status(model_id: str, revision: str | None, options: Options) -> str:
    """Where the model's weights are found without network, and their size; or that they are missing."""
    try:
        path = resolve_model(model_id, revision, options, download=False)
    except BackendError:
        return "not downloaded (run `summarize models pull` with this id or its preset)"
    return f"present: {path} (revision {revision_label(path)}, {directory_size(path) / 1e6:.0f} MB)"


def _list_converted(options: Options) -> None:
    """The converted models the ct2 engine (--backend auto or ct2) finds: source, revision, quantisation, size."""
    root = ct2_root(options)
    converted = list_converted(root)
    typer.echo("")
    if not converted:
        typer.echo(f"CTranslate2 models in {root}: none (`summarize models convert` makes them; auto converts on first use)")
        return
    typer.echo(f"CTranslate2 models in {root} (run by --backend auto or ct2 when source, revision and quantisation match):")
    for directory, manifest in converted:
        if manifest is None:
            typer.echo(f"{directory.name}  [incomplete: no manifest.json or model.bin; never loaded, delete it or convert again]")
            continue
        size = directory_size(directory) / 1e6
        typer.echo(f"{manifest['source']}  [{manifest.get('quantization', '?')}; revision: {manifest.get('revision', '?')}; {size:.1f} MB]")
        typer.echo(f"    {directory} ({manifest.get('converter', 'converter unknown')})")
