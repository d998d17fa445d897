"""`batch --ray` against `batch --jobs 2` on one 2-core machine: the 99 French newstest2012 documents
as 33 clusters of 3, translated and summarised by the tiny test models (tests/tiny_models.py).

The models run on the CTranslate2 engine (converted once, before the timings): with transformers'
generate() these random tiny models decode every sentence to its length limit in Python, 5-11
minutes per cluster on this shared machine, which would leave nothing else to measure. Each mode
runs in this process through the library, cold (no cache), from building the Batch to closing it:
the local pool spawns 2 worker processes; the Ray pool connects to a running Ray instance (started
beforehand, as `ray start` would be, and timed on its own) and starts 2 actors. In both, each
worker imports the engines, loads the two models once and computes with one thread (Ray sets
OMP_NUM_THREADS=1 for a 1-CPU actor; the local pool gets the same here). The modes run in the
order jobs, ray, ray, jobs, so a drift in the machine's load weighs on both alike. The Ray actors
report how many times each loaded each model; the outputs of the two modes are compared
(cluster.json without timings). Ray's own costs are also measured apart: connecting, starting
the actors, a task's round trip and the bytes a task moves. Prints the figures and writes benchmarks/results/ray.json; without
../shared it says so and measures nothing.

    flock /work/bench.lock .venv/bin/python benchmarks/bench_ray.py [--clusters 33] [--docs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from html import unescape
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "ray.json"
SOURCE = REPO.parent / "shared" / "data" / "newstest2012" / "newstest2012-src.fr.sgm"
OVERHEAD_TARGET = 1.3
NODE_ADDRESS = "127.0.0.2"  # Ray on a loopback address (it turns 127.0.0.1 into the host's own)

_DOC = re.compile(r"<doc\b[^>]*>(.*?)</doc>", re.S)
_BLOCK = re.compile(r"<(h1|p)>(.*?)</\1>", re.S)
_SEG = re.compile(r"<seg\b[^>]*>(.*?)</seg>", re.S)

# A Ray instance that lives until its stdin closes, like a `ray start --head` that this script can
# stop without `ray stop` (which stops every Ray process on the machine, other people's too).
HEAD = """
import logging, sys, ray
ray.init(num_cpus=2, include_dashboard=False, _node_ip_address=sys.argv[1], logging_level=logging.WARNING, log_to_driver=False)
print(ray.get_runtime_context().gcs_address, flush=True)
sys.stdin.read()
ray.shutdown()
"""


def newstest_documents(path: Path) -> list[str]:
    """Each document as article text: its headline, then its paragraphs, separated by blank lines."""
    documents = []
    for body in _DOC.findall(path.read_text(encoding="utf-8")):
        blocks = [" ".join(unescape(s).strip() for s in _SEG.findall(block)) for _, block in _BLOCK.findall(body)]
        documents.append("\n\n".join(b for b in blocks if b) + "\n")
    return documents


def build_tree(root: Path, documents: list[str], clusters: int, per_cluster: int) -> int:
    for number in range(clusters):
        folder = root / f"newstest-{number:02d}"
        folder.mkdir(parents=True)
        for index, text in enumerate(documents[number * per_cluster : (number + 1) * per_cluster]):
            (folder / f"{index:02d}.txt").write_text(text, encoding="utf-8")
    return sum(1 for _ in root.rglob("*.txt"))


def start_head(temp: Path) -> tuple[subprocess.Popen, str, float]:
    started = time.perf_counter()
    head = subprocess.Popen(
        [sys.executable, "-c", HEAD, NODE_ADDRESS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_TMPDIR": str(temp)},
    )
    address = head.stdout.readline().strip()
    if not address:
        sys.exit("the Ray head did not start")
    return head, address, time.perf_counter() - started


def comparable(path: Path) -> dict:
    data = json.loads(path.read_text("utf-8"))
    del data["run"]["timings"], data["run"]["cache"]
    return data


def timed(make_batch) -> tuple[float, list, list[dict]]:
    """Seconds from building the batch to closing it, its outcomes, and its Ray actors' status (if any)."""
    started = time.perf_counter()
    with make_batch() as batch:
        outcomes = batch.run_pass()
        workers = batch.executor.workers() if hasattr(batch.executor, "workers") else []
    return time.perf_counter() - started, outcomes, workers


