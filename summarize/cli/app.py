"""Command-line interface (typer): the typed signatures below are the CLI's spec.

Errors are mapped to exit codes in one place, the root command group: a `SummarizeError` prints
its one line and exits with its code; a usage error one line and 2; anything else is a bug and
prints one line naming a crash log that holds the traceback, exit 1.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup
from typer.exceptions import TyperException

from summarize import __version__
from summarize.cli.evaluate import eval_app
from summarize.cli.models import models_app
from summarize.cli.settings import CacheDir, pipeline_settings
from summarize.errors import BatchError, SummarizeError, first_line
from summarize.options import Options, default_cache_dir

EXIT_CODES = (
    "Exit status: 0 when the cluster was processed (skipped files and repairs are reported as warnings); "
    "1 when it could not be processed at all (no usable article) or its outputs could not be written; "
    "2 for usage and model errors."
)
INTERRUPTED = 130
console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> None:
    """One line on stderr, no traceback, then exit."""
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def crash_log_dir() -> Path:
    """Where tracebacks of unexpected errors go: SUMMARIZE_LOG_DIR, else the user log dir."""
    from platformdirs import user_log_dir

    return Path(os.environ.get("SUMMARIZE_LOG_DIR") or user_log_dir("summarize"))


def report_crash(error: BaseException) -> str:
    """Write the traceback of an unexpected error to a crash log; returns the one line to show."""
    path = crash_log_dir() / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    header = f"summarize {__version__}, Python {sys.version.split()[0]}\ncommand: {' '.join(sys.argv)}\n\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + "".join(traceback.format_exception(error)), encoding="utf-8")
        where = f"the traceback is in {path}"
    except OSError as log_error:
        where = f"no crash log could be written ({first_line(log_error)})"
    return f"unexpected {type(error).__name__}: {first_line(error)} ({where}; please report it)"


class Commands(TyperGroup):
    """The root command group: every command runs inside its invoke(), so errors are mapped here."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except TyperException as error:  # typer's own: a bad or missing argument or option
            if type(error).__name__ == "NoArgsIsHelpError":  # typer prints the help for it (and tells it by name too)
                raise
            where = getattr(error, "ctx", None) or ctx
            fail(f"{error.format_message()} (see `{where.command_path} --help`)", error.exit_code)
        except SummarizeError as error:
            fail(str(error), error.exit_code)
        except KeyboardInterrupt:
            fail("interrupted; finished work is saved: run the same command again to go on", INTERRUPTED)
        except Exception as error:  # a bug: one line here, the traceback in a crash log
            fail(report_crash(error), 1)


