"""Batch on a Ray cluster (`summarize batch --ray`): clusters run as Ray tasks on long-lived actors.

`RayPool` is the batch's executor for Ray (summarize/batch.py has the local ones). Each actor, a
`ClusterWorker`, holds one ClusterRunner for its whole life, so its models load once, on its
first cluster, and serve every cluster after it. Skipping, locks, atomic writes, manifests and
the index are the batch's own, unchanged: the driver skips unchanged clusters and writes the
index; actors run the rest under the per-cluster lock.

Pool shape: on CUDA one actor per GPU, each asking Ray for one GPU (and one CPU); on CPU, actors
of CPUS_PER_ACTOR CPUs each (fewer when the smallest node has fewer), as many as the nodes hold;
an engine computes with the CPUs Ray gives its actor (Ray sets OMP_NUM_THREADS to them). `--jobs
N` asks for N actors instead, each with as many CPUs (up to CPUS_PER_ACTOR) as still lets N fit.

What every node needs: summarize[ray] at the same version with the same models and libraries
(each actor checks that its run signature is the driver's), and ROOT and OUT at the same paths on
a filesystem every node sees (each actor checks that it can read a cluster folder and write OUT).
The cache is each node's own SQLite file, never one shared over a network filesystem: the
node's user cache dir, or --cache-dir, which must then be a local folder on every node (an actor
refuses one on a network filesystem).

Faults: an actor process that dies (killed, out of memory, its node lost) is restarted by Ray and
its cluster retried, up to TASK_RETRIES more times; the retry finds the cluster's lock free and
clears the killed writer's temp files. A cluster whose worker dies on every try is recorded as
failed, naming why. A driver that dies takes its actors with it; the next invocation re-runs
what has no manifest, as any batch does. Ray is imported here only, and this module only for --ray.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from summarize.backends.engine import LOADS
from summarize.batch import BatchProgress, ClusterRunner, ClusterSource, Outcome
from summarize.errors import BatchError, UsageError, first_line
from summarize.index import LOCK_DIR
from summarize.options import Options, default_cache_dir, translation_overrides
from summarize.pipeline import SilentProgress
from summarize.presets import ANY_LANGUAGE
from summarize.signature import Signature

CPUS_PER_ACTOR = 4  # CPU inference threads per actor: more actors of fewer threads each use cores better, but each holds its own models
TASK_RETRIES = 2  # a cluster whose actor dies is tried this many more times (on the restarted actor)
START_TIMEOUT_S = 300.0  # actors not ready by then (no free resources) are given up; none ready is an error
WAIT_STEP_S = 1.0  # the longest the driver blocks in Ray at a time, so Ctrl-C is handled promptly
STATUS_TIMEOUT_S = 30.0
# Filesystem types (as /proc/mounts names them) that hold files for several machines.
NETWORK_FILESYSTEMS = {
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "lustre", "gpfs", "beegfs", "afs", "9p",
    "fuse.sshfs", "fuse.glusterfs", "fuse.cephfs", "fuse.juicefs", "fuse.s3fs", "fuse.gcsfuse", "fuse.rclone",
}


def _import_ray():
    try:
        import ray
    except ImportError:
        raise UsageError("--ray needs Ray, which is not installed. Fix: pip install 'summarize[ray]'") from None
    return ray


def connect(ray, address: str) -> bool:
    """Connect this process to a Ray cluster; True when this call started one (and so must stop it).

    "auto": the cluster `ray start` made on this host (or RAY_ADDRESS), else a new local one (no
    dashboard); otherwise an address as `ray start --head` prints it (HOST:6379, or ray://HOST:10001).
    """
    if ray.is_initialized():  # a library user (or a test) connected already
        return False
    quiet = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address == "auto":
        try:
            ray.init(address="auto", **quiet)
            return False
        except ConnectionError:
            ray.init(include_dashboard=False, **quiet)
            return True
    try:
        ray.init(address=address, **quiet)
    except (ConnectionError, ValueError, RuntimeError) as err:
        raise BatchError(
            f"cannot connect to the Ray cluster at {address} ({first_line(err)}); start one with `ray start --head` "
            "and pass the address it prints, or pass --ray auto"
        ) from None
    return False


@dataclass(frozen=True)
class PoolShape:
    """How many actors a batch starts and what each asks Ray for."""

    actors: int
    cpus: int
    gpus: int

    def describe(self) -> str:
        each = f"{self.gpus} GPU" if self.gpus else f"{self.cpus} CPU{'s' if self.cpus > 1 else ''}"
        return f"{self.actors} worker{'s' if self.actors > 1 else ''} of {each} each"


def pool_shape(node_cpus: list[float], gpus: int, on_gpu: bool, jobs: int | None) -> PoolShape:
    """The actors for a cluster whose live nodes have `node_cpus` CPUs and `gpus` GPUs in all."""
    if on_gpu:
        if jobs is not None and jobs > gpus:
            raise UsageError(f"--jobs {jobs} asks for {jobs} GPU workers but the Ray cluster has {gpus} GPUs. Fix: pass --jobs {gpus} or less")
        return PoolShape(jobs or gpus, 1, 1)
    cpus = [int(count) for count in node_cpus if count >= 1]
    if not cpus:
        raise BatchError("the Ray cluster has no node with a CPU to run on; add one with `ray start --address HEAD:6379`")
    if jobs is None:
        per_actor = min(CPUS_PER_ACTOR, min(cpus))
        return PoolShape(sum(count // per_actor for count in cpus), per_actor, 0)
    for per_actor in range(min(CPUS_PER_ACTOR, max(cpus)), 0, -1):
        if sum(count // per_actor for count in cpus) >= jobs:
            return PoolShape(jobs, per_actor, 0)
    raise UsageError(
        f"--jobs {jobs} asks for more workers than the Ray cluster's {sum(cpus)} CPUs hold (one CPU each at least). "
        f"Fix: pass --jobs {sum(cpus)} or less, or leave it out"
    )


def filesystem_type(path: Path, mounts: str) -> str:
    """The type of the filesystem holding `path`, from /proc/mounts text ("" when not found)."""
    best, kind = "", ""
    resolved = str(path.resolve())
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def _mounts() -> str:
    try:
        return Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: the check is skipped
        return ""


def folder_problem(node: str, cluster_folder: Path, out_dir: Path, cache_dir: Path | None, mounts: str) -> str:
    """Why a worker on `node` cannot run this batch ("" when it can): it must read the clusters,
    write OUT (both shared by every node) and keep its cache on a local disk."""
    shared = "ROOT and --out must be on a filesystem every node of the Ray cluster sees, at the same path"
    try:
        os.listdir(cluster_folder)
    except OSError as err:
        return f"the Ray worker on node {node} cannot read the cluster folder {cluster_folder} ({err.strerror}); {shared}"
    try:
        (out_dir / LOCK_DIR).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir / LOCK_DIR, prefix=".probe-", suffix=".tmp"):
            pass
    except OSError as err:
        return f"the Ray worker on node {node} cannot write to {out_dir} ({err.strerror}); {shared}"
    if cache_dir is not None:
        kind = filesystem_type(cache_dir, mounts)
        if kind in NETWORK_FILESYSTEMS:
            return (
                f"the cache folder {cache_dir} on node {node} is on a network filesystem ({kind}); SQLite must not be shared "
                "between machines: leave out --cache-dir (each node then uses its own user cache dir) or pass a local folder"
            )
    return ""


def signature_difference(ours: Signature, theirs: str) -> str:
    """The first field of our run signature that `theirs` does not have (for the mismatch message)."""
    for name, value in ours.fields:
        if (value if name is None else f"{name}:{value}") not in theirs:
            return name or value
    return "the order of its fields"


class ClusterWorker:
    """One Ray actor: a ClusterRunner whose backends, and so models, live as long as the actor."""

    def __init__(self, out_dir: Path, options: Options, local_cache: bool):
        if local_cache:  # this node's own user cache dir, not the driver's path for it
            options = options.with_(cache_dir=default_cache_dir())
        self.runner = ClusterRunner(out_dir, options)
        self.working_on: str | None = None
        self.clusters = 0

    def ready(self, cluster_folder: Path) -> tuple[str, str, str]:
        """(node, problem or "", run signature): whether this worker can run the batch as the driver would."""
        options = self.runner.options
        cache_dir = options.cache_dir if options.use_cache else None
        problem = folder_problem(_node(), cluster_folder, self.runner.out_dir, cache_dir, _mounts())
        return _node(), problem, str(self.runner.signature)

    def process(self, source: ClusterSource, flags: dict) -> Outcome:
        self.working_on = source.id
        try:
            return self.runner.process(source, SilentProgress(), **flags)
        finally:
            self.working_on = None
            self.clusters += 1

    def status(self) -> dict:
        """Where this worker runs, what it is on and what it loaded (runs on its own thread, so it
        answers while process() works)."""
        return {"node": _node(), "pid": os.getpid(), "working_on": self.working_on, "clusters": self.clusters, "loads": dict(LOADS)}


def _node() -> str:
    import ray

    return ray.util.get_node_ip_address()


class RayPool:
    """The batch executor for a Ray cluster: a pool of ClusterWorker actors, started on first need
    (a fully skipped batch starts none) and kept across --watch passes."""

    def __init__(self, address: str = "auto", jobs: int | None = None):
        self.address, self.jobs = address, jobs
        self.ray = None
        self.shape: PoolShape | None = None
        self._owned = False
        self._local_cache = False
        self._nodes: list[dict] = []
        self._actors: list = []

    def settle(self, options: Options) -> Options:
        """Connect, then fix what a remote worker cannot decide for itself: the device for the whole
        cluster ("auto": CUDA when it has GPUs; Ray gives each actor its own GPU as "cuda") and
        absolute paths; and the pool's shape."""
        self.ray = _import_ray()
        self._owned = connect(self.ray, self.address)
        self._nodes = [node["Resources"] for node in self.ray.nodes() if node.get("Alive")]
        gpus = int(sum(resources.get("GPU", 0) for resources in self._nodes))
        device = options.device
        if device == "auto":
            device = "cuda" if gpus else "cpu"
        elif device.startswith("cuda"):
            if not gpus:
                raise BatchError(f"--device {device}, but the Ray cluster has no GPU. Fix: pass --device cpu, or add GPU nodes")
            device = "cuda"
        self.shape = pool_shape([r.get("CPU", 0) for r in self._nodes], gpus, device == "cuda", self.jobs)
        self._local_cache = options.cache_dir == default_cache_dir()
        return options.with_(
            device=device,
            cache_dir=options.cache_dir.absolute(),
            model_dir=options.model_dir.absolute() if options.model_dir else None,
            translation_model=absolute_models(options.translation_model),
            summary_model=absolute_models(options.summary_model),
        )

    def describe(self) -> str:
        cpus = int(sum(r.get("CPU", 0) for r in self._nodes))
        gpus = int(sum(r.get("GPU", 0) for r in self._nodes))
        nodes = len(self._nodes)
        return f"Ray cluster: {nodes} node{'s' if nodes > 1 else ''}, {cpus} CPUs, {gpus} GPUs; {self.shape.describe()}"

    def run(self, runner: ClusterRunner, sources: list[ClusterSource], progress: BatchProgress, **flags) -> Iterator[Outcome]:
        """Each cluster as a task on a free actor; outcomes as the tasks finish."""
        if not sources:
            return
        queue = deque(ClusterSource(s.id, s.path.absolute(), tuple(f.absolute() for f in s.files)) for s in sources)
        if not self._actors:
            self._start(runner, queue[0].path)
        idle = list(self._actors)
        running: dict = {}
        while queue or running:
            while queue and idle:
                actor, source = idle.pop(), queue.popleft()
                running[actor.process.remote(source, flags)] = (actor, source)
            finished, _ = self.ray.wait(list(running), num_returns=1, timeout=WAIT_STEP_S)
            for ref in finished:
                actor, source = running.pop(ref)
                idle.append(actor)
                yield self._outcome(ref, source, runner)

    def _outcome(self, ref, source: ClusterSource, runner: ClusterRunner) -> Outcome:
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayError as err:  # its worker died on every try (or Ray lost it)
            reason = (
                f"its Ray worker died {TASK_RETRIES + 1} times ({type(err).__name__}: {first_line(err)}); "
                "the Ray logs of its node say why (often: out of memory)"
            )
            return runner.record_failure(source, reason)

    def _start(self, runner: ClusterRunner, cluster_folder: Path) -> None:
        """Start the actors and check each can run the batch as this driver would; BatchError if not."""
        ray, shape = self.ray, self.shape
        worker = ray.remote(concurrency_groups={"status": 1})(ClusterWorker).options(
            num_cpus=shape.cpus, num_gpus=shape.gpus, max_restarts=-1, max_task_retries=TASK_RETRIES
        )
        self._actors = [worker.remote(runner.out_dir.absolute(), runner.options, self._local_cache) for _ in range(shape.actors)]
        checks = {actor.ready.remote(cluster_folder): actor for actor in self._actors}
        ready, late = ray.wait(list(checks), num_returns=len(checks), timeout=START_TIMEOUT_S)
        for ref in late:  # no resources for it in time: go on with the others
            ray.kill(checks[ref])
            self._actors.remove(checks[ref])
        if not ready:
            raise BatchError(
                f"no Ray worker started within {START_TIMEOUT_S:.0f} s ({shape.describe()} asked); "
                "the cluster is busy or too small: free it, or pass a smaller --jobs"
            )
        for ref in ready:
            try:
                node, problem, signature = ray.get(ref)
            except ray.exceptions.RayError as err:
                raise BatchError(f"a Ray worker could not start: {first_line(err)}; the Ray logs of its node say why") from None
            if problem:
                raise BatchError(problem)
            if signature != runner.signature:
                field = signature_difference(runner.signature, signature)
                raise BatchError(
                    f"the Ray worker on node {node} would compute different outputs than this machine (its run signature "
                    f"differs in {field!r}); install the same summarize version, libraries and models on every node"
                )

    def workers(self) -> list[dict]:
        """Each actor's status (node, pid, cluster in hand, clusters run, model loads)."""
        calls = [actor.status.options(concurrency_group="status").remote() for actor in self._actors]
        return self.ray.get(calls, timeout=STATUS_TIMEOUT_S)

    def close(self, interrupted: bool) -> None:
        """Stop the actors (with their in-flight clusters, which re-run next time), and Ray if we started it."""
        if self.ray is None:
            return
        for actor in self._actors:
            self.ray.kill(actor)
        self._actors = []
        if self._owned:
            self.ray.shutdown()
            self._owned = False


def absolute_models(spec: str | None) -> str | None:
    """A model option (MODEL, or LANG=MODEL,... for translation) with its local folders made absolute,
    since a worker's working folder is not ours; hub ids stay as they are."""
    overrides = translation_overrides(spec)
    if list(overrides) in ([], [ANY_LANGUAGE]):
        return _absolute_if_local(spec)
    return ",".join(f"{language}={_absolute_if_local(model)}" for language, model in overrides.items())


def _absolute_if_local(spec: str | None) -> str | None:
    return str(Path(spec).absolute()) if spec and Path(spec).exists() else spec