def ray_fixed_costs(address: str, options, root: Path, out: Path) -> dict:
    """What Ray adds besides the work, measured on their own: connecting, starting 2 actors until each
    answers its readiness check (a process, its imports, the folder and signature checks; the models
    load later, on each actor's first cluster), one task round trip, and the bytes each task moves."""
    import pickle

    import ray

    from summarize.batch import ClusterRunner, Outcome, discover_clusters
    from summarize.distributed import RayPool

    pool = RayPool(address, jobs=2)
    started = time.perf_counter()
    runner = ClusterRunner(out, pool.settle(options))
    connected = time.perf_counter()
    source = discover_clusters(root)[0][0]
    pool._start(runner, source.path.absolute())  # what the first run() does
    ready = time.perf_counter()
    calls = 50
    for _ in range(calls):
        pool.workers()
    round_trip_ms = (time.perf_counter() - ready) / calls / len(pool._actors) * 1000
    pool.close(interrupted=False)
    ray.shutdown()
    return {
        "connect_s": round(connected - started, 2),
        "actors_ready_s": round(ready - connected, 2),
        "task_round_trip_ms": round(round_trip_ms, 2),
        "bytes_per_task": {
            "cluster_in": len(pickle.dumps((source, {"wait": False, "retry_failed": True, "force": False}))),
            "outcome_back": len(pickle.dumps(Outcome(source.id, "done", 3, 12.5, "cache 0 hits / 120 misses"))),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=33)
    parser.add_argument("--docs", type=int, default=3, help="documents per cluster")
    args = parser.parse_args()
    if not SOURCE.is_file():
        print(f"bench_ray: needs {SOURCE} (../shared beside the checkout); nothing measured, {RESULTS.name} left as it is")
        return
    sys.path.insert(0, str(REPO / "tests"))
    from tiny_models import build_tiny_bart, build_tiny_marian

    import ray

    from summarize.batch import Batch
    from summarize.convert import Source, convert, ct2_root
    from summarize.distributed import RayPool
    from summarize.options import Options

    os.environ["OMP_NUM_THREADS"] = "1"  # one thread per local worker, as Ray gives each 1-CPU actor
    os.environ["RAY_AUTH_MODE"] = "disabled"  # a loopback instance of this script's own
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        tmp = Path(tmp)
        documents = newstest_documents(SOURCE)
        articles = build_tree(tmp / "seeds", documents, args.clusters, args.docs)
        marian, bart = build_tiny_marian(tmp / "tiny-marian"), build_tiny_bart(tmp / "tiny-bart")
        options = Options(
            backend="ct2", device="cpu", use_cache=False, translation_model=str(marian), summary_model=str(bart),
            model_dir=tmp / "models",
        )
        for model in (marian, bart):
            convert(Source.from_dir(str(model), model), ct2_root(options), "int8")
        head, address, head_start_s = start_head(tmp)
        runs: dict[str, list[float]] = {"jobs2": [], "ray": []}
        statuses: set[str] = set()
        try:
            fixed = ray_fixed_costs(address, options, tmp / "seeds", tmp / "out-probe")
            for number, mode in enumerate(("jobs2", "ray", "ray", "jobs2")):
                out = tmp / f"out-{mode}-{number}"
                if mode == "jobs2":
                    seconds, outcomes, _ = timed(lambda: Batch(tmp / "seeds", out, options, jobs=2))
                else:
                    seconds, outcomes, workers = timed(lambda: Batch(tmp / "seeds", out, options, executor=RayPool(address, jobs=2)))
                    ray.shutdown()  # the next Ray run connects afresh, as a new command would
                runs[mode].append(seconds)
                statuses |= {o.status for o in outcomes}
                print(f"  {mode}: {seconds:.1f} s, {sorted({o.status for o in outcomes})}", flush=True)
        finally:
            head.stdin.close()
            head.wait(timeout=120)
        names = sorted(p.name for p in (tmp / "seeds").iterdir())
        identical = all(
            comparable(tmp / "out-ray-1" / n / "cluster.json") == comparable(tmp / "out-jobs2-0" / n / "cluster.json") for n in names
        )
    jobs2_s, ray_s = (sum(times) / len(times) for times in (runs["jobs2"], runs["ray"]))
    ratio = ray_s / jobs2_s
    results = {
        "benchmark": "batch --ray (2 actors) vs --jobs 2, tiny test models on CTranslate2 int8, CPU, 1 thread per worker, no cache",
        "data": f"newstest2012 fr: {len(documents)} documents as {args.clusters} clusters of {args.docs}",
        "clusters": args.clusters,
        "articles": articles,
        "statuses_seen": sorted(statuses),
        "identical_cluster_json": identical,
        "runs_s": {mode: [round(t, 2) for t in times] for mode, times in runs.items()},
        "jobs2_s": round(jobs2_s, 2),
        "ray_s": round(ray_s, 2),
        "ray_overhead_ratio": round(ratio, 3),
        "overhead_target": OVERHEAD_TARGET,
        "meets_target": ratio <= OVERHEAD_TARGET,
        "ray_head_start_s": round(head_start_s, 2),
        "ray_fixed_costs": fixed,
        "ray_with_head_start_ratio": round((ray_s + head_start_s) / jobs2_s, 3),
        "ray_actors_last_run": [
            {"clusters": w["clusters"], "model_loads": {k: v for k, v in w["loads"].items() if k.endswith(" model")}} for w in workers
        ],
        "ray_version": ray.__version__,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    print_summary(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")


def print_summary(results: dict) -> None:
    ratio, target = results["ray_overhead_ratio"], results["overhead_target"]
    lines = [
        f"{results['data']}, {results['articles']} articles, tiny models on ct2 (load {results['load_average_before']})",
        f"  --jobs 2: {results['jobs2_s']:6.1f} s   --ray, 2 actors on a running instance: {results['ray_s']:6.1f} s"
        f" = {ratio:.2f}x (target <= {target}x)",
        f"  Ray instance start (once, not per batch): {results['ray_head_start_s']:.1f} s;"
        f" counted in: {results['ray_with_head_start_ratio']:.2f}x",
        *(
            f"  actor {number}: {actor['clusters']} clusters, model loads {actor['model_loads']}"
            for number, actor in enumerate(results["ray_actors_last_run"])
        ),
        f"  Ray's own costs: {results['ray_fixed_costs']}",
        f"  outputs identical: {results['identical_cluster_json']}",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
