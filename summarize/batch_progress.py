"""What a batch shows on stderr: rich bars (clusters, steps) on a terminal, one log line per
cluster otherwise, nothing but failures with --quiet; and the final table of outcomes."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from summarize.pipeline import Progress, SilentProgress

if TYPE_CHECKING:
    from summarize.batch import Outcome

SKIPPED_ROWS_SHOWN = 20


class SilentBatchProgress:
    def begin(self, to_run: int, unchanged: int) -> None:
        pass

    def cluster(self, cluster_id: str) -> Progress:
        return SilentProgress()

    def finished(self, outcome: Outcome) -> None:
        pass


class LineBatchProgress(SilentBatchProgress):
    """Plain log lines, for logs and pipes."""

    def __init__(self, console: Console):
        self.console = console
        self.total = 0
        self.count = 0

    def begin(self, to_run: int, unchanged: int) -> None:
        self.total, self.count = to_run, 0
        if to_run:
            self.console.print(f"batch: {to_run} clusters to run, {unchanged} unchanged", markup=False, highlight=False)

    def finished(self, outcome: Outcome) -> None:
        if outcome.status != "busy":
            self.count += 1
        line = f"[{self.count}/{self.total}] {outcome.cluster_id}: {outcome.line()}"
        self.console.print(line, markup=False, highlight=False)


class _StepBar:
    """The pipeline's per-cluster steps, drawn on the batch's steps bar."""

    def __init__(self, bar, task):
        self.bar, self.task = bar, task

    def start(self, cluster_id: str, steps: int) -> None:
        self.bar.reset(self.task, total=steps, description=f"  {cluster_id}")

    def advance(self, step: str) -> None:
        self.bar.advance(self.task)


class RichBatchProgress(SilentBatchProgress):
    def __init__(self, bar):
        self.bar = bar
        self.clusters = bar.add_task("clusters", total=0)
        self.steps = bar.add_task("  steps", total=0)

    def begin(self, to_run: int, unchanged: int) -> None:
        self.bar.reset(self.clusters, total=to_run, description=f"clusters ({unchanged} unchanged)")

    def cluster(self, cluster_id: str) -> Progress:
        return _StepBar(self.bar, self.steps)

    def finished(self, outcome: Outcome) -> None:
        if outcome.status != "busy":
            self.bar.advance(self.clusters)
        if outcome.status in ("failed", "busy"):
            self.bar.console.print(f"{outcome.cluster_id}: {outcome.line()}", markup=False, highlight=False)


@contextmanager
def make_batch_progress(console: Console, quiet: bool):
    """The progress display suited to the terminal (or none with --quiet)."""
    if quiet:
        yield SilentBatchProgress()
    elif console.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Bars(*columns, console=console, transient=True) as bar:
            yield RichBatchProgress(bar)
    else:
        yield LineBatchProgress(console)


def print_outcomes(console: Console, outcomes: list[Outcome], quiet: bool) -> None:
    """The final table: every cluster with its status and reason (a long run of skipped ones is
    collapsed into a count). With --quiet only failures are printed, one line each."""
    failed = [o for o in outcomes if o.status == "failed"]
    if quiet:
        for outcome in failed:
            console.print(f"[red]failed[/] {escape(outcome.cluster_id)}: {escape(outcome.reason)}", highlight=False)
        return
    from rich.table import Table

    order = {"failed": 0, "done": 1, "busy": 2, "skipped": 3}
    rows = sorted(outcomes, key=lambda o: (order[o.status], o.cluster_id))
    skipped = [o for o in rows if o.status == "skipped"]
    hidden = len(skipped) - SKIPPED_ROWS_SHOWN if len(skipped) > SKIPPED_ROWS_SHOWN else 0
    table = Table("cluster", "status", "articles", "seconds", "detail", box=None, pad_edge=False)
    colours = {"failed": "red", "done": "green", "busy": "yellow", "skipped": "dim"}
    for outcome in rows[: len(rows) - hidden]:
        table.add_row(
            escape(outcome.cluster_id),
            f"[{colours[outcome.status]}]{outcome.status}[/]",
            str(outcome.articles or ""),
            f"{outcome.seconds:.1f}" if outcome.status == "done" else "",
            escape(outcome.reason),
        )
    if hidden:
        table.add_row(f"… {hidden} more", "[dim]skipped[/]", "", "", "unchanged")
    console.print(table)
    counts = {status: sum(o.status == status for o in outcomes) for status in order}
    console.print(", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no clusters", highlight=False)
