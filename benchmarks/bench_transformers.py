"""The transformers backend on shape-true models: the seed cluster end to end, at beam 1 and beam 4.

Uses the random-weight opus-mt-fr-en and distilbart-cnn-12-6 checkpoints that bench_ct2.py builds
from ../shared/model-shapes (real configs and tokenizers; built once into models/local/bench/,
git-ignored). Each beam size runs `run_cluster` on seeds/fr-03 in a fresh subprocess (so peak RSS
is its own) with an empty cache, on CPU, and reports:

- translation: target tokens/s over all seed sentences;
- summaries: seconds per article brief and for the cluster brief, and per generate() call
  (input tokens, new tokens, seconds), comparable with the issue's naive-generate() reference;
- end to end: seconds for the whole cluster (model load excluded, reported apart), peak RSS.

Random weights never choose EOS, so outputs are forced to the pipeline's own limits
(min_new_tokens = max_new_tokens): runs do a fixed amount of decoding and are comparable. They
also repeat one token forever, so every sentence takes the loop-guard retry (real models rarely
do): translation tokens/s counts the first pass, the retry is reported apart, and the retried,
varied "translations" give the cluster stage content words to pool. PyTorch beam-4 distilbart takes minutes per summary on 2 cores, so
at beam 4 only the first `--beam4-articles` articles get a model brief (the others get a labelled
lead-sentence stand-in); the cluster brief always runs. Prints the figures with the machine load
and writes benchmarks/results/transformers.json.

    python benchmarks/bench_transformers.py [--quick] [--beams 1 4] [--beam4-articles 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_ct2 as shapes  # the shape-true checkpoints are built there, once, for both benchmarks

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "transformers.json"
SEEDS = REPO / "seeds" / "fr-03"
CHECKPOINTS = {"translation": shapes.WORK / "opus-mt-fr-en", "summary": shapes.WORK / "distilbart-cnn-12-6"}
REFERENCE = {
    "opus-mt-fr-en beam 4, naive generate(), target tokens/s": 92,
    "distilbart-cnn-12-6, 1024-token input, 100 new tokens, greedy, s": 14,
    "distilbart-cnn-12-6, 1024-token input, 100 new tokens, beam 4, s": 122,
}

sys.path.insert(0, str(REPO))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--beams", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--beam4-articles", type=int, default=1, help="articles briefed by the model at beam >= 4")
    parser.add_argument("--articles", type=int, default=None, help="use only the first N seed articles")
    parser.add_argument("--quick", action="store_true", help="beam 1 only, first 2 articles (a few minutes)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: all cores)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.beams, args.articles = [1], 2
    if args.child:
        print(json.dumps(measure(args.beams[0], args.articles, args.beam4_articles)))
        return 0
    if not shapes.SHAPES.is_dir():
        print(f"SKIPPED: {shapes.SHAPES} (shape-true configs and tokenizers) is missing; nothing to benchmark.")
        return 0
    build_checkpoints()
    runs = []
    for beams in args.beams:
        shapes.log(f"beam {beams}: running the seed cluster (load average {shapes.load_average()}) ...")
        runs.append(run_child(beams, args))
        print_run(runs[-1])
    write_results(runs, quick=args.quick)
    return 0


def build_checkpoints() -> None:
    builders = {"translation": shapes.build_opus_mt_fr_en, "summary": shapes.build_distilbart}
    for task, checkpoint in CHECKPOINTS.items():
        if not checkpoint.is_dir():
            shapes.log(f"building random-weight {checkpoint.name} in {checkpoint} ...")
            builders[task](checkpoint)


def run_child(beams: int, args) -> dict:
    command = [sys.executable, __file__, "--child", "--beams", str(beams), "--beam4-articles", str(args.beam4_articles)]
    if args.articles:
        command += ["--articles", str(args.articles)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if args.threads:
        env["OMP_NUM_THREADS"] = str(args.threads)
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"benchmark child (beam {beams}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- one measured run (child process) -----------------------------------------------------------


def measure(beams: int, articles: int | None, beam4_articles: int) -> dict:
    """Run the seed cluster once through the transformers backend, instrumented."""
    import summarize.backends.transformers as backend
    from summarize import pipeline
    from summarize.backends import make_backends
    from summarize.backends.stub import lead_sentences
    from summarize.cache import Cache
    from summarize.options import Options
    from summarize.records import BriefedArticle

    load_before = shapes.load_average()
    work = Path(tempfile.mkdtemp(prefix="bench-transformers-"))
    cluster = work / "fr-03"
    cluster.mkdir()
    for article in sorted(SEEDS.glob("*.txt"))[:articles]:
        (cluster / article.name).write_bytes(article.read_bytes())
    options = Options(backend="transformers", translation_model=str(CHECKPOINTS["translation"]),
                      summary_model=str(CHECKPOINTS["summary"]), device="cpu", beams=beams, cache_dir=work / "cache")
    backends = make_backends(options)

    started = time.perf_counter()
    from summarize.backends.base import translator_for

    for engine in (translator_for(backends.translator, "fr"), backends.summarizer):  # the router's French translator
        engine.model, engine.tokenizer
    load_seconds = time.perf_counter() - started

    # Fixed amount of decoding: outputs as long as their limits.
    generate = backend._TransformersEngine._generate
    calls: list[dict] = []

    def forced_generate(engine, encoded, **settings):
        settings["min_new_tokens"] = settings["max_new_tokens"]
        begun = time.perf_counter()
        output = generate(engine, encoded, **settings)
        calls.append({"task": engine.task, "batch": len(encoded), "input_tokens": max(map(len, encoded)),
                      "new_tokens": settings["max_new_tokens"], "seconds": round(time.perf_counter() - begun, 2)})
        return output

    backend._TransformersEngine._generate = forced_generate

    translation = {"tokens": 0, "seconds": 0.0, "retry_seconds": 0.0}
    translate = backend.TransformersTranslator._translate_ids

    def counting_translate_ids(engine, encoded, **overrides):
        begun = time.perf_counter()
        outputs = translate(engine, encoded, **overrides)
        if overrides:  # the loop-guard retry
            translation["retry_seconds"] += time.perf_counter() - begun
        else:
            translation["seconds"] += time.perf_counter() - begun
            translation["tokens"] += sum(map(len, outputs))
        return outputs

    backend.TransformersTranslator._translate_ids = counting_translate_ids

    brief_seconds: dict = {}
    brief_articles, brief_cluster = pipeline.brief_articles, pipeline.brief_cluster

    def timed_briefs(translated, summarizer, max_words, cache, stats):
        """The article briefs (one batched map-reduce); at beam >= 4 only the first articles get a model brief."""
        modelled = translated[:beam4_articles] if beams >= 4 else translated
        begun = time.perf_counter()
        briefed = brief_articles(modelled, summarizer, max_words, cache, stats)
        brief_seconds.update(articles=len(modelled), seconds=round(time.perf_counter() - begun, 2))
        return briefed + [
            BriefedArticle(t, "[benchmark: not briefed] " + lead_sentences(t.translation, max_words))
            for t in translated[len(modelled) :]
        ]

    cluster_seconds = {}

    def timed_cluster(*args, **kwargs):
        begun = time.perf_counter()
        brief = brief_cluster(*args, **kwargs)
        cluster_seconds["seconds"] = round(time.perf_counter() - begun, 2)
        return brief

    pipeline.brief_articles, pipeline.brief_cluster = timed_briefs, timed_cluster
    cache = Cache(options.cache_dir)
    started = time.perf_counter()
    result = pipeline.run_cluster(cluster, options, backends, cache)
    end_to_end = time.perf_counter() - started
    cache.close()

    return {
        "beams": beams,
        "articles": len(result.articles),
        "sentences": sum(len(a.translated.segments) for a in result.articles),
        "load_seconds": round(load_seconds, 1),
        "translation_target_tokens": translation["tokens"],
        "translation_seconds": round(translation["seconds"], 1),
        "translation_tokens_per_second": round(translation["tokens"] / translation["seconds"], 1),
        "translation_loop_retry_seconds": round(translation["retry_seconds"], 1),
        "article_briefs": brief_seconds,
        "cluster_brief_seconds": cluster_seconds.get("seconds"),
        "summary_generate_calls": [c for c in calls if c["task"] == "summary"],
        "end_to_end_seconds": round(end_to_end, 1),
        "stage_seconds": result.run.timings,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average_before": load_before,
        "load_average_after": shapes.load_average(),
        "torch_threads": __import__("torch").get_num_threads(),
    }


# ---- reporting ----------------------------------------------------------------------------------


def print_run(run: dict) -> None:
    print(f"  beam {run['beams']}: {run['articles']} articles, {run['sentences']} sentences, "
          f"model load {run['load_seconds']} s, torch threads {run['torch_threads']}")
    print(f"    translation: {run['translation_target_tokens']} target tokens in {run['translation_seconds']} s "
          f"= {run['translation_tokens_per_second']} tok/s (+ {run['translation_loop_retry_seconds']} s loop-guard retry "
          "of every sentence, random weights only)")
    briefs = run["article_briefs"]
    print(f"    article briefs: {briefs['articles']} articles together in {briefs['seconds']} s"
          + (f" ({run['articles'] - briefs['articles']} more not briefed at this beam size)" if briefs["articles"] < run["articles"] else ""))
    print(f"    cluster brief: {run['cluster_brief_seconds']} s")
    for call in run["summary_generate_calls"]:
        print(f"      summary generate: batch {call['batch']}, input {call['input_tokens']} tokens, "
              f"{call['new_tokens']} new tokens: {call['seconds']} s")
    print(f"    end to end: {run['end_to_end_seconds']} s (+ {run['load_seconds']} s model load; "
          f"{run['end_to_end_seconds'] - run['translation_loop_retry_seconds']:.1f} s without the retries), "
          f"peak RSS {run['peak_rss_mb']} MB")
    print(f"    load average before/after: {run['load_average_before']} / {run['load_average_after']}")


def write_results(runs: list[dict], quick: bool) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "bench_transformers.py" + (" --quick" if quick else ""),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "models": {task: str(path.relative_to(REPO)) for task, path in CHECKPOINTS.items()},
        "method": "random weights in real shapes; outputs forced to the pipeline's limits; every sentence loop-retried "
                  "(random weights), tokens/s on the first pass; "
                  "empty cache; CPU float32; at beam >= 4 only the first articles get a model brief",
        "reference_naive_generate": REFERENCE,
        "runs": runs,
    }
    temporary = RESULTS.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(report, indent=2) + "\n")
    temporary.replace(RESULTS)
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    sys.exit(main())