app = typer.Typer(
    cls=Commands,
    help=f"Turn clusters of news articles into English briefs (translate, then summarise). {EXIT_CODES}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cache_app = typer.Typer(help="Inspect or empty the results cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
app.add_typer(models_app, name="models")
app.add_typer(eval_app, name="eval")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"summarize {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Turn clusters of news articles into English briefs (translate, then summarise)."""


ClusterDir = Annotated[
    Path, typer.Argument(help="Folder holding one cluster: the article files (*.txt, *.html, *.md) about one event.", show_default=False)
]
OutDir = Annotated[Path, typer.Option("--out", "-o", help="Where results go: OUT/<cluster-id>/cluster.{json,md,html}.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]


def print_notes(label: str, notes) -> None:
    for note in notes:
        console.print(f"[yellow]{label}[/] {escape(str(note))}", highlight=False)


def print_stub_notice() -> None:
    from summarize.backends.stub import STUB_NOTICE

    console.print(f"[bold yellow]{STUB_NOTICE}[/]", highlight=False)


@app.command(epilog=EXIT_CODES)
@pipeline_settings
def run(cluster_dir: ClusterDir, options: Options, out: OutDir = Path("outputs"), quiet: Quiet = False) -> None:
    """Translate and summarise one cluster folder; writes cluster.json, cluster.md and cluster.html."""
    from summarize.backends import make_backends
    from summarize.cache import Cache
    from summarize.cli.progress import make_progress
    from summarize.pipeline import process_cluster

    cache = Cache(options.cache_dir if options.use_cache else None)
    try:
        backends = make_backends(options)
        with make_progress(console, quiet) as progress:
            result, target = process_cluster(cluster_dir, out, options, backends, cache, progress)
    finally:
        cache.close()
    print_notes("skipped", result.problems)
    print_notes("warning", result.warnings)
    if result.run.backend == "stub" and not quiet:
        print_stub_notice()
    if not quiet:
        c = result.run.cache
        console.print(
            f"[green]wrote[/] {target}/cluster.json, cluster.md and cluster.html — {len(result.articles)} articles, "
            f"backend {result.run.backend}, cache {c['hits']} hits / {c['misses']} misses, "
            f"{result.run.timings['total']:.1f} s",
            highlight=False,
        )


BATCH_EXIT_CODES = (
    "Exit status: 0 when every cluster is done or unchanged; 1 when any cluster failed (the others are still done), "
    "ROOT holds no cluster, or OUT cannot be written; 2 for usage and model errors; 130 when interrupted (with "
    "--watch, Ctrl-C is the normal stop and gives 0 or 1)."
)
BatchRoot = Annotated[
    Path, typer.Argument(help="Folder searched recursively for clusters: folders holding article files.", show_default=False)
]
BatchOut = Annotated[Path, typer.Option("--out", "-o", help="Where results go: OUT/<cluster-id>/ and OUT/index.{json,md,html}.")]
Watch = Annotated[bool, typer.Option(help="Keep polling ROOT for new or changed clusters until Ctrl-C.")]
Interval = Annotated[float, typer.Option(min=0.1, help="Seconds between polls with --watch.")]
Jobs = Annotated[
    Optional[int],
    typer.Option(
        min=1,
        max=1024,
        help="Worker processes on this machine, each loading its own models once (default 1: none); with --ray, the "
        "number of Ray workers (default: one per GPU, or per 4 CPUs).",
    ),
]
RayAddress = Annotated[
    Optional[str],
    typer.Option(
        "--ray",
        metavar="auto|ADDRESS",
        help="Run the clusters on a Ray cluster (pip install 'summarize\\[ray]'): 'auto' is the one `ray start` made on "
        "this host (else a new local one), or pass its HOST:6379 address. ROOT and --out must be on a shared filesystem "
        "that every node sees at the same path; each node keeps its own cache (a local folder, never a shared one).",
    ),
]
Force = Annotated[bool, typer.Option(help="Re-run unchanged clusters too (cached sentences are still reused).")]


@app.command(epilog=BATCH_EXIT_CODES)
@pipeline_settings
def batch(
    root: BatchRoot,
    options: Options,
    out: BatchOut = Path("outputs"),
    watch: Watch = False,
    interval: Interval = 10.0,
    jobs: Jobs = None,
    ray: RayAddress = None,
    force: Force = False,
    quiet: Quiet = False,
    max_polls: Annotated[Optional[int], typer.Option(hidden=True, min=1)] = None,
) -> None:
    """Brief every cluster under ROOT, skipping those unchanged since their last output.

    A cluster is any folder under ROOT that directly holds article files; its id is its path
    below ROOT joined with '__' (ROOT/2023/09/fr-03 -> OUT/2023__09__fr-03/; ROOT itself keeps
    its folder name). A cluster is re-run when its files, their contents or the settings change.
    Killed? Run the same command again: it finishes the job. Two batches at once share the work:
    a cluster another process is on is reported busy, then waited for at the end. Exit code 1 if
    any cluster failed (the others are still done). With --ray the clusters run on a Ray
    cluster's workers, each loading its models once; ROOT and OUT must be on a filesystem every
    node sees.
    """
    from summarize.batch import Batch
    from summarize.cli.progress import make_batch_progress, print_outcomes

    executor = None
    if ray is not None:
        from summarize.distributed import RayPool

        executor = RayPool(ray, jobs)
    outcomes = []
    polls = 0
    try:
        with Batch(root, out, options, jobs or 1, force, executor) as runner:
            if executor is not None and not quiet:
                console.print(executor.describe(), markup=False, highlight=False)
            if watch and not quiet:
                console.print(f"watching {root} every {interval:g} s; Ctrl-C to stop", markup=False, highlight=False)
            while True:
                with make_batch_progress(console, quiet) as progress:
                    outcomes = runner.run_pass(progress, retry_failed=polls == 0)
                polls += 1
                if not outcomes and not watch:
                    raise BatchError(
                        f"{root}: no cluster found (a cluster is a folder holding article files: .txt, .html or .md); "
                        "pass the folder that holds your cluster folders"
                    )
                shown = [o for o in outcomes if o.attempted] if watch and polls > 1 else outcomes
                if shown or not watch:
                    print_outcomes(console, shown, quiet)
                if not watch or (max_polls and polls >= max_polls):
                    break
                time.sleep(interval)
    except KeyboardInterrupt:
        console.print("stopped: finished clusters are saved; run the same command to go on", markup=False)
        if not watch:
            raise typer.Exit(INTERRUPTED) from None
    if not quiet:
        if options.backend == "stub" and outcomes:
            print_stub_notice()
        console.print(f"index: {out / 'index.md'}", markup=False, highlight=False)
    raise typer.Exit(1 if any(o.status == "failed" for o in outcomes) else 0)


ServeOut = Annotated[Path, typer.Option("--out", "-o", help="The output folder to serve; uploaded clusters are briefed into it.")]
Host = Annotated[str, typer.Option(help="Address to listen on; anything but localhost needs --token.")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]
Token = Annotated[
    Optional[str],
    typer.Option(envvar="SUMMARIZE_TOKEN", show_default=False, help="Secret that uploads must send (Authorization: Bearer TOKEN)."),
]


@app.command()
@pipeline_settings
def serve(options: Options, out: ServeOut = Path("outputs"), host: Host = "127.0.0.1", port: Port = 8000, token: Token = None) -> None:
    """Serve the briefs in OUT as web pages, with an upload form and an HTTP API (needs the 'serve' extra)."""
    from summarize.serve import run_server

    run_server(out, host, port, token, options)


VERIFY_EXIT_CODES = "Exit status: 0 when every number and name is supported; 1 when any is not; 2 when the files cannot be compared."
SourceFile = Annotated[Path, typer.Argument(help="Source text: UTF-8, one sentence per line.", show_default=False)]
TranslationFile = Annotated[
    Path, typer.Argument(help="English translation, line by line aligned with the source.", show_default=False)
]
SourceLanguage = Annotated[
    Optional[str],
    typer.Option("--source-language", "-l", help="The source's language (ISO 639-1: fr, de, es, cs, ru, ...); default: identified from the text."),
]


@app.command(epilog=VERIFY_EXIT_CODES)
def verify(source: SourceFile, translation: TranslationFile, source_language: SourceLanguage = None) -> None:
    """Audit any translation into English: list numbers and names the source does not back, or that it lost.

    Numbers compare across formats (3 000 = 3,000; 37,5 = 37.5; 14h30 = 2:30 pm; deux = two; 4,2 Md$ = $4.2 billion); a conversion (miles to km) is reported. Names compare across case, accents, scripts and spelling (Poutine = Putin, Тимошенко = Tymoshenko) and names that translate by convention (États-Unis = US); a name translated differently (Maison Blanche = White House) is accepted when the files pair it that way at least twice.
    """
    from summarize.checks import read_lines, verify_files
    from summarize.language import NAMES, language_shares

    if source_language is None:
        shares = language_shares(read_lines(source))
        source_language = max(shares, key=shares.get) if shares else "fr"
    source_language = source_language.lower()
    items = verify_files(source, translation, source_language=source_language)
    named = f"{NAMES.get(source_language, source_language)} source"
    for item in items:
        where = f"of the {named} is missing from the translation" if item.problem == "missing" else f"is not in the {named}"
        typer.echo(f"line {item.index + 1}: {item.kind} “{item.item}” {where}")
    if items:
        console.print(f"{len(items)} unsupported or missing numbers and names", highlight=False)
        raise typer.Exit(1)
    console.print(f"no unsupported numbers or names (checked against the {named})", highlight=False)


@contextmanager
def _cache(cache_dir: Path | None):
    """The cache at `cache_dir` (default: the user cache dir); a broken one found and moved aside is reported."""
    from summarize.cache import Cache

    cache = Cache(cache_dir or default_cache_dir())
    try:
        yield cache
    finally:
        print_notes("warning", cache.warnings)
        cache.close()


@cache_app.command("stats")
def cache_stats(cache_dir: CacheDir = None) -> None:
    """Show where the cache is, how many results it holds per stage, and its size."""
    with _cache(cache_dir) as cache:
        stats = cache.stats()
    typer.echo(f"cache: {stats['path']}")
    typer.echo(f"entries: {stats['entries']} ({stats['bytes'] / 1e6:.2f} MB)")
    for stage, count in sorted(stats["stages"].items()):
        typer.echo(f"  {stage}: {count}")


@cache_app.command("clear")
def cache_clear(cache_dir: CacheDir = None) -> None:
    """Delete every cached result (translations and summaries are recomputed on the next run)."""
    with _cache(cache_dir) as cache:
        removed = cache.clear()
    typer.echo(f"removed {removed} cached results")


def main() -> None:
    app()
