"""Batch throughput with the stub backend: 200 synthetic clusters, cold then warm (all skipped).

Times the `summarize batch` CLI as a subprocess (interpreter start and imports count: that is what a
user waits for), plus the warm pass in-process (tests/test_batch.py checks that a fully skipped
batch imports no model library). Prints the figures and writes benchmarks/results/batch.json. Needs no ../shared.

    python benchmarks/bench_batch.py [--clusters 200] [--articles 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "batch.json"
WARM_TARGET_S = 2.0

_SUBJECTS = ("Le gouvernement", "La maire", "Le syndicat", "La préfecture", "Le tribunal", "Une étude", "Le ministre")
_VERBS = ("annonce", "conteste", "prépare", "finance", "suspend", "examine", "défend")
_OBJECTS = ("un plan de rénovation", "la réforme des retraites", "le budget régional", "une ligne de métro",
            "les aides agricoles", "la fermeture d'une usine", "un accord salarial")


def synthetic_article(rng: random.Random, sentences: int) -> str:
    """A French-looking article of `sentences` sentences, distinct for every rng state."""
    body = [
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
        f" pour {rng.randint(2, 900)} millions d'euros d'ici {rng.randint(2025, 2040)},"
        f" selon un communiqué publié le {rng.randint(1, 28)} mars."
        for _ in range(sentences)
    ]
    paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}\n\n" + "\n\n".join(paragraphs) + "\n"


def build_tree(root: Path, clusters: int, articles: int) -> None:
    for number in range(clusters):
        folder = root / f"{2020 + number % 4}" / f"{number % 12 + 1:02d}" / f"fr-{number:03d}"
        folder.mkdir(parents=True)
        rng = random.Random(number)
        for index in range(articles):
            (folder / f"{index:03d}.txt").write_text(synthetic_article(rng, 12), encoding="utf-8")


def timed_cli(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    command = [sys.executable, "-c", "from summarize.cli import main; main()", "batch", *args]
    command += ["--backend", "stub", "-q"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"batch failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--articles", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        root, out, cache = Path(tmp) / "seeds", Path(tmp) / "out", Path(tmp) / "cache"
        build_tree(root, args.clusters, args.articles)
        common = (str(root), "--out", str(out), "--cache-dir", str(cache))
        cold_s, _ = timed_cli(*common)
        warm_s, _ = timed_cli(*common)
        jobs_cold_s, _ = timed_cli(str(root), "--out", str(Path(tmp) / "out-jobs2"), "--no-cache", "--jobs", "2")

        from summarize.batch import Batch
        from summarize.options import Options

        with Batch(root, out, Options(backend="stub", cache_dir=cache)) as batch:
            started = time.perf_counter()
            outcomes = batch.run_pass()
            warm_in_process_s = time.perf_counter() - started
        assert all(o.status == "skipped" for o in outcomes), "warm pass should skip every cluster"
    n = args.clusters
    results = {
        "benchmark": "batch (stub backend)",
        "clusters": n,
        "articles_per_cluster": args.articles,
        "cold_cli_s": round(cold_s, 3),
        "cold_clusters_per_s": round(n / cold_s, 1),
        "cold_cli_jobs2_no_cache_s": round(jobs_cold_s, 3),
        "cold_jobs2_clusters_per_s": round(n / jobs_cold_s, 1),
        "warm_cli_s": round(warm_s, 3),
        "warm_clusters_per_s": round(n / warm_s, 1),
        "warm_in_process_s": round(warm_in_process_s, 3),
        "warm_target_s": WARM_TARGET_S,
        "warm_meets_target": warm_s < WARM_TARGET_S,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    print(f"{n} clusters x {args.articles} articles, stub backend (load {results['load_average_before']})")
    print(f"  cold  CLI: {cold_s:6.2f} s  {n / cold_s:7.1f} clusters/s")
    print(f"  cold  CLI --jobs 2 --no-cache: {jobs_cold_s:6.2f} s  {n / jobs_cold_s:7.1f} clusters/s")
    print(f"  warm  CLI: {warm_s:6.2f} s  {n / warm_s:7.1f} clusters/s  (target < {WARM_TARGET_S:g} s)")
    print(f"  warm  in-process pass: {warm_in_process_s:.3f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
