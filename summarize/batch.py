"""Batch: every cluster folder under a root, incremental, resumable and safe to run twice at once.

Clusters and ids: a cluster is any folder under ROOT that directly holds article files. Its id is
its path relative to ROOT with the parts joined by "__" (ROOT/2023/09/fr-03 -> "2023__09__fr-03";
ROOT itself -> its own folder name, as with `summarize run`); its outputs go to OUT/<id>/. Hidden
folders and OUT are not searched. Two folders that map to one id both fail, naming each other.

Incremental: a cluster runs only when its set of files, their sha256 or the run signature changed
since its manifest (summarize/manifest.py); a re-run hits the sentence cache for unchanged text.
The skip check reads files and manifests only: no model loads, no torch import.

Resumable: outputs are atomic and the manifest goes last, so after a kill (SIGKILL included) the
same command re-runs exactly the unfinished clusters; work that reached the cache is not redone.

Concurrency: one lock per cluster (filelock, OUT/.locks/<id>.lock). A batch that finds a cluster
locked by another process goes on with the others ("busy"), then waits for it at the end of the
pass and finds it done (skipped) or runs it. The SQLite cache (WAL) takes concurrent writers.
Where clusters run is an `Executor`: `InProcess` (the default, --jobs 1), `ProcessPool` (--jobs N:
N worker processes, each building its backends once and reusing them for all its clusters; models
are not shared between threads, so progress is then shown per cluster only) and, in
summarize/distributed.py, `RayPool` (a pool of Ray actors over a cluster of machines). Skipping,
the index and the busy-then-wait order stay here, the same for all of them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Protocol

from summarize.backends import make_backends
from summarize.cache import Cache
from summarize.errors import BatchError, OutputError, SummarizeError, first_line
from summarize.index import LOCK_DIR, write_index
from summarize.ingest import list_article_files
from summarize.manifest import Manifest, fingerprint, forget, still_valid, write_manifest
from summarize.options import Options
from summarize.pipeline import Progress, SilentProgress, run_cluster, run_signature
from summarize.records import ClusterResult
from summarize.text import headline as text_headline
from summarize.write import write_outputs

ID_SEPARATOR = "__"


@dataclass(frozen=True)
class ClusterSource:
    id: str
    path: Path
    files: tuple[Path, ...]


@dataclass(frozen=True)
class Outcome:
    """What happened to one cluster in one pass. `attempted` is False when the pass did nothing new
    for it (unchanged since its manifest, or a folder problem found again), so --watch stays quiet."""

    cluster_id: str
    status: str  # done | skipped | failed | busy
    articles: int = 0
    seconds: float = 0.0
    reason: str = ""
    attempted: bool = True

    def line(self) -> str:
        if self.status == "done":
            return f"done, {self.articles} articles, {self.seconds:.1f} s ({self.reason})"
        return f"{self.status}: {self.reason}"


def cluster_id(root: Path, folder: Path) -> str:
    parts = folder.relative_to(root).parts
    return ID_SEPARATOR.join(parts) if parts else (root.resolve().name or "root")


def discover_clusters(root: Path, skip: Path | None = None) -> tuple[list[ClusterSource], list[Outcome]]:
    """Every folder under `root` that directly holds article files, sorted by id; folders that
    cannot be read and clashing ids come back as failed outcomes."""
    found: dict[str, list[ClusterSource]] = {}
    failures: list[Outcome] = []
    skip = skip.resolve() if skip is not None else None

    def unreadable(err: OSError) -> None:
        folder = Path(err.filename)
        reason = f"cannot read folder {folder} ({err.strerror}); check its permissions"
        failures.append(Outcome(cluster_id(root, folder), "failed", reason=reason, attempted=False))

    for folder, subfolders, _ in os.walk(root, onerror=unreadable):
        folder = Path(folder)
        subfolders[:] = sorted(
            d for d in subfolders
            if not d.startswith(".") and not (skip and d == skip.name and (folder / d).resolve() == skip)
        )
        try:
            files = list_article_files(folder)
        except OSError as err:
            unreadable(err)
            continue
        if files:
            source = ClusterSource(cluster_id(root, folder), folder, tuple(files))
            found.setdefault(source.id, []).append(source)
    sources = []
    for key in sorted(found):
        clashing = found[key]
        if len(clashing) == 1:
            sources.append(clashing[0])
            continue
        folders = " and ".join(str(s.path) for s in clashing)
        reason = f"folders {folders} share the id {key!r}; rename one of them"
        failures.append(Outcome(key, "failed", reason=reason, attempted=False))
    return sources, failures


def headline(result: ClusterResult) -> str:
    """A short title for the index: the cluster brief's first sentence (else the first article's title)."""
    return text_headline(result.brief.summary, result.articles[0].article.title)


def run_notes(result: ClusterResult) -> str:
    """Cache use and file-level notes of a run, for the batch table (details are in cluster.json)."""
    notes = [f"cache {result.run.cache['hits']} hits / {result.run.cache['misses']} misses"]
    if result.problems:
        notes.append(f"{len(result.problems)} files skipped")
    return "; ".join(notes)


def describe_error(err: Exception) -> str:
    """One line: our own errors already name the fix; anything else is labelled with its type."""
    if isinstance(err, SummarizeError):
        return first_line(err, limit=1000)
    return f"{type(err).__name__}: {first_line(err, limit=1000)}" if str(err).strip() else type(err).__name__


class BatchProgress(Protocol):
    """What a batch reports: how many clusters run, each cluster's steps, each outcome."""

    def begin(self, to_run: int, unchanged: int) -> None: ...
    def cluster(self, cluster_id: str) -> Progress: ...
    def finished(self, outcome: Outcome) -> None: ...


