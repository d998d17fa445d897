"""What runs and batches show on stderr: rich bars on a terminal, plain log lines otherwise, nothing
with --quiet (a batch still prints its failures); and a batch's final table of outcomes."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn, TimeElapsedColumn

from summarize.batch import Outcome, SilentBatchProgress
from summarize.pipeline import Progress, SilentProgress

SKIPPED_ROWS_SHOWN = 20


@contextmanager
def _display(console: Console, quiet: bool, silent, on_terminal, in_logs) -> Iterator:
    """`silent` with --quiet, rich bars (`on_terminal(bars)`) on a terminal, else log lines (`in_logs(console)`)."""
    if quiet:
        yield silent
    elif console.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Bars(*columns, console=console, transient=True) as bars:
            yield on_terminal(bars)
    else:
        yield in_logs(console)


# ---- one cluster -------------------------------------------------------------------------------


class _StepBar:
    """A cluster's steps on a bar: its own bar, described by the latest step; or, in a batch, the
    shared steps bar, reset for each cluster."""

    def __init__(self, bars: Bars, shared_task=None):
        self.bars, self.task, self.shared = bars, shared_task, shared_task is not None

    def start(self, cluster_id: str, steps: int) -> None:
        if self.shared:
            self.bars.reset(self.task, total=steps, description=f"  {cluster_id}")
        else:
            self.task = self.bars.add_task(cluster_id, total=steps)

    def advance(self, step: str) -> None:
        self.bars.update(self.task, advance=1, **({} if self.shared else {"description": step}))


class _StepLines:
    """One log line per step, for logs and pipes."""

    def __init__(self, console: Console):
        self.console = console
        self.cluster = ""

    def start(self, cluster_id: str, steps: int) -> None:
        self.cluster = cluster_id
        self.console.print(f"{cluster_id}: {steps} steps", highlight=False)

    def advance(self, step: str) -> None:
        self.console.print(f"{self.cluster}: {step}", highlight=False)


def make_progress(console: Console, quiet: bool):
    """A progress reporter for one cluster, suited to the terminal (or none with --quiet); a context manager."""
    return _display(console, quiet, SilentProgress(), on_terminal=_StepBar, in_logs=_StepLines)


# ---- a batch -----------------------------------------------------------------------------------


class _BatchLines(SilentBatchProgress):
    """One log line per finished cluster, for logs and pipes."""

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


class _BatchBars(SilentBatchProgress):
    """A clusters bar and a steps bar for the cluster in hand."""

    def __init__(self, bars: Bars):
        self.bars = bars
        self.clusters = bars.add_task("clusters", total=0)
        self.steps = bars.add_task("  steps", total=0)

    def begin(self, to_run: int, unchanged: int) -> None:
        self.bars.reset(self.clusters, total=to_run, description=f"clusters ({unchanged} unchanged)")

    def cluster(self, cluster_id: str) -> Progress:
        return _StepBar(self.bars, self.steps)

    def finished(self, outcome: Outcome) -> None:
        if outcome.status != "busy":
            self.bars.advance(self.clusters)
        if outcome.status in ("failed", "busy"):
            self.bars.console.print(f"{outcome.cluster_id}: {outcome.line()}", markup=False, highlight=False)


def make_batch_progress(console: Console, quiet: bool):
    """The batch's progress display suited to the terminal (or none with --quiet); a context manager."""
    return _display(console, quiet, SilentBatchProgress(), on_terminal=_BatchBars, in_logs=_BatchLines)


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
