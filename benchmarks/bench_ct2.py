"""CTranslate2 int8 against transformers fp32 on shape-true models (issue 4 targets).

Builds random-weight checkpoints in the real shapes from ../shared/model-shapes (kept, git-ignored,
in models/local/bench/), converts them to CTranslate2 int8, then in one process run:

1. translation ratio: opus-mt-fr-en shape (the tc-big config with d_model 512, 8 heads, ffn 2048,
   vocab 59514; the tc-big tokenizer stands in), seed-cluster sentences, beam 4;
2. summary ratio: distilbart-cnn-12-6 shape, a 1024-token English text (FLORES devtest), beam 4,
   against our transformers engine and against plain `model.generate()` (the issue's reference);
   and five article-sized texts summarised one by one against together (the pipeline's batching);
3. end to end: `summarize run seeds/fr-03 --backend ct2 --beams 4` as a subprocess with an empty
   cache (model load included, conversion excluded), wall time and peak RSS, twice: random weights
   as they are (a worst case: no end token, every translation loops), and a real-length estimate
   where translations stop at the English/French token ratio measured on FLORES-200 devtest with
   the model's own tokenizer and are not retried for loops.

Both sides of each ratio run the same batches through the backends' own `_generate`, with the
output length forced (min_new_tokens = max_new_tokens = the pipeline's own limit): random weights
rarely emit EOS, and forcing makes the two engines do exactly the same amount of decoding.
transformers runs on a subset (PyTorch beam-4 distilbart takes minutes per article). Prints the
figures with the machine load and writes benchmarks/results/ct2.json.

    python benchmarks/bench_ct2.py [--sentences 40] [--summary-runs 3] [--skip-ratio] [--skip-e2e]
    python benchmarks/bench_ct2.py --checkpoints DIR   # trained weights: writes results/ct2-trained.json
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
FLORES_FR = FLORES_EN.with_name("fra_Latn.devtest")
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


def prepare_models(work: Path, trained: bool) -> dict:
    """The two checkpoints in `work` (random ones built once, trained ones must be there) and their int8 conversions."""
    from summarize.convert import Source, convert, find_converted
    from summarize.models import revision_label

    work.mkdir(parents=True, exist_ok=True)
    figures = {}
    for name, builder in (("opus-mt-fr-en", build_opus_mt_fr_en), ("distilbart-cnn-12-6", build_distilbart)):
        checkpoint = work / name
        if not checkpoint.is_dir():
            if trained:
                sys.exit(f"{checkpoint} is missing: save the trained {name} there (save_pretrained), or drop --checkpoints")
            log(f"building random-weight {name} in {checkpoint} ...")
            started = time.perf_counter()
            builder(checkpoint)
            log(f"  built in {time.perf_counter() - started:.1f} s")
        source = Source.from_dir(str(checkpoint.resolve()), checkpoint.resolve())
        fresh = find_converted(work / "ct2", source.model_id, "int8", revision_label(checkpoint)) is None
        started = time.perf_counter()
        converted = convert(source, work / "ct2", "int8")
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
    options = Options(**{setting: str(model.resolve())}, model_dir=model.parent, device="cpu", beams=BEAMS)
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


def real_translation_lengths(model: Path) -> dict:
    """How long real English is against its French source, in the translation model's own tokens.

    FLORES-200 devtest reference translations (1012 pairs) stand in for what a trained opus-mt
    writes: per sentence, target tokens (end token included) over source tokens.
    """
    reference, _ = engines("translation", model)
    tokenizer = reference.tokenizer
    french = FLORES_FR.read_text(encoding="utf-8").splitlines()
    english = FLORES_EN.read_text(encoding="utf-8").splitlines()
    source = [len(tokenizer(line).input_ids) for line in french]
    target = [len(tokenizer(text_target=line).input_ids) for line in english]
    ratios = sorted(t / s for s, t in zip(source, target))
    return {
        "pairs": len(ratios),
        "mean_source_tokens": round(statistics.mean(source), 1),
        "ratio_of_totals": round(sum(target) / sum(source), 3),
        "ratio_p90": round(ratios[int(0.9 * len(ratios))], 3),
        "ratio_max": round(ratios[-1], 3),
        # end token excluded: what a decoded output of n tokens reads as, in English words
        "target_tokens_per_word": round((sum(target) - len(target)) / sum(len(line.split()) for line in english), 3),
    }


def english_text(summarizer, tokens: int) -> str:
    """FLORES English sentences joined up to `tokens` model tokens."""
    text = ""
    for line in FLORES_EN.read_text(encoding="utf-8").splitlines():
        candidate = f"{text} {line}".strip()
        if summarizer.count_tokens(candidate) > tokens:
            break
        text = candidate
    return text


def naive_generate_seconds(reference, encoded: list[list[int]], length: int) -> float:
    """Plain `model.generate()` at beam 4 with the checkpoint's defaults: the issue's reference workload."""
    import torch

    inputs = reference.tokenizer.pad({"input_ids": encoded}, return_tensors="pt")
    started = time.perf_counter()
    with torch.inference_mode():
        reference.model.generate(**inputs, num_beams=BEAMS, max_new_tokens=length, min_new_tokens=length)
    return time.perf_counter() - started


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
    log(f"  summary, naive generate(): 1 article of {len(encoded[0])} tokens (load {load_average()}) ...")
    figures["naive_generate_fp32_seconds"] = round(naive_generate_seconds(reference, encoded, length), 2)
    figures["speedup_vs_naive_generate"] = round(figures["naive_generate_fp32_seconds"] / figures["ct2_int8_seconds"], 2)
    return figures


def summary_batching(model: Path, texts: int = 5, tokens: int = 420) -> dict:
    """A cluster's article briefs through the ct2 summariser: one by one against one call (the pipeline's way)."""
    _, engine = engines("summary", model)
    lines = FLORES_EN.read_text(encoding="utf-8").splitlines()
    articles, current = [], ""
    for line in lines:
        current = f"{current} {line}".strip()
        if engine.count_tokens(current) >= tokens:
            articles.append(current)
            current = ""
            if len(articles) == texts:
                break
    engine.summarize(articles[:1], 4)  # load and warm up
    log(f"  summary batching, ct2_int8: {texts} texts one by one, then together (load {load_average()}) ...")
    started = time.perf_counter()
    for article in articles:
        engine.summarize([article], BRIEF_WORDS)
    one_by_one = time.perf_counter() - started
    started = time.perf_counter()
    engine.summarize(articles, BRIEF_WORDS)
    together = time.perf_counter() - started
    return {"texts": texts, "input_tokens": tokens, "one_by_one_seconds": round(one_by_one, 2),
            "together_seconds": round(together, 2), "speedup": round(one_by_one / together, 2)}


# ---- end to end ----------------------------------------------------------------------------------

# Runs the real CLI and reports at exit which model libraries it imported and its peak RSS, and
# each summariser call (texts, input tokens, seconds). VmHWM is the high-water mark of this
# process's own memory: rusage's ru_maxrss would also count the parent's RSS at fork time, which
# is large after the ratio measurements.
_WRAPPER = """
import atexit, json, math, os, sys, time
from summarize.backends import seq2seq
from summarize.cli import main

