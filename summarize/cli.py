"""Command-line interface (typer): the typed signatures below are the CLI's spec."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from summarize.backends.base import BackendError
from summarize.convert import CPU_QUANTIZATION, GPU_QUANTIZATION, QUANTIZATIONS, check_quantization
from summarize.model_commands import models_app
from summarize.options import BACKENDS, Options, default_cache_dir

EXIT_CODES = (
    "Exit status: 0 when the cluster was processed (skipped files and repairs are reported as warnings); "
    "1 when it could not be processed at all (no usable article) or its outputs could not be written; "
    "2 for usage and model errors."
)
app = typer.Typer(
    help=f"Turn clusters of French news articles into English briefs (translate, then summarise). {EXIT_CODES}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
cache_app = typer.Typer(help="Inspect or empty the results cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
app.add_typer(models_app, name="models")

console = Console(stderr=True, soft_wrap=True)

ClusterDir = Annotated[
    Path, typer.Argument(help="Folder holding one cluster: the article files (*.txt) about one event.", show_default=False)
]
OutDir = Annotated[Path, typer.Option("--out", "-o", help="Where results go: OUT/<cluster-id>/cluster.{json,md}.")]
Backend = Annotated[
    str,
    typer.Option(
        help=f"Engine: {', '.join(BACKENDS)}. 'auto' uses CTranslate2 when it can, else transformers; "
        "'stub' runs no model (tests/demos, clearly labelled)."
    ),
]
Preset = Annotated[str, typer.Option(help="Model preset from models/registry.toml: fast, default or quality.")]
TranslationModel = Annotated[
    Optional[str], typer.Option(help="Translation model: a hub id or a local directory (overrides the preset).")
]
SummaryModel = Annotated[
    Optional[str], typer.Option(help="Summarisation model: a hub id or a local directory (overrides the preset).")
]
ModelDir = Annotated[
    Optional[Path], typer.Option(help="Folder with downloaded models (<model-dir>/<name>/), searched before the hub.")
]
Device = Annotated[str, typer.Option(help="auto (GPU if available), cpu or cuda.")]
Beams = Annotated[int, typer.Option(min=1, max=16, help="Beam size for translation and summaries.")]
Quantization = Annotated[
    Optional[str],
    typer.Option(
        help=f"CTranslate2 weight type: {', '.join(QUANTIZATIONS)}. Default: {CPU_QUANTIZATION} on CPU, {GPU_QUANTIZATION} "
        "on GPU. Only the ct2 engine uses it (with 'auto', the models that run on ct2); the transformers engine has "
        "no quantisation (float32 on CPU, float16/bfloat16 on GPU), so it is an error with --backend transformers."
    ),
]
BriefWords = Annotated[int, typer.Option(min=10, max=400, help="Target length of each article brief, in words.")]
ClusterWords = Annotated[int, typer.Option(min=10, max=800, help="Target length of the cluster brief, in words.")]
CacheDir = Annotated[Optional[Path], typer.Option(help="Cache folder (default: the user cache dir).")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]


def build_options(**settings) -> Options:
    """Options from CLI values; unset (None) values keep their defaults."""
    if settings.get("backend") not in BACKENDS:
        fail(f"unknown backend {settings.get('backend')!r}; choose one of: {', '.join(BACKENDS)}", code=2)
    try:
        check_quantization(settings.get("quantization"), settings["backend"])
    except BackendError as error:
        fail(str(error), code=2)
    return Options(**{k: v for k, v in settings.items() if v is not None})


def fail(message: str, code: int = 1) -> None:
    """One line on stderr, no traceback, then exit."""
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def open_cache(options: Options):
    from summarize.cache import Cache

    return Cache(options.cache_dir if options.use_cache else None)


@app.command(epilog=EXIT_CODES)
def run(
    cluster_dir: ClusterDir,
    out: OutDir = Path("outputs"),
    backend: Backend = "auto",
    preset: Preset = "default",
    translation_model: TranslationModel = None,
    summary_model: SummaryModel = None,
    model_dir: ModelDir = None,
    device: Device = "auto",
    beams: Beams = 4,
    quantization: Quantization = None,
    brief_words: BriefWords = 60,
    cluster_words: ClusterWords = 120,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    quiet: Quiet = False,
) -> None:
    """Translate and summarise one cluster folder; writes cluster.json, cluster.md and cluster.html."""
    from summarize.backends import make_backends
    from summarize.pipeline import ClusterError, process_cluster
    from summarize.progress import make_progress
    from summarize.write import OutputError

    options = build_options(
        backend=backend, preset=preset, translation_model=translation_model, summary_model=summary_model,
        model_dir=model_dir, device=device, beams=beams, quantization=quantization, brief_words=brief_words,
        cluster_words=cluster_words, cache_dir=cache_dir, use_cache=not no_cache, quiet=quiet,
    )
    cache = open_cache(options)
    try:
        backends = make_backends(options)
        with make_progress(console, quiet) as progress:
            result, target = process_cluster(cluster_dir, out, options, backends, cache, progress)
    except BackendError as err:
        fail(str(err), code=2)
    except (ClusterError, OutputError) as err:
        fail(str(err))
    finally:
        cache.close()
    for label, notes in (("skipped", result.problems), ("warning", result.warnings)):
        for note in notes:
            console.print(f"[yellow]{label}[/] {escape(str(note))}", highlight=False)
    if result.run.backend == "stub" and not quiet:
        from summarize.backends.stub import STUB_NOTICE

        console.print(f"[bold yellow]{STUB_NOTICE}[/]", highlight=False)
    if not quiet:
        c = result.run.cache
        console.print(
            f"[green]wrote[/] {target}/cluster.json, cluster.md and cluster.html — {len(result.articles)} articles, "
            f"backend {result.run.backend}, cache {c['hits']} hits / {c['misses']} misses, "
            f"{result.run.timings['total']:.1f} s",
            highlight=False,
        )


BATCH_EXIT_CODES = (
    "Exit status: 0 when every cluster is done or unchanged; 1 when any cluster failed (the others are still done) "
    "or OUT cannot be written; 2 for usage and model errors; 130 when interrupted (with --watch, Ctrl-C is the "
    "normal stop and gives 0 or 1)."
)
BatchRoot = Annotated[
    Path, typer.Argument(help="Folder searched recursively for clusters: folders holding article files.", show_default=False)
]
BatchOut = Annotated[Path, typer.Option("--out", "-o", help="Where results go: OUT/<cluster-id>/ and OUT/index.{json,md}.")]
Watch = Annotated[bool, typer.Option(help="Keep polling ROOT for new or changed clusters until Ctrl-C.")]
Interval = Annotated[float, typer.Option(min=0.1, help="Seconds between polls with --watch.")]
Jobs = Annotated[int, typer.Option(min=1, max=64, help="Worker processes, each loading its own models once (1: none).")]
Force = Annotated[bool, typer.Option(help="Re-run unchanged clusters too (cached sentences are still reused).")]


@app.command(epilog=BATCH_EXIT_CODES)
def batch(
    root: BatchRoot,
    out: BatchOut = Path("outputs"),
    watch: Watch = False,
    interval: Interval = 10.0,
    jobs: Jobs = 1,
    force: Force = False,
    backend: Backend = "auto",
    preset: Preset = "default",
    translation_model: TranslationModel = None,
    summary_model: SummaryModel = None,
    model_dir: ModelDir = None,
    device: Device = "auto",
    beams: Beams = 4,
    quantization: Quantization = None,
    brief_words: BriefWords = 60,
    cluster_words: ClusterWords = 120,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    quiet: Quiet = False,
    max_polls: Annotated[Optional[int], typer.Option(hidden=True, min=1)] = None,
) -> None:
    """Brief every cluster under ROOT, skipping those unchanged since their last output.

    A cluster is any folder under ROOT that directly holds article files; its id is its path
    below ROOT joined with '__' (ROOT/2023/09/fr-03 -> OUT/2023__09__fr-03/; ROOT itself keeps
    its folder name). A cluster is re-run when its files, their contents or the settings change.
    Killed? Run the same command again: it finishes the job. Two batches at once share the work:
    a cluster another process is on is reported busy, then waited for at the end. Exit code 1 if
    any cluster failed (the others are still done).
    """
    from summarize.batch import BatchError, run_batch
    from summarize.write import OutputError

    options = build_options(
        backend=backend, preset=preset, translation_model=translation_model, summary_model=summary_model,
        model_dir=model_dir, device=device, beams=beams, quantization=quantization, brief_words=brief_words,
        cluster_words=cluster_words, cache_dir=cache_dir, use_cache=not no_cache, quiet=quiet,
    )
    try:
        code = run_batch(
            root, out, options, console=console, jobs=jobs, force=force, watch=watch, interval=interval,
            max_polls=max_polls, quiet=quiet,
        )
    except BackendError as err:
        fail(str(err), code=2)
    except (BatchError, OutputError) as err:
        fail(str(err))
    raise typer.Exit(code)


@app.command()
def serve(
    out: Annotated[Path, typer.Option("--out", "-o", help="The output folder to serve; uploaded clusters are briefed into it.")] = Path("outputs"),
    host: Annotated[str, typer.Option(help="Address to listen on; anything but localhost needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[
        Optional[str],
        typer.Option(envvar="SUMMARIZE_TOKEN", show_default=False, help="Secret that uploads must send (Authorization: Bearer TOKEN)."),
    ] = None,
    backend: Backend = "auto",
    preset: Preset = "default",
    translation_model: TranslationModel = None,
    summary_model: SummaryModel = None,
    model_dir: ModelDir = None,
    device: Device = "auto",
    beams: Beams = 4,
    quantization: Quantization = None,
    brief_words: BriefWords = 60,
    cluster_words: ClusterWords = 120,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Serve the briefs in OUT as web pages, with an upload form and an HTTP API (needs the 'serve' extra)."""
    from summarize.errors import SummarizeError

    options = build_options(
        backend=backend, preset=preset, translation_model=translation_model, summary_model=summary_model,
        model_dir=model_dir, device=device, beams=beams, quantization=quantization, brief_words=brief_words,
        cluster_words=cluster_words, cache_dir=cache_dir, use_cache=not no_cache,
    )
    try:
        from summarize.serve import run_server

        run_server(out, host, port, token, options)
    except SummarizeError as err:
        fail(str(err), code=err.exit_code)


