"""A real instruct LLM as translator and summariser, measured: FLORES, the seed cluster, CNN/DailyMail.

    flock /work/bench.lock .venv/bin/python benchmarks/bench_llm.py --model DIR [--parts flores seed cnndm]

DIR is a local Hugging Face directory of an instruct model (../shared/tools/real-llm builds
Qwen2.5-Coder-1.5B-Instruct). Everything runs on CTranslate2 int8 on CPU, converted once into
models/local/llm/ct2/ (git-ignored; the conversion time is reported apart). Parts:

- flores: FLORES-200 devtest French->English, all 1012 sentences, through `summarize eval`'s
  library (each article's consecutive lines one paragraph, so the model translates by passage, then
  every sentence is scored after alignment): corpus chrF and BLEU with sacrebleu's signatures,
  passages retried sentence by sentence, tokens/s.
- seed: `summarize run seeds/fr-03 --translation-model DIR --summary-model DIR` in a fresh process
  with an empty cache (cold: wall time from process start, stage timings, peak RSS, model loads),
  then again (warm: all cache hits, no model loaded); writes benchmarks/results/llm-seed.md, the
  run's own cluster.md with every check flag, so anyone can read what the product writes.
- cnndm: briefs of the 50 CNN/DailyMail articles (--brief-words, default 60) through `summarize
  eval summaries`: ROUGE-1/2/L beside lead-3's, lengths against +-25%, check flags.

Figures print with the machine's load (os.getloadavg) and go to benchmarks/results/llm.json (a run
of some parts keeps the others' figures). Without ../shared nothing is measured and no result file
is touched. Timings under load are not comparable: run under `flock /work/bench.lock`.
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

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
RESULTS = REPO / "benchmarks" / "results" / "llm.json"
SEED_MARKDOWN = REPO / "benchmarks" / "results" / "llm-seed.md"
SEEDS = REPO / "seeds" / "fr-03"
MODELS = REPO / "models" / "local" / "llm"
TARGETS = {"flores_chrF": 62.0, "seed_cold_seconds": 180.0, "seed_peak_rss_gb": 5.0, "length_tolerance": 0.25}

sys.path.insert(0, str(REPO))


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def rss_gb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024 / 1024, 2)


def options(model: Path, **settings):
    from summarize.options import Options

    return Options(backend="ct2", translation_model=str(model), summary_model=str(model), model_dir=MODELS, device="cpu", **settings)


def convert_once(model: Path) -> dict:
    """Convert the model to CTranslate2 int8 in a child process (its own memory), unless done already."""
    from summarize.convert import ct2_root, find_converted, locate_source, read_manifest

    source = locate_source(str(model), None, options(model), "translation")
    found = find_converted(ct2_root(options(model)), source.model_id, "int8", source.revision)
    if found is None:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "summarize", "models", "convert", str(model), "--model-dir", str(MODELS), "--device", "cpu"],
                       check=True, cwd=REPO)
        found = find_converted(ct2_root(options(model)), source.model_id, "int8", source.revision)
        print(f"converted in {time.perf_counter() - started:.0f} s -> {found}", flush=True)
    manifest = read_manifest(found)
    return {"path": str(found), "conversion_seconds": manifest.get("conversion_seconds"), "converter": manifest.get("converter")}


def flores(model: Path, limit: int | None) -> dict:
    from summarize.backends import make_backends
    from summarize.evaluate import evaluate_translation, parallel_lines

    data = SHARED / "flores200-devtest"
    documents = parallel_lines(data / "fra_Latn.devtest", data / "eng_Latn.devtest", data / "flores200_metadata_devtest.tsv")[:limit]
    translator = make_backends(options(model)).translator
    started_load = load()
    report, outputs = evaluate_translation(documents, translator, "fr", progress=lambda done, total: print(f"flores {done}/{total}", flush=True))
    counters = report["alignment"]
    report.update(
        load_start=started_load,
        load_end=load(),
        peak_rss_gb=rss_gb(),
        every_sentence_aligned=all(o["translation"].strip() for o in outputs),
        fallback_sentences=counters.get("sentences_retried", 0),
        sample=outputs[:5],
    )
    return report


def seed_child(model: Path, out: Path, cache: Path, report: Path) -> None:
    """One `summarize run` in this (fresh) process; its figures go to `report`."""
    started = time.perf_counter()
    import summarize.backends as backends_module
    import summarize.backends.ct2 as ct2_module
    from summarize.backends.base import translator_for
    from summarize.cli import app

    built = []
    make = backends_module.make_backends
    backends_module.make_backends = lambda opts: built.append(make(opts)) or built[-1]
    args = ["run", str(SEEDS), "--translation-model", str(model), "--summary-model", str(model), "--backend", "ct2",
            "--model-dir", str(MODELS), "--device", "cpu", "--cache-dir", str(cache), "--out", str(out), "--quiet"]
    app(args, standalone_mode=False)
    wall = time.perf_counter() - started
    data = json.loads((out / SEEDS.name / "cluster.json").read_text("utf-8"))
    translator = translator_for(built[0].translator, "fr")  # the router's translator of the seed cluster's French
    counters = {role: dict(getattr(engine, "counters", {})) for role, engine in (("translation", translator), ("summary", built[0].summarizer))}
    report.write_text(json.dumps({
        "wall_seconds_from_process_start": round(wall, 1), "timings": data["run"]["timings"], "cache": data["run"]["cache"],
        "peak_rss_gb": rss_gb(), "models_loaded": len(ct2_module._MODELS), "counters": counters,
    }))


def seed(model: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-llm-seed-"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    runs = {}
    for name in ("cold", "warm"):
        report = work / f"{name}.json"
        load_start = load()
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--child", "--model", str(model), "--work", str(work), "--report", str(report)],
                       check=True, cwd=REPO, env=env)
        runs[name] = {**json.loads(report.read_text()), "wall_seconds": round(time.perf_counter() - started, 1), "load_start": load_start,
                      "load_end": load()}
        print(f"seed {name}: {runs[name]['wall_seconds']} s, cache {runs[name]['cache']}, peak RSS {runs[name]['peak_rss_gb']} GB", flush=True)
    data = json.loads((work / "out" / SEEDS.name / "cluster.json").read_text("utf-8"))
    return {
        "markdown": seed_markdown(model, work / "out" / SEEDS.name, runs["cold"], data),
        **runs,
        "articles": len(data["articles"]),
        "sentences": sum(len(a["segments"]) for a in data["articles"]),
        "brief_words": [len(a["brief"].split()) for a in data["articles"]],
        "cluster_words": len(data["cluster"]["summary"].split()),
        "checks": data["checks"]["counts"],
        "models": data["run"]["models"],
        "signature": data["run"]["signature"],
    }


def seed_markdown(model: Path, out: Path, cold: dict, data: dict) -> str:
    lines = [
        "# What the product writes with a real LLM: seeds/fr-03",
        "",
        f"`summarize run seeds/fr-03 --translation-model {model.name} --summary-model {model.name}` (CTranslate2 int8, 2 CPU cores, "
        f"cold cache: {cold['wall_seconds']} s end to end, load {cold['load_start']} -> {cold['load_end']}). Written by "
        "benchmarks/bench_llm.py; below is the run's own cluster.md, then every flag of the checks (numbers and names a "
        "translation lost or invented, and those of the briefs and the summary that no translation contains).",
        "",
        "---",
        "",
        (out / "cluster.md").read_text("utf-8").split("\n- generated:")[0].rstrip(),
        "",
        "---",
        "",
        "## Every check flag (cluster.json `checks`)",
        "",
    ]
    items = [("summary", item) for item in data["checks"]["cluster"]]
    items += [(entry["article"], item) for entry in data["checks"]["articles"] for item in entry["items"]]
    for where, item in items:
        place = f"segment {item['segment'] + 1}" if "segment" in item else f"sentence {item['sentence'] + 1}"
        source = f" (French: “{item['source']}”)" if item.get("source") else ""
        lines.append(f"- {where}, {item['where']} {place}: {item['problem']} {item['kind']} “{item['item']}” in “{item['text']}”{source}")
    if not items:
        lines.append("- none")
    return "\n".join(lines) + "\n"


def cnndm(model: Path, words: int, limit: int | None) -> dict:
    from summarize.backends import make_backends
    from summarize.evaluate import evaluate_summaries, read_summaries

    items = read_summaries(SHARED / "cnndm-50" / "cnndm-50.jsonl")[:limit]
    summarizer = make_backends(options(model, brief_words=words)).summarizer
    started_load = load()
    report, outputs = evaluate_summaries(items, summarizer, words)
    report.update(load_start=started_load, load_end=load(), peak_rss_gb=rss_gb(), sample=outputs[:3])
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="local Hugging Face directory of an instruct model")
    parser.add_argument("--parts", nargs="+", choices=["flores", "seed", "cnndm"], default=["flores", "seed", "cnndm"])
    parser.add_argument("--flores-documents", type=int, default=None, help="only the first N FLORES documents (a quick look)")
    parser.add_argument("--cnndm-articles", type=int, default=None, help="only the first N CNN/DailyMail articles")
    parser.add_argument("--brief-words", type=int, default=60)
    parser.add_argument("--no-write", action="store_true", help="print the figures only (a trial run, e.g. with a tiny model)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    model = args.model.expanduser().resolve()
    if args.child:
        seed_child(model, args.work / "out", args.work / "cache", args.report)
        return 0
    if not SHARED.is_dir():
        print(f"bench_llm: needs {SHARED} (FLORES, CNN/DailyMail); nothing measured, {RESULTS.name} untouched", file=sys.stderr)
        return 1
    if not (model / "config.json").is_file():
        print(f"bench_llm: {model} is not a model directory (build one with ../shared/tools/real-llm); nothing measured", file=sys.stderr)
        return 1
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results.update(
        machine={"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        model=str(model.name),
        targets=TARGETS,
        conversion=convert_once(model),
    )
    for part in args.parts:
        print(f"== {part} (load {load()})", flush=True)
        if part == "flores":
            results["flores"] = flores(model, args.flores_documents)
        elif part == "seed":
            results["seed"] = seed(model)
        else:
            results["cnndm"] = cnndm(model, args.brief_words, args.cnndm_articles)
        summary = {k: v for k, v in results[part].items() if k not in ("sample", "model", "models", "signatures", "signature", "markdown")}
        print(json.dumps(summary, indent=1), flush=True)
    if args.no_write:
        print("trial run (--no-write): results not written", file=sys.stderr)
        return 0
    for part in args.parts:  # a subset is written as what it is, never passed off as the whole set
        results[part]["subset"] = {"flores": args.flores_documents, "cnndm": args.cnndm_articles}.get(part) is not None
    results["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if "seed" in args.parts:
        SEED_MARKDOWN.write_text(results["seed"].pop("markdown"), encoding="utf-8")
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}" + (f" and {SEED_MARKDOWN}" if "seed" in args.parts else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
