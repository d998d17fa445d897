"""Progress display on stderr: rich bars on a terminal, plain log lines otherwise."""

from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from summarize.pipeline import SilentProgress


class _RichProgress:
    def __init__(self, bar: Progress):
        self.bar = bar
        self.task = None

    def start(self, cluster_id: str, steps: int) -> None:
        self.task = self.bar.add_task(cluster_id, total=steps)

    def advance(self, step: str) -> None:
        self.bar.update(self.task, advance=1, description=step)


class _LineProgress:
    def __init__(self, console: Console):
        self.console = console
        self.cluster = ""

    def start(self, cluster_id: str, steps: int) -> None:
        self.cluster = cluster_id
        self.console.print(f"{cluster_id}: {steps} steps", highlight=False)

    def advance(self, step: str) -> None:
        self.console.print(f"{self.cluster}: {step}", highlight=False)


@contextmanager
def make_progress(console: Console, quiet: bool):
    """A progress reporter suited to the terminal (or none with --quiet)."""
    if quiet:
        yield SilentProgress()
    elif console.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            yield _RichProgress(bar)
    else:
        yield _LineProgress(console)