def print_cache_warnings(cache) -> None:
    """A cache found broken is moved aside and rebuilt (or bypassed): say so, one line each."""
    for warning in cache.warnings:
        console.print(f"[yellow]warning[/] {escape(warning)}", highlight=False)


VERIFY_EXIT_CODES = "Exit status: 0 when every number and name is supported; 1 when any is not; 2 when the files cannot be compared."
SourceFile = Annotated[Path, typer.Argument(help="French source: UTF-8 text, one sentence per line.", show_default=False)]
TranslationFile = Annotated[
    Path, typer.Argument(help="English translation, line by line aligned with the source.", show_default=False)
]


@app.command(epilog=VERIFY_EXIT_CODES)
def verify(source_fr: SourceFile, translation_en: TranslationFile) -> None:
    """Audit any translation: list numbers and names the French source does not back, or that it lost.

    Numbers compare across formats (3 000 = 3,000; 37,5 = 37.5; 14h30 = 2:30 pm; deux = two); a conversion (miles to km) is reported. Names compare across case, accents and spelling (Poutine = Putin); a name translated differently (Maison Blanche = White House) is accepted when the files pair it that way at least twice.
    """
    from summarize.checks import VerifyError, verify_files

    try:
        items = verify_files(source_fr, translation_en)
    except VerifyError as err:
        fail(str(err), code=2)
    for item in items:
        where = "of the French source is missing from the translation" if item.problem == "missing" else "is not in the French source"
        typer.echo(f"line {item.index + 1}: {item.kind} “{item.item}” {where}")
    if items:
        console.print(f"{len(items)} unsupported or missing numbers and names", highlight=False)
        raise typer.Exit(1)
    console.print("no unsupported numbers or names", highlight=False)


@cache_app.command("stats")
def cache_stats(cache_dir: CacheDir = None) -> None:
    """Show where the cache is, how many results it holds per stage, and its size."""
    from summarize.cache import Cache

    cache = Cache(cache_dir or default_cache_dir())
    stats = cache.stats()
    print_cache_warnings(cache)
    typer.echo(f"cache: {stats['path']}")
    typer.echo(f"entries: {stats['entries']} ({stats['bytes'] / 1e6:.2f} MB)")
    for stage, count in sorted(stats["stages"].items()):
        typer.echo(f"  {stage}: {count}")


@cache_app.command("clear")
def cache_clear(cache_dir: CacheDir = None) -> None:
    """Delete every cached result (translations and summaries are recomputed on the next run)."""
    from summarize.cache import Cache

    cache = Cache(cache_dir or default_cache_dir())
    removed = cache.clear()
    print_cache_warnings(cache)
    typer.echo(f"removed {removed} cached results")


def main() -> None:
    app()