class SilentBatchProgress:
    def begin(self, to_run: int, unchanged: int) -> None:
        pass

    def cluster(self, cluster_id: str) -> Progress:
        return SilentProgress()

    def finished(self, outcome: Outcome) -> None:
        pass


class ClusterRunner:
    """Runs clusters in this process with one set of backends and one cache, reused for every cluster."""

    def __init__(self, out_dir: Path, options: Options):
        self.out_dir = out_dir
        self.options = options
        self.backends = make_backends(options)
        self.signature = run_signature(options, self.backends)
        self.cache = Cache(options.cache_dir if options.use_cache else None)

    def unchanged(self, source: ClusterSource, files: dict[str, str], retry_failed: bool) -> Outcome | None:
        """The outcome of a cluster that need not run (same files and settings as its manifest), else None."""
        kept = still_valid(self.out_dir / source.id, self.signature, files, retry_failed)
        if kept is None:
            return None
        if kept.status == "failed":
            reason = f"{kept.reason} (unchanged since {kept.finished})"
            return Outcome(source.id, "failed", reason=reason, attempted=False)
        return Outcome(source.id, "skipped", kept.articles, reason="unchanged", attempted=False)

    def process(
        self, source: ClusterSource, progress: Progress, *, wait: bool, retry_failed: bool, force: bool
    ) -> Outcome:
        """Run one cluster under its lock; a cluster locked by another process is "busy" unless `wait`."""
        from filelock import FileLock, Timeout

        lock_path = self.out_dir / LOCK_DIR / f"{source.id}.lock"
        lock = FileLock(lock_path, timeout=-1 if wait else 0)
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            lock.acquire()
        except Timeout:
            return Outcome(source.id, "busy", reason="another process is on it; waiting for it at the end")
        except OSError as err:
            return Outcome(source.id, "failed", reason=f"cannot lock {lock_path} ({err.strerror}); choose another --out")
        try:
            return self._process_locked(source, progress, retry_failed, force)
        finally:
            lock.release()

    def _process_locked(self, source: ClusterSource, progress: Progress, retry_failed: bool, force: bool) -> Outcome:
        started = time.perf_counter()
        files: dict[str, str] = {}
        try:
            files = fingerprint(list_article_files(source.path))
            kept = None if force else self.unchanged(source, files, retry_failed)
            if kept is not None:
                return kept
            forget(self.out_dir / source.id)
            result = run_cluster(source.path, self.options, self.backends, self.cache, progress)
            result = replace(result, cluster_id=source.id)
            write_outputs(result, self.out_dir)
            seconds = time.perf_counter() - started
            notes = run_notes(result)
            if fingerprint(list_article_files(source.path)) != files:
                notes += "; files changed during the run, they are picked up next time"
                return Outcome(source.id, "done", len(result.articles), seconds, notes)
            self._record(source, "done", files, title=headline(result), articles=len(result.articles))
            return Outcome(source.id, "done", len(result.articles), seconds, notes)
        except Exception as err:  # one bad cluster (bad files, model error, full disk) must not stop the batch
            reason = describe_error(err)
            with suppress(OSError, OutputError):  # if OUT itself is unwritable, the reason already says so
                self._record(source, "failed", files, reason=reason)
            return Outcome(source.id, "failed", seconds=time.perf_counter() - started, reason=reason)

    def record_failure(self, source: ClusterSource, reason: str) -> Outcome:
        """Record that `source` could not be run (e.g. its worker process kept dying): a failed
        manifest, so the index says why and the next invocation retries it."""
        with suppress(OSError, OutputError):
            self._record(source, "failed", fingerprint(list(source.files)), reason=reason)
        return Outcome(source.id, "failed", reason=reason)

    def _record(self, source: ClusterSource, status: str, files: dict[str, str], **details) -> None:
        """Write the cluster's manifest: the last file of a run, whatever its outcome."""
        manifest = Manifest(status, self.signature, files, str(source.path.absolute()), **details)
        write_manifest(self.out_dir / source.id, manifest)


