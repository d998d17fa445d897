"""`summarize models list|pull|convert`: what the presets name, what is on disk (Hugging Face checkpoints and
CTranslate2 conversions), and fetching or converting it for offline use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from summarize.convert import MANIFEST, convert, ct2_root, find_converted, list_converted, locate_source, read_manifest
from summarize.devices import CPU_QUANTIZATION, GPU_QUANTIZATION, QUANTIZATIONS, ct2_device, default_quantization
from summarize.errors import BackendError
from summarize.models import directory_size, hub_cache_dir, models_for_targets, resolve_model, revision_label
from summarize.options import Options
from summarize.presets import load_registry

models_app = typer.Typer(help="List the configured models, download them for offline use or convert them to CTranslate2.", no_args_is_help=True)

ModelDir = Annotated[Optional[Path], typer.Option(help="Folder with downloaded models (<model-dir>/<name>/), searched first.")]
Targets = Annotated[
    Optional[list[str]],
    typer.Argument(help="Presets (fast, default, ...), hub ids (ORG/NAME or ORG/NAME@REVISION) or local model directories; default: the default preset.", show_default=False),
]
# What `pull` says when the hub cannot be reached: suggesting `pull` again would not help.
PULL_FIX = (
    "run this command where the Hugging Face hub is reachable (and HF_HUB_OFFLINE unset), then copy its cache (HF_HOME) "
    "here; or put the model's files in a folder and pass it with --model-dir DIR"
)


@models_app.command("list")
def list_models(model_dir: ModelDir = None) -> None:
    """Every model the registry names (presets using it, pinned revision, whether and where it is on disk), then the
    CTranslate2 conversions in models/ct2/ (or <model-dir>/ct2/)."""
    registry = load_registry()
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
def pull_models(targets: Targets = None, model_dir: ModelDir = None) -> None:
    """Download models into the Hugging Face cache (HF_HOME) so later runs work offline."""
    options = Options(model_dir=model_dir)
    for model_id, revision, task in models_for_targets(targets or ["default"], load_registry()):
        path = resolve_model(model_id, revision, options, task=task, fix=PULL_FIX)
        typer.echo(f"ready: {model_id} (revision {revision_label(path)}) at {path}, {directory_size(path) / 1e6:.0f} MB")


@models_app.command("convert")
def convert_models(
    targets: Targets = None,
    quantization: Annotated[
        Optional[str],
        typer.Option(help=f"Weight type: {', '.join(QUANTIZATIONS)}. Default: {CPU_QUANTIZATION} on CPU, {GPU_QUANTIZATION} on GPU."),
    ] = None,
    device: Annotated[str, typer.Option(help="Device the converted model is for (picks the default quantisation): auto, cpu or cuda.")] = "auto",
    model_dir: Annotated[Optional[Path], typer.Option(help="Folder with downloaded models; converted ones go to <model-dir>/ct2/.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Convert again even when an up-to-date conversion exists.")] = False,
) -> None:
    """Convert models to CTranslate2 (the fast CPU engine) into models/ct2/<name>-<quantisation>/."""
    options = Options(backend="ct2", model_dir=model_dir, device=device, quantization=quantization)
    quantization = (options.quantization or default_quantization(ct2_device(options.device))).value
    root = ct2_root(options)
    for model_id, revision, task in models_for_targets(targets or ["default"], load_registry()):
        source = locate_source(model_id, revision, options, task, download=True)
        fresh = force or find_converted(root, source.model_id, quantization, source.revision) is None
        target = convert(source, root, quantization, force=force)
        manifest = read_manifest(target)
        state = f"converted in {manifest.get('conversion_seconds', '?')} s" if fresh else "up to date"
        typer.echo(
            f"{state}: {source.model_id} (revision {source.revision}, {quantization}) -> {target}, {directory_size(target) / 1e6:.1f} MB"
        )


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
            typer.echo(f"{directory.name}  [incomplete: no {MANIFEST} or model.bin; never loaded, delete it or convert again]")
            continue
        size = directory_size(directory) / 1e6
        typer.echo(f"{manifest['source']}  [{manifest.get('quantization', '?')}; revision: {manifest.get('revision', '?')}; {size:.1f} MB]")
        typer.echo(f"    {directory} ({manifest.get('converter', 'converter unknown')})")