summarize = seq2seq.Seq2SeqSummarizer.summarize
def logged_summarize(self, texts, max_words):
    started = time.perf_counter()
    outputs = summarize(self, texts, max_words)
    call = {"texts": len(texts), "input_tokens": [self.count_tokens(t) for t in texts], "seconds": round(time.perf_counter() - started, 2)}
    print("summary call:", json.dumps(call), file=sys.stderr)
    return outputs
seq2seq.Seq2SeqSummarizer.summarize = logged_summarize

estimate = json.loads(os.environ.get("BENCH_REAL_LENGTHS") or "null")
if estimate:  # translations end where real English would, never loop, and read as English of that length
    seq2seq.Seq2SeqTranslator._output_limit = lambda self, n: min(self._max_output_tokens, math.ceil(estimate["ratio"] * n))
    seq2seq.has_repetition_loop = lambda ids, *args, **kwargs: False
    words = open(estimate["english"], encoding="utf-8").read().split()
    position = [0]
    def english_of_length(self, ids):
        count = max(1, round(len(ids) / estimate["tokens_per_word"]))
        start = position[0] % (len(words) - count)
        position[0] = start + count
        return " ".join(words[start:start + count])
    seq2seq.Seq2SeqTranslator._decode = english_of_length

def report():
    print("heavy modules:", sorted(m for m in ("torch", "transformers", "ctranslate2") if m in sys.modules), file=sys.stderr)
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print("peak rss kb:", hwm.split()[1], file=sys.stderr)
atexit.register(report)
sys.argv[0] = "summarize"
main()
"""


def end_to_end(models: dict, lengths: dict | None = None) -> dict:
    """`summarize run seeds/fr-03 --backend ct2` in a fresh process with an empty cache.

    With `lengths` (from real_translation_lengths), the run estimates trained weights: every
    translation is cut at the p90 English/French token ratio, none is retried for loops, and each
    decodes to FLORES English of as many words as that many tokens make, so the summariser reads
    text of real length. Random weights never emit the end token, always loop, and their noise
    takes about twice the summariser tokens per word. Summaries still run to their length limit.
    """
    with tempfile.TemporaryDirectory(prefix="bench-ct2-") as scratch:
        command = [
            sys.executable, "-c", _WRAPPER, "run", str(SEEDS), "--backend", "ct2", "--beams", str(BEAMS),
            "--translation-model", models["opus-mt-fr-en"]["checkpoint"], "--summary-model", models["distilbart-cnn-12-6"]["checkpoint"],
            "--model-dir", str(Path(models["opus-mt-fr-en"]["checkpoint"]).parent), "--cache-dir", str(Path(scratch) / "cache"), "--out", str(Path(scratch) / "out"),
            "--device", "cpu", "--quiet",
        ]
        estimate = lengths and {"ratio": lengths["ratio_p90"], "tokens_per_word": lengths["target_tokens_per_word"], "english": str(FLORES_EN)}
        env = dict(os.environ, BENCH_REAL_LENGTHS=json.dumps(estimate or None))
        mode = (f"real-length estimate ({lengths['ratio_p90']} output tokens per source token, read as English)"
                if lengths else "the weights as they are")
        log(f"  end to end, {mode}: summarize run seeds/fr-03 --backend ct2 --beams {BEAMS} (load {load_average()}) ...")
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"end-to-end run failed: {done.stderr.strip()[-2000:]}")
        result = json.loads((Path(scratch) / "out" / "fr-03" / "cluster.json").read_text("utf-8"))
    reported = dict(line.split(": ", 1) for line in done.stderr.splitlines() if line.startswith(("heavy modules:", "peak rss kb:")))
    summary_calls = [json.loads(line.split(": ", 1)[1]) for line in done.stderr.splitlines() if line.startswith("summary call:")]
    segments = [s for a in result["articles"] for s in a["segments"]]
    return {
        "mode": mode,
        "wall_seconds": round(wall, 2),
        "peak_rss_gb": round(int(reported["peak rss kb"]) * 1024 / 1e9, 3),
        "pipeline_timings": result["run"]["timings"],
        "cache": result["run"]["cache"],
        "engines": {role: (m["engine"], m["quantization"]) for role, m in result["run"]["models"].items()},
        "modules_loaded": reported["heavy modules"],
        "articles": len(result["articles"]),
        "sentences": len(segments),
        "french_words": sum(len(s["source"].split()) for s in segments),
        "english_words": sum(len(s["translation"].split()) for s in segments),
        "summary_calls": summary_calls,
        "load_at_end": load_average(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=40, help="seed sentences in the translation ratio")
    parser.add_argument("--summary-runs", type=int, default=3, help="ct2 repetitions of the summary (median)")
    parser.add_argument("--skip-ratio", action="store_true", help="only the end-to-end run")
    parser.add_argument("--skip-e2e", action="store_true", help="only the ratios")
    parser.add_argument("--checkpoints", type=Path, help="trained checkpoints instead of random ones: DIR/opus-mt-fr-en and "
                        "DIR/distilbart-cnn-12-6 (save_pretrained directories); the end-to-end run is then the real one")
    args = parser.parse_args()
    if not FLORES_EN.is_file() or (args.checkpoints is None and not SHAPES.is_dir()):
        log(f"SKIPPED: needs {SHAPES} and {FLORES_EN.parent} (the shared folder beside the checkout); nothing measured")
        return
    work, trained = (args.checkpoints.resolve(), True) if args.checkpoints else (WORK, False)
    results = RESULTS.with_name("ct2-trained.json") if trained else RESULTS

    cores = len(os.sched_getaffinity(0))
    report = {"machine": {"cores": cores, "cpu": platform.processor() or platform.machine(), "load_at_start": load_average()},
              "beams": BEAMS, "targets": TARGETS, "weights": "trained" if trained else "random, in the real shapes"}
    log(f"bench_ct2: {cores} cores, load average {load_average()} (1/5/15 min)")
    if os.getloadavg()[0] > 0.5:
        log("  note: the machine is busy; OpenMP threads of both engines slow down sharply when cores are shared")
    report["models"] = prepare_models(work, trained)
    if not args.skip_e2e:
        report["translation_lengths"] = real_translation_lengths(work / "opus-mt-fr-en")
        report["end_to_end"] = end_to_end(report["models"])
        if not trained:
            report["end_to_end_real_lengths"] = end_to_end(report["models"], report["translation_lengths"])
    if not args.skip_ratio:
        log("ratios (same batches, forced output length, one process):")
        report["translation"] = translation_ratio(work / "opus-mt-fr-en", args.sentences)
        report["summary"] = summary_ratio(work / "distilbart-cnn-12-6", args.summary_runs)
        report["summary_batching"] = summary_batching(work / "distilbart-cnn-12-6")
    report["machine"]["load_at_end"] = load_average()
    report["notes"] = [
        "Random weights in the real shapes: speed and memory per decoded token are real, the text is noise.",
        "Ratios: both engines decode the same batches for the same forced number of tokens "
        "(min_new_tokens = max_new_tokens = the pipeline's limit), transformers on this subset only. "
        "naive_generate_fp32 is plain model.generate() at beam 4 with the checkpoint's defaults, the issue's reference workload.",
        "End to end, both modes: converted models present (conversion excluded), fresh process, empty result cache, "
        "model load included. 'The weights as they are', when random, is a worst case: random weights never emit the end token, "
        "so every translation runs to the 1.5x+10 token limit and trips the repetition-loop guard (decoded twice), "
        "and the longer noise roughly doubles what the summariser reads. 'Real-length estimate' cuts each translation "
        "at the FLORES-200 p90 English/French token ratio, skips loop retries and reads each output as that many "
        "tokens' worth of FLORES English words, which is what a trained opus-mt decodes on clean news text and what "
        "the summariser then reads; summaries still run to their limit (a trained model often stops earlier).",
        "Other developers share these cores: compare figures with the load averages beside them. Both engines "
        "run OpenMP threads that stall when another process holds a core (beam-4 distilbart on PyTorch took 150 s "
        "instead of 18 s while another benchmark ran), so only low-load figures are comparable.",
    ]
    report["verdict"] = verdict(report)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_summary(report)
    log(f"wrote {results.relative_to(REPO)}")


def verdict(report: dict) -> dict:
    checks = {}
    if "translation" in report:
        checks["translation_speedup"] = report["translation"]["speedup"] >= TARGETS["translation_speedup"]
        checks["summary_speedup"] = report["summary"]["speedup"] >= TARGETS["summary_speedup"]
        checks["summary_speedup_vs_naive_generate"] = report["summary"]["speedup_vs_naive_generate"] >= TARGETS["summary_speedup"]
    for mode in ("end_to_end", "end_to_end_real_lengths"):
        if mode in report:
            checks[f"{mode}_seconds"] = report[mode]["wall_seconds"] <= TARGETS["e2e_seconds"]
            checks[f"{mode}_peak_rss_gb"] = report[mode]["peak_rss_gb"] <= TARGETS["e2e_peak_rss_gb"]
    return checks


def print_summary(report: dict) -> None:
    log("")
    log(f"== CTranslate2 int8 vs transformers fp32, beam {BEAMS}, {report['machine']['cores']} cores, "
        f"load {report['machine']['load_at_start']} -> {report['machine']['load_at_end']} ==")
    for name, figures in report["models"].items():
        log(f"{name}: checkpoint {figures['checkpoint_mb']} MB -> int8 {figures['converted_mb']} MB "
            f"(conversion {figures['conversion_seconds']} s)")
    if "translation" in report:
        t, s, b = report["translation"], report["summary"], report["summary_batching"]
        log(f"translation ({t['sentences']} seed sentences, {t['output_tokens_per_sentence']:.0f} forced output tokens each): "
            f"transformers {t['transformers_fp32_seconds']} s, ct2 {t['ct2_int8_seconds']} s -> {t['speedup']}x "
            f"(target >= {TARGETS['translation_speedup']}x); ct2 with its own batching {t['ct2_int8_own_batches_seconds']} s "
            f"-> {t['speedup_own_batching']}x")
        log(f"summary (1 article, {s['input_tokens']} input tokens, {s['output_tokens']} forced output tokens): "
            f"transformers {s['transformers_fp32_seconds']} s, naive generate() {s['naive_generate_fp32_seconds']} s, "
            f"ct2 {s['ct2_int8_seconds']} s (median of {len(s['ct2_int8_all_seconds'])}) -> {s['speedup']}x, "
            f"{s['speedup_vs_naive_generate']}x vs naive generate() (target >= {TARGETS['summary_speedup']}x)")
        log(f"summary batching on ct2 ({b['texts']} texts of ~{b['input_tokens']} tokens): one by one {b['one_by_one_seconds']} s, "
            f"together {b['together_seconds']} s -> {b['speedup']}x")
    if "translation_lengths" in report:
        r = report["translation_lengths"]
        log(f"real English/French token ratio (FLORES-200 devtest, {r['pairs']} pairs): {r['ratio_of_totals']} overall, "
            f"p90 {r['ratio_p90']}, max {r['ratio_max']}; the pipeline allows 1.5x + 10")
    for mode in ("end_to_end", "end_to_end_real_lengths"):
        if mode in report:
            e = report[mode]
            calls = e["summary_calls"]
            log(f"end to end seeds/fr-03, {e['mode']} ({e['articles']} articles, {e['sentences']} sentences, "
                f"{e['french_words']} French -> {e['english_words']} English words), cold: {e['wall_seconds']} s "
                f"(target <= {TARGETS['e2e_seconds']} s), peak RSS {e['peak_rss_gb']} GB (target <= {TARGETS['e2e_peak_rss_gb']} GB); "
                f"stages {e['pipeline_timings']}; {len(calls)} summariser calls over {sum(c['texts'] for c in calls)} texts; "
                f"modules loaded {e['modules_loaded']}")
    log(f"targets met: {report['verdict']}")


if __name__ == "__main__":
    main()