class Executor(Protocol):
    """Where a batch's clusters run: `run` yields one outcome per source as each finishes (any order).

    `settle` returns the options as the executor's workers will run them (e.g. a device of "auto"
    resolved for a remote cluster) before the batch computes its run signature; `close` stops the
    workers (at once when `interrupted`: unfinished clusters have no manifest and re-run next time).
    """

    def settle(self, options: Options) -> Options: ...
    def run(self, runner: ClusterRunner, sources: list[ClusterSource], progress: BatchProgress, **flags) -> Iterator[Outcome]: ...
    def close(self, interrupted: bool) -> None: ...


class _OnThisMachine:
    """Executors on this machine: every worker sees what this process sees, so options stay as they are."""

    def settle(self, options: Options) -> Options:
        return options

    def close(self, interrupted: bool) -> None:
        pass


class InProcess(_OnThisMachine):
    """Runs every cluster in this process with the batch's own runner, one after the other."""

    def run(self, runner: ClusterRunner, sources: list[ClusterSource], progress: BatchProgress, **flags) -> Iterator[Outcome]:
        for source in sources:
            yield runner.process(source, progress.cluster(source.id), **flags)


_WORKER: ClusterRunner | None = None  # in a --jobs worker process: its runner, built once by _start_worker


def _start_worker(out_dir: Path, options: Options) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the pool
    _WORKER = ClusterRunner(out_dir, options)


def _work(task: tuple[ClusterSource, dict]) -> Outcome:
    source, flags = task
    return _WORKER.process(source, SilentProgress(), **flags)


class ProcessPool(_OnThisMachine):
    """`jobs` worker processes on this machine, started on first need (a fully skipped batch spawns none)."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool = None

    def run(self, runner: ClusterRunner, sources: list[ClusterSource], progress: BatchProgress, **flags) -> Iterator[Outcome]:
        if not sources:
            return
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(self.jobs, _start_worker, (runner.out_dir, runner.options))
        yield from self._pool.imap_unordered(_work, [(source, flags) for source in sources])

    def close(self, interrupted: bool) -> None:
        if self._pool is None:
            return
        if interrupted:
            self._pool.terminate()
        else:
            self._pool.close()
        self._pool.join()


class Batch:
    """A batch over ROOT: run_pass() brings every cluster's outputs up to date, then rebuilds the index.

    Clusters run on `executor` (default: in this process, or a pool of `jobs` processes)."""

    def __init__(
        self, root: Path, out_dir: Path, options: Options, jobs: int = 1, force: bool = False, executor: Executor | None = None
    ):
        if not root.exists():
            raise BatchError(f"{root}: does not exist; pass the folder that holds your cluster folders")
        if not root.is_dir():
            raise BatchError(f"{root}: not a folder; pass the folder that holds your cluster folders")
        self.root, self.out_dir, self.force = root, out_dir, force
        self.executor = executor or (InProcess() if jobs == 1 else ProcessPool(jobs))
        try:
            self.runner = ClusterRunner(out_dir, self.executor.settle(options))
        except BaseException:
            self.executor.close(interrupted=True)
            raise

    def run_pass(self, progress: BatchProgress | None = None, retry_failed: bool = True) -> list[Outcome]:
        progress = progress or SilentBatchProgress()
        sources, outcomes = discover_clusters(self.root, skip=self.out_dir)
        try:
            to_run = []
            for source in sources:
                kept = None
                if not self.force:
                    kept = self.runner.unchanged(source, fingerprint(list(source.files)), retry_failed)
                if kept is None:
                    to_run.append(source)
                else:
                    outcomes.append(kept)
            progress.begin(len(to_run), len(sources) - len(to_run))
            flags = {"retry_failed": retry_failed, "force": self.force}
            busy = set()
            for outcome in self.executor.run(self.runner, to_run, progress, wait=False, **flags):
                progress.finished(outcome)
                if outcome.status == "busy":
                    busy.add(outcome.cluster_id)
                else:
                    outcomes.append(outcome)
            waited = [s for s in to_run if s.id in busy]
            for outcome in self.executor.run(self.runner, waited, progress, wait=True, **flags):
                progress.finished(outcome)
                outcomes.append(outcome)
        except BaseException:
            with suppress(OutputError):  # the error that stopped the pass is the one to report
                self._write_index(sources)
            raise
        self._write_index(sources)
        return outcomes

    def _write_index(self, sources: list[ClusterSource]) -> None:
        if sources or self.out_dir.is_dir():
            with _interrupts_deferred():
                write_index(self.out_dir, self.root, {s.id: s.path for s in sources})

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type, *_) -> None:
        try:
            self.executor.close(interrupted=exc_type is not None)
        finally:
            self.runner.cache.close()


@contextmanager
def _interrupts_deferred():
    """Hold Ctrl-C until the block ends, so an interrupt never leaves the index behind the outputs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
