"""Clusters submitted over HTTP (`summarize serve`): safe storage under OUT, a queue, one worker.

Nothing a client sends becomes a path: cluster ids are made here, and file names are reduced to
a plain name (no folders, no control characters, no leading dots) before anything is written.
Everything lives under OUT:

    OUT/.uploads/.incoming-<id>/   an upload being written (a crash leaves only this; removed at start)
    OUT/.uploads/<id>/job.json     when it came, the names given and the names stored; a failure's reason
    OUT/.uploads/<id>/<id>/        the article files: the cluster folder the pipeline reads
    OUT/.uploads/<id>/out/         the pipeline's outputs while it runs (staging)
    OUT/<id>/                      the finished cluster, moved out of staging in one rename

So a cluster is visible in OUT complete or not at all, and its state is read from disk: done when
OUT/<id>/cluster.json exists, failed when job.json holds a reason, otherwise still to run (a
server that starts again queues it again). Clusters are run one at a time by one worker thread
that owns the backends and the cache, through the same `process_cluster` as the CLI.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import secrets
import shutil
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from summarize.backends import Backends, make_backends
from summarize.batch import describe_error
from summarize.cache import Cache
from summarize.errors import OutputError, SummarizeError
from summarize.ingest import ARTICLE_SUFFIXES, printable
from summarize.options import Options
from summarize.pipeline import process_cluster
from summarize.report import cluster_title
from summarize.write import atomic_write_text

log = logging.getLogger("summarize.serve")

UPLOADS = ".uploads"
INCOMING = ".incoming-"
JOB_FILE = "job.json"
STAGING = "out"
OUTPUT_FILES = ("cluster.json", "cluster.md", "cluster.html")
JOB_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
MAX_STEM_BYTES = 120
_PATH_SEPARATORS = re.compile(r"[\\/]")
_FORBIDDEN = set('<>:"|?*')


class UploadRejected(SummarizeError):
    """An upload that breaks a limit (HTTP 413) or holds nothing to brief (422)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    """Upload limits: bytes per file, files per cluster, bytes per cluster."""

    file_bytes: int = 5_000_000
    files: int = 50
    total_bytes: int = 20_000_000


@dataclass(frozen=True)
class Upload:
    """One article as a client sent it. `pasted`: text typed or sent as JSON, stored as .txt."""

    name: str
    data: bytes
    pasted: bool = False


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def check_limits(uploads: list[Upload], limits: Limits) -> None:
    """UploadRejected (413) for too many or too large files, (422) for none at all."""
    if not uploads:
        raise UploadRejected("no articles: upload at least one article file or paste a text", 422)
    if len(uploads) > limits.files:
        raise UploadRejected(f"too many files: {len(uploads)} > {limits.files} per cluster; split them into several clusters", 413)
    for upload in uploads:
        if len(upload.data) > limits.file_bytes:
            name = printable(upload.name) or "a pasted text"
            raise UploadRejected(
                f"{name} is too large: {_megabytes(len(upload.data))} > {_megabytes(limits.file_bytes)} per file", 413
            )
    total = sum(len(upload.data) for upload in uploads)
    if total > limits.total_bytes:
        raise UploadRejected(f"upload too large: {_megabytes(total)} > {_megabytes(limits.total_bytes)} per cluster", 413)


def safe_name(name: str, index: int, taken: set[str], pasted: bool = False) -> str:
    """A plain file name for a client's name: its last path part, printable, no leading dots, at
    most MAX_STEM_BYTES, unique (case-insensitively) among `taken`. Pasted texts end in an article
    suffix; a file keeps its own suffix, so what the CLI would skip is skipped with the same reason."""
    base = _PATH_SEPARATORS.split(unicodedata.normalize("NFC", name))[-1]
    base = "".join(c for c in base if c.isprintable() and c not in _FORBIDDEN).strip().lstrip(".").strip()
    stem, suffix = os.path.splitext(base)
    if pasted and suffix.lower() not in ARTICLE_SUFFIXES:
        stem, suffix = base, ".txt"
    while len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(" .") or f"article-{index}"
    suffix = suffix[:16]
    candidate, copy = stem + suffix, 2
    while candidate.casefold() in taken:
        candidate, copy = f"{stem}-{copy}{suffix}", copy + 1
    taken.add(candidate.casefold())
    return candidate


def new_id() -> str:
    """A fresh cluster id: UTC time (so ids sort by age) and 24 random bits."""
    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def child_dir(parent: Path, name: str) -> Path | None:
    """`parent/name` when `name` is a visible folder directly in `parent` (not a link, no path
    parts): a name can only select one of parent's own folders, never lead out of it."""
    if not name or name.startswith(".") or "/" in name or "\\" in name or "\x00" in name or name in {".", ".."}:
        return None
    path = parent / name
    try:
        if path.is_symlink() or not path.is_dir():
            return None
    except (OSError, ValueError):
        return None
    return path


