"""CTranslate2 int8 against transformers fp32 on shape-true models (issue 4 targets).

Builds random-weight checkpoints in the real shapes from ../shared/model-shapes (kept, git-ignored,
in models/local/bench/), converts them to CTranslate2 int8, then in one process run:

1. translation ratio: opus-mt-fr-en shape (the tc-big config with d_model 512, 8 heads, ffn 2048,
   vocab 59514; the tc-big tokenizer stands in), seed-cluster sentences, beam 4;
2. summary ratio: distilbart-cnn-12-6 shape, a 1024-token English text (FLORES devtest), beam 4;
3. end to end: `summarize run seeds/fr-03 --backend ct2 --beams 4` as a subprocess with an empty
   cache (model load included, conversion excluded), wall time and peak RSS.

Both sides of each ratio run the same batches through the backends' own `_generate`, with the
output length forced (min_new_tokens = max_new_tokens = the pipeline's own limit): random weights
rarely emit EOS, and forcing makes the two engines do exactly the same amount of decoding.
transformers runs on a subset (PyTorch beam-4 distilbart takes minutes per article). Prints the
figures with the machine load and writes benchmarks/results/ct2.json.

    python benchmarks/bench_ct2.py [--sentences 40] [--summary-runs 3] [--skip-ratio] [--skip-e2e]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHAPES = REPO.parent / "shared" / "model-shapes"
FLORES_EN = REPO.parent / "shared" / "data" / "flores200-devtest" / "eng_Latn.devtest"
WORK = REPO / "models" / "local" / "bench"  # git-ignored; converted models land in WORK/ct2
RESULTS = REPO / "benchmarks" / "results" / "ct2.json"
SEEDS = REPO / "seeds" / "fr-03"
TARGETS = {"translation_speedup": 3.0, "summary_speedup": 10.0, "e2e_seconds": 45.0, "e2e_peak_rss_gb": 1.5}
BEAMS = 4
BRIEF_WORDS = 60  # the CLI default; sets the summaries' output length

# opus-mt-fr-en: transformer-base Marian, per the shared README (the tc-big tokenizer stands in).
OPUS_MT_FR_EN = {"d_model": 512, "encoder_attention_heads": 8, "decoder_attention_heads": 8, "encoder_ffn_dim": 2048,
                 "decoder_ffn_dim": 2048, "vocab_size": 59514, "decoder_vocab_size": 59514, "max_position_embeddings": 512}

sys.path.insert(0, str(REPO))


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def log(message: str) -> None:
    print(message, flush=True)


# ---- shape-true checkpoints ---------------------------------------------------------------------


def build_opus_mt_fr_en(target: Path) -> Path:
    """Random opus-mt-fr-en-shaped Marian: the tc-big config and tokenizer, resized.

    The vocabulary grows from 53017 to 59514 entries with unused tokens, `<pad>` kept last as in
    opus-mt (it starts decoding and is never generated).
    """
    import torch
    from transformers import MarianConfig, MarianMTModel

    source = SHAPES / "opus-mt-tc-big-fr-en"
    config = json.loads((source / "config.json").read_text())
    config.update(OPUS_MT_FR_EN)
    pad = OPUS_MT_FR_EN["vocab_size"] - 1
    config.update(pad_token_id=pad, decoder_start_token_id=pad, bad_words_ids=[[pad]])
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    torch.manual_seed(0)
    MarianMTModel(MarianConfig(**config)).eval().save_pretrained(staging)
    (staging / "config.json").write_text(json.dumps(config, indent=2))
    generation = json.loads((source / "generation_config.json").read_text())
    generation.update(pad_token_id=pad, decoder_start_token_id=pad, bad_words_ids=[[pad]])
    (staging / "generation_config.json").write_text(json.dumps(generation, indent=2))
    vocab = {token: index for token, index in json.loads((source / "vocab.json").read_text()).items() if token != "<pad>"}
    vocab.update({f"<unused{index}>": index for index in range(len(vocab), pad)})
    vocab["<pad>"] = pad
    (staging / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    for name in ("source.spm", "target.spm", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(source / name, staging / name)
    staging.rename(target)
    return target


def build_distilbart(target: Path) -> Path:
    """Random distilbart-cnn-12-6-shaped BART with the bart-large-cnn tokenizer.

    config.json is the shared one verbatim and there is no generation_config.json, as on the hub,
    so both engines read the legacy generation settings (beam 4, length penalty 2, no-repeat 3).
    """
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    config_file = SHAPES / "distilbart-cnn-12-6" / "config.json"
    torch.manual_seed(0)
    BartForConditionalGeneration(BartConfig.from_pretrained(config_file)).eval().save_pretrained(staging)
    shutil.copyfile(config_file, staging / "config.json")
    (staging / "generation_config.json").unlink(missing_ok=True)
    for name in ("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(SHAPES / "bart-large-cnn" / name, staging / name)
    staging.rename(target)
    return target


def prepare_models() -> dict:
    """The two checkpoints (built once) and their int8 conversions (made once), with timings."""
    from summarize.convert import Source, convert, find_converted
    from summarize.models import revision_label

    WORK.mkdir(parents=True, exist_ok=True)
    figures = {}
    for name, builder in (("opus-mt-fr-en", build_opus_mt_fr_en), ("distilbart-cnn-12-6", build_distilbart)):
        checkpoint = WORK / name
        if not checkpoint.is_dir():
            log(f"building random-weight {name} in {checkpoint} ...")
            started = time.perf_counter()
            builder(checkpoint)
            log(f"  built in {time.perf_counter() - started:.1f} s")
        source = Source.from_dir(str(checkpoint.resolve()), checkpoint.resolve())
        fresh = find_converted(WORK / "ct2", source.model_id, "int8", revision_label(checkpoint)) is None
        started = time.perf_counter()
        converted = convert(source, WORK / "ct2", "int8")
        seconds = time.perf_counter() - started
        if fresh:
            log(f"  converted {name} to int8 in {seconds:.1f} s")
        figures[name] = {
            "checkpoint": str(checkpoint),
            "checkpoint_mb": round(sum(f.stat().st_size for f in checkpoint.iterdir()) / 1e6),
            "converted": str(converted),
            "converted_mb": round(sum(f.stat().st_size for f in converted.iterdir()) / 1e6),
            "conversion_seconds": json.loads((converted / "manifest.json").read_text())["conversion_seconds"],
        }
    return figures


# ---- ratios --------------------------------------------------------------------------------------


def engines(task: str, model: Path):
    """(transformers fp32 engine, ct2 int8 engine) for one model, both on CPU at beam 4."""
    from summarize.backends.ct2 import plan_engine
    from summarize.backends.transformers import TransformersSummarizer, TransformersTranslator
    from summarize.models import choose_model
    from summarize.options import Options

    setting = {"translation": "translation_model", "summary": "summary_model"}[task]
    options = Options(**{setting: str(model.resolve())}, model_dir=WORK, device="cpu", beams=BEAMS)
    reference_class = TransformersTranslator if task == "translation" else TransformersSummarizer
    return reference_class(choose_model(options, task), options), plan_engine(options, task)


def timed_generate(engine, batches: list[list[list[int]]], lengths: list[int]) -> float:
    started = time.perf_counter()
    for batch, length in zip(batches, lengths):
        engine._generate(batch, max_new_tokens=length, min_new_tokens=length)
    return time.perf_counter() - started


def seed_sentences() -> list[str]:
    from summarize.clean import clean_article
    from summarize.ingest import ingest_cluster
    from summarize.segment import segment_article

    return [s.text for item in ingest_cluster(SEEDS).articles for s in segment_article(clean_article(item, cluster_id="fr-03")).sentences]


def translation_ratio(model: Path, count: int) -> dict:
    reference, engine = engines("translation", model)
    sentences = seed_sentences()[:count]
    encoded = reference._encode_checked(sentences)
    batches = [[encoded[i] for i in batch] for batch in reference._batches([len(ids) for ids in encoded])]
    lengths = [reference._output_limit(max(len(ids) for ids in batch)) for batch in batches]
    figures = {"sentences": len(sentences), "source_tokens": sum(map(len, encoded)), "batches": len(batches),
               "output_tokens_per_sentence": sum(len(b) * n for b, n in zip(batches, lengths)) / len(sentences)}
    for name, side in (("transformers_fp32", reference), ("ct2_int8", engine)):
        started = time.perf_counter()
        _ = side.model, side.tokenizer  # load outside the timing
        figures[f"{name}_load_seconds"] = round(time.perf_counter() - started, 2)
        timed_generate(side, [batches[-1][:1]], [8])  # warm-up
        log(f"  translation, {name}: timing {len(sentences)} sentences (load {load_average()}) ...")
        figures[f"{name}_seconds"] = round(timed_generate(side, batches, lengths), 2)
    figures["speedup"] = round(figures["transformers_fp32_seconds"] / figures["ct2_int8_seconds"], 2)
    # The ct2 engine's own batches are smaller (32 hypotheses), so most decode to a shorter limit.
    own = [[encoded[i] for i in batch] for batch in engine._batches([len(ids) for ids in encoded])]
    log(f"  translation, ct2_int8 with its own batching (load {load_average()}) ...")
    figures["ct2_int8_own_batches"] = len(own)
    figures["ct2_int8_own_batches_seconds"] = round(
        timed_generate(engine, own, [engine._output_limit(max(len(ids) for ids in batch)) for batch in own]), 2
    )
    figures["speedup_own_batching"] = round(figures["transformers_fp32_seconds"] / figures["ct2_int8_own_batches_seconds"], 2)
    return figures


def english_text(summarizer, tokens: int) -> str:
    """FLORES English sentences joined up to `tokens` model tokens."""
    text = ""
    for line in FLORES_EN.read_text(encoding="utf-8").splitlines():
        candidate = f"{text} {line}".strip()
        if summarizer.count_tokens(candidate) > tokens:
            break
        text = candidate
    return text


def summary_ratio(model: Path, runs: int) -> dict:
    reference, engine = engines("summary", model)
    text = english_text(reference, reference.max_input_tokens)
    encoded = reference._encode_checked([text])
    length = min(reference._max_output_tokens, math.ceil(BRIEF_WORDS * 1.4) + 2)
    figures = {"input_tokens": len(encoded[0]), "output_tokens": length, "brief_words": BRIEF_WORDS}
    for name, side, repeats in (("ct2_int8", engine, runs), ("transformers_fp32", reference, 1)):
        started = time.perf_counter()
        _ = side.model, side.tokenizer
        figures[f"{name}_load_seconds"] = round(time.perf_counter() - started, 2)
        timed_generate(side, [encoded], [4])  # warm-up
        log(f"  summary, {name}: timing {repeats} x 1 article of {len(encoded[0])} tokens (load {load_average()}) ...")
        times = [timed_generate(side, [encoded], [length]) for _ in range(repeats)]
        figures[f"{name}_seconds"] = round(statistics.median(times), 2)
        figures[f"{name}_all_seconds"] = [round(t, 2) for t in times]
    figures["speedup"] = round(figures["transformers_fp32_seconds"] / figures["ct2_int8_seconds"], 2)
    return figures


# ---- end to end ----------------------------------------------------------------------------------

# Runs the real CLI and reports at exit which model libraries it imported and its peak RSS.
# VmHWM is the high-water mark of this process's own memory: rusage's ru_maxrss would also count
# the parent's RSS at fork time, which is large after the ratio measurements.
_WRAPPER = (
    "import atexit, sys\n"
    "from summarize.cli import main\n"
    "def report():\n"
    "    print('heavy modules:', sorted(m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules), file=sys.stderr)\n"
    "    hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
    "    print('peak rss kb:', hwm.split()[1], file=sys.stderr)\n"
    "atexit.register(report)\n"
    "sys.argv[0] = 'summarize'\n"
    "main()\n"
)


def end_to_end(models: dict) -> dict:
    """`summarize run seeds/fr-03 --backend ct2` in a fresh process with an empty cache."""
    with tempfile.TemporaryDirectory(prefix="bench-ct2-") as scratch:
        command = [
            sys.executable, "-c", _WRAPPER, "run", str(SEEDS), "--backend", "ct2", "--beams", str(BEAMS),
            "--translation-model", models["opus-mt-fr-en"]["checkpoint"], "--summary-model", models["distilbart-cnn-12-6"]["checkpoint"],
            "--model-dir", str(WORK), "--cache-dir", str(Path(scratch) / "cache"), "--out", str(Path(scratch) / "out"),
            "--device", "cpu",
        ]
        log(f"  end to end: summarize run seeds/fr-03 --backend ct2 --beams {BEAMS} (load {load_average()}) ...")
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"end-to-end run failed: {done.stderr.strip()[-2000:]}")
        result = json.loads((Path(scratch) / "out" / "fr-03" / "cluster.json").read_text("utf-8"))
    reported = dict(line.split(": ", 1) for line in done.stderr.splitlines() if line.startswith(("heavy modules:", "peak rss kb:")))
    return {
        "wall_seconds": round(wall, 2),
        "peak_rss_gb": round(int(reported["peak rss kb"]) * 1024 / 1e9, 3),
        "pipeline_timings": result["run"]["timings"],
        "cache": result["run"]["cache"],
        "engines": {role: (m["engine"], m["quantization"]) for role, m in result["run"]["models"].items()},
        "modules_loaded": reported["heavy modules"],
        "sentences": sum(len(a["segments"]) for a in result["articles"]),
        "articles": len(result["articles"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=40, help="seed sentences in the translation ratio")
    parser.add_argument("--summary-runs", type=int, default=3, help="ct2 repetitions of the summary (median)")
    parser.add_argument("--skip-ratio", action="store_true", help="only the end-to-end run")
    parser.add_argument("--skip-e2e", action="store_true", help="only the ratios")
    args = parser.parse_args()
    if not SHAPES.is_dir() or not FLORES_EN.is_file():
        log(f"SKIPPED: needs {SHAPES} and {FLORES_EN} (the shared folder beside the checkout); nothing measured")
        return

    cores = len(os.sched_getaffinity(0))
    report = {"machine": {"cores": cores, "cpu": platform.processor() or platform.machine(), "load_at_start": load_average()},
              "beams": BEAMS, "targets": TARGETS}
    log(f"bench_ct2: {cores} cores, load average {load_average()} (1/5/15 min)")
    if os.getloadavg()[0] > 0.5:
        log("  note: the machine is busy; OpenMP threads of both engines slow down sharply when cores are shared")
    report["models"] = prepare_models()
    if not args.skip_e2e:
        report["end_to_end"] = end_to_end(report["models"])
    if not args.skip_ratio:
        log("ratios (same batches, forced output length, one process):")
        report["translation"] = translation_ratio(WORK / "opus-mt-fr-en", args.sentences)
        report["summary"] = summary_ratio(WORK / "distilbart-cnn-12-6", args.summary_runs)
    report["machine"]["load_at_end"] = load_average()
    report["notes"] = [
        "Random weights in the real shapes: speed and memory are real, the text is noise.",
        "Ratios: both engines decode the same batches for the same forced number of tokens "
        "(min_new_tokens = max_new_tokens = the pipeline's limit), transformers on this subset only.",
        "End to end: converted models present (conversion excluded), fresh process, empty result cache; random "
        "translations run to the length limit and most trip the repetition-loop guard, so each is decoded twice.",
        "Other developers share these cores: compare figures with the load averages beside them. Both engines "
        "run OpenMP threads that stall when another process holds a core (beam-4 distilbart on PyTorch took 150 s "
        "instead of 18 s while another benchmark ran), so only low-load figures are comparable.",
    ]
    report["verdict"] = verdict(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_summary(report)
    log(f"wrote {RESULTS.relative_to(REPO)}")


def verdict(report: dict) -> dict:
    checks = {}
    if "translation" in report:
        checks["translation_speedup"] = report["translation"]["speedup"] >= TARGETS["translation_speedup"]
        checks["summary_speedup"] = report["summary"]["speedup"] >= TARGETS["summary_speedup"]
    if "end_to_end" in report:
        checks["e2e_seconds"] = report["end_to_end"]["wall_seconds"] <= TARGETS["e2e_seconds"]
        checks["e2e_peak_rss_gb"] = report["end_to_end"]["peak_rss_gb"] <= TARGETS["e2e_peak_rss_gb"]
    return checks


def print_summary(report: dict) -> None:
    log("")
    log(f"== CTranslate2 int8 vs transformers fp32, beam {BEAMS}, {report['machine']['cores']} cores, "
        f"load {report['machine']['load_at_start']} -> {report['machine']['load_at_end']} ==")
    for name, figures in report["models"].items():
        log(f"{name}: checkpoint {figures['checkpoint_mb']} MB -> int8 {figures['converted_mb']} MB "
            f"(conversion {figures['conversion_seconds']} s)")
    if "translation" in report:
        t, s = report["translation"], report["summary"]
        log(f"translation ({t['sentences']} seed sentences, {t['output_tokens_per_sentence']:.0f} forced output tokens each): "
            f"transformers {t['transformers_fp32_seconds']} s, ct2 {t['ct2_int8_seconds']} s -> {t['speedup']}x "
            f"(target >= {TARGETS['translation_speedup']}x); ct2 with its own batching {t['ct2_int8_own_batches_seconds']} s "
            f"-> {t['speedup_own_batching']}x")
        log(f"summary (1 article, {s['input_tokens']} input tokens, {s['output_tokens']} forced output tokens): "
            f"transformers {s['transformers_fp32_seconds']} s, ct2 {s['ct2_int8_seconds']} s (median of {len(s['ct2_int8_all_seconds'])}) "
            f"-> {s['speedup']}x (target >= {TARGETS['summary_speedup']}x)")
    if "end_to_end" in report:
        e = report["end_to_end"]
        log(f"end to end seeds/fr-03 ({e['articles']} articles, {e['sentences']} sentences), cold, empty cache: "
            f"{e['wall_seconds']} s (target <= {TARGETS['e2e_seconds']} s), peak RSS {e['peak_rss_gb']} GB "
            f"(target <= {TARGETS['e2e_peak_rss_gb']} GB); stages {e['pipeline_timings']}; modules loaded {e['modules_loaded']}")
    log(f"targets met: {report['verdict']}")


if __name__ == "__main__":
    main()