def output_file(folder: Path, name: str) -> Path | None:
    """One of a cluster's output files, when it is a regular file (a link is never followed)."""
    path = folder / name
    if name not in OUTPUT_FILES or path.is_symlink() or not path.is_file():
        return None
    return path


@dataclass
class JobProgress:
    """A queued or running upload; also the pipeline's Progress (steps done of total)."""

    id: str
    submitted: str
    files: list[dict]
    status: str = "queued"
    done: int = 0
    total: int = 0
    step: str = "waiting for the worker"
    started: float = field(default=0.0)

    def start(self, cluster_id: str, steps: int) -> None:
        self.total, self.done, self.step = steps, 0, "reading the articles"

    def advance(self, step: str) -> None:
        self.done, self.step = self.done + 1, step


class ClusterService:
    """What `summarize serve` does behind HTTP: list OUT's clusters, take uploads, run them in turn."""

    def __init__(self, out_dir: Path, options: Options, limits: Limits = Limits(), backends: Backends | None = None):
        self.out_dir = Path(out_dir)
        self.uploads = self.out_dir / UPLOADS
        self.options = options
        self.limits = limits
        self.backends = backends or make_backends(options)
        self._jobs: dict[str, JobProgress] = {}
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.Lock()
        self._summaries: dict[str, tuple[tuple[int, int], dict]] = {}
        self._worker: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Clean what a crash left, queue every upload not yet done or failed, start the worker."""
        try:
            self.uploads.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(f"cannot write to {self.out_dir} ({err.strerror}); choose another --out directory") from err
        pending = []
        for entry in sorted(self.uploads.iterdir()):
            if entry.name.startswith(INCOMING):
                shutil.rmtree(entry, ignore_errors=True)
            elif JOB_ID.match(entry.name) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry / STAGING, ignore_errors=True)
                record = self._record(entry.name)
                if self._finished(entry.name) is None and record is not None and not record.get("error"):
                    pending.append(JobProgress(entry.name, record.get("submitted", ""), record.get("files", [])))
        for job in sorted(pending, key=lambda j: (j.submitted, j.id)):
            self._enqueue(job)
        if pending:
            log.info("queued again %d unfinished upload(s)", len(pending))
        self._worker = threading.Thread(target=self._work, name="summarize-worker", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        """No new runs. A run in progress is left: its outputs are in staging, and it runs again at the next start."""
        self._queue.put(None)

    # -- uploads -------------------------------------------------------------------------------

    def submit(self, uploads: list[Upload]) -> str:
        """Store the articles (atomically: the folder appears whole) and queue them; returns the id."""
        check_limits(uploads, self.limits)
        cluster_id = new_id()
        incoming = self.uploads / f"{INCOMING}{cluster_id}"
        taken: set[str] = set()
        files = []
        try:
            (incoming / cluster_id).mkdir(parents=True)
            for index, upload in enumerate(uploads, 1):
                stored = safe_name(upload.name, index, taken, upload.pasted)
                with open(incoming / cluster_id / stored, "xb") as handle:
                    handle.write(upload.data)
                    handle.flush()
                    os.fsync(handle.fileno())
                files.append({"name": printable(upload.name), "stored_as": stored})
            submitted = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
            atomic_write_text(incoming / JOB_FILE, json.dumps({"id": cluster_id, "submitted": submitted, "files": files}, ensure_ascii=False, indent=1) + "\n")
            os.rename(incoming, self.uploads / cluster_id)
            _fsync_dir(self.uploads)
        except OSError as err:
            shutil.rmtree(incoming, ignore_errors=True)
            raise OutputError(f"cannot store the upload in {self.uploads} ({err.strerror}); free some disk space") from err
        self._enqueue(JobProgress(cluster_id, submitted, files))
        log.info("queued %s: %d file(s)", cluster_id, len(files))
        return cluster_id

    def _enqueue(self, job: JobProgress) -> None:
        with self._lock:
            self._jobs[job.id] = job
        self._queue.put(job.id)

    # -- the worker ----------------------------------------------------------------------------

    def _work(self) -> None:
        cache = Cache(self.options.cache_dir if self.options.use_cache else None)  # made in the thread that uses it
        try:
            while (cluster_id := self._queue.get()) is not None:
                self._run(cluster_id, cache)
        finally:
            cache.close()

    def _run(self, cluster_id: str, cache: Cache) -> None:
        job = self._jobs[cluster_id]
        job.status, job.started = "running", time.perf_counter()
        folder = self.uploads / cluster_id
        staging = folder / STAGING
        try:
            shutil.rmtree(staging, ignore_errors=True)
            result, target = process_cluster(folder / cluster_id, staging, self.options, self.backends, cache, job)
            os.rename(target, self.out_dir / cluster_id)  # the cluster appears whole
            _fsync_dir(self.out_dir)
            count = len(result.articles)
            log.info("finished %s: %d article%s in %.1f s", cluster_id, count, "" if count == 1 else "s", time.perf_counter() - job.started)
        except Exception as err:  # a bad upload or a model error fails this cluster, never the server
            reason = describe_error(err).replace(f"{folder / cluster_id}: ", "")  # the client never sees server paths
            log.warning("failed %s: %s", cluster_id, reason)
            record = (self._record(cluster_id) or {}) | {"error": reason}
            try:
                atomic_write_text(folder / JOB_FILE, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
            except OutputError as write_error:
                log.warning("cannot record the failure of %s: %s", cluster_id, write_error)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            with self._lock:
                del self._jobs[cluster_id]

    # -- reading state -------------------------------------------------------------------------

    def _record(self, cluster_id: str) -> dict | None:
        try:
            return json.loads((self.uploads / cluster_id / JOB_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _finished(self, cluster_id: str) -> Path | None:
        """OUT/<id> when it holds a finished cluster (a regular cluster.json)."""
        folder = child_dir(self.out_dir, cluster_id)
        return folder if folder is not None and output_file(folder, "cluster.json") is not None else None

    def cluster_folder(self, cluster_id: str) -> Path | None:
        return self._finished(cluster_id)

    def document(self, cluster_id: str) -> dict | None:
        """A finished cluster's cluster.json document."""
        folder = self._finished(cluster_id)
        if folder is None:
            return None
        try:
            return json.loads((folder / "cluster.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _done_status(self, cluster_id: str, folder: Path) -> dict | None:
        """A finished cluster's listing entry, re-read only when its cluster.json changed."""
        try:
            stat = (folder / "cluster.json").stat()
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._summaries.get(cluster_id)
        if cached is None or cached[0] != key:
            doc = self.document(cluster_id)
            if doc is None or "cluster" not in doc:
                return None
            counts = (doc.get("checks") or {}).get("counts", {})
            summary = {
                "id": cluster_id,
                "status": "done",
                "title": cluster_title(doc),
                "articles": len(doc.get("articles", [])),
                "skipped": len(doc.get("skipped", [])),
                "flags": sum(counts.values()),
                "backend": doc.get("run", {}).get("backend", ""),
                "updated": _iso(stat.st_mtime),
            }
            cached = (key, summary)
            self._summaries[cluster_id] = cached
        return dict(cached[1])

    def _uploaded_done(self, cluster_id: str, folder: Path) -> dict | None:
        """A finished cluster's entry; an uploaded one also says which names its files were stored under."""
        entry = self._done_status(cluster_id, folder)
        if entry is not None and JOB_ID.match(cluster_id):
            record = self._record(cluster_id)
            if record is not None:
                entry["files"] = record.get("files", [])
        return entry

    def status(self, cluster_id: str) -> dict | None:
        """Where a cluster is: done (with its summary), queued or running (with progress), failed; None if unknown."""
        folder = self._finished(cluster_id)
        if folder is not None:
            return self._uploaded_done(cluster_id, folder)
        with self._lock:
            job = self._jobs.get(cluster_id)
            position = list(self._jobs).index(cluster_id) if job is not None else 0
        if job is not None:
            return {
                "id": cluster_id, "status": job.status, "title": "", "articles": len(job.files), "updated": job.submitted,
                "progress": {"done": job.done, "total": job.total, "step": job.step},
                "position": position if job.status == "queued" else 0, "files": job.files,
            }
        folder = self._finished(cluster_id)  # it may have finished since the first look
        if folder is not None:
            return self._uploaded_done(cluster_id, folder)
        if not JOB_ID.match(cluster_id) or child_dir(self.uploads, cluster_id) is None:
            return None
        record = self._record(cluster_id) or {}
        status = "failed" if record.get("error") else "queued"
        return {
            "id": cluster_id, "status": status, "title": "", "articles": len(record.get("files", [])),
            "updated": record.get("submitted", ""), "error": record.get("error"), "files": record.get("files", []),
        }

    def clusters(self) -> list[dict]:
        """Every cluster in OUT and every upload not yet done, newest first."""
        names = set()
        for parent in (self.out_dir, self.uploads):
            try:
                names.update(entry.name for entry in os.scandir(parent) if not entry.name.startswith("."))
            except OSError:
                continue
        entries = [entry for entry in map(self.status, sorted(names)) if entry is not None]
        order = {"queued": 2, "running": 2}
        return sorted(entries, key=lambda e: (order.get(e["status"], 1), e.get("updated") or "", e["id"]), reverse=True)
