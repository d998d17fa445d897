"""The transformers backend on tiny Marian and BART checkpoints built at test time.

The checkpoints are real save_pretrained directories, so this is the same from_pretrained and
generate() code that real weights go through; their random weights make the text noise, so the
tests check structure (alignment, lengths, limits, chunk coverage, caching, errors), not wording.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import summarize.backends.seq2seq as seq2seq
import summarize.backends.transformers as backend
from summarize.backends import make_backends
from summarize.backends.base import Backends, translator_for
from summarize.errors import UsageError
from summarize.cli import app
from summarize.options import Options
from tiny_models import french_sentences

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    """Tiny models run fastest on one thread, and the test machine is shared."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def tiny_backends(marian: Path, bart: Path, **changes) -> Backends:
    """The tiny models' engines: the summariser, and the translator the router picks for French."""
    options = Options(backend="transformers", translation_model=str(marian), summary_model=str(bart), beams=1)
    backends = make_backends(options.with_(**changes))
    return Backends(translator_for(backends.translator, "fr"), backends.summarizer)


def tiny_run_args(marian: Path, bart: Path, cluster: Path, out: Path, cache: Path) -> list[str]:
    return [
        "run", str(cluster), "--backend", "transformers", "--translation-model", str(marian), "--summary-model", str(bart),
        "--beams", "1", "--brief-words", "10", "--cluster-words", "12", "--out", str(out), "--cache-dir", str(cache), "-q",
    ]


# ---- cheap construction, signature and limits -----------------------------------------------------


def test_construction_signature_and_describe_import_no_torch(tiny_marian_dir, tiny_bart_dir):
    script = f"""
import sys
from summarize.backends import make_backends
from summarize.backends.base import Backends, translator_for
from summarize.backends.base import translator_for
from summarize.options import Options
backends = make_backends(Options(backend="transformers", translation_model={str(tiny_marian_dir)!r}, summary_model={str(tiny_bart_dir)!r}))
for engine in (translator_for(backends.translator, "fr"), backends.summarizer):
    engine.signature(); engine.describe(); engine.max_input_tokens
print(sorted(m for m in ("torch", "transformers", "tokenizers", "sentencepiece") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_signature_and_describe_name_what_runs(tiny_marian_dir, tiny_bart_dir):
    backends = tiny_backends(tiny_marian_dir, tiny_bart_dir, beams=4)
    signature = backends.translator.signature()
    for part in ("engine:transformers", "task:translation", f"model:{tiny_marian_dir.name}", "rev:local-", "dtype:float32", "beams:4"):
        assert part in signature
    assert "task:summary" in backends.summarizer.signature()
    assert tiny_backends(tiny_marian_dir, tiny_bart_dir, beams=1).translator.signature() != signature
    described = backends.summarizer.describe()
    assert described["engine"] == "transformers" and described["device"] == "cpu" and described["dtype"] == "float32"
    assert described["revision"].startswith("local-") and described["path"] == str(tiny_bart_dir.resolve())


def test_input_limits_and_token_counts_come_from_the_checkpoint(tiny_marian_dir, tiny_bart_dir):
    backends = tiny_backends(tiny_marian_dir, tiny_bart_dir)
    assert backends.translator.max_input_tokens == 128
    assert backends.summarizer.max_input_tokens == 512
    sentence = "Le maire a voté."
    ids = backends.translator.tokenizer(sentence).input_ids
    assert backends.translator.count_tokens(sentence) == len(ids) and ids[-1] == 0  # </s> counted


@pytest.mark.parametrize("device, expected", [("cpu", ("cpu", "float32")), ("cuda", ("cuda", "float16")), ("cuda:1", ("cuda:1", "float16"))])
def test_placement_without_torch(device, expected):
    assert backend._placement(device, "bart") == expected


def test_fp16_unsafe_families_use_bfloat16_on_gpu():
    assert backend._placement("cuda", "pegasus") == ("cuda", "bfloat16")


def test_unknown_device_is_a_one_line_error(tiny_marian_dir, tiny_bart_dir):
    with pytest.raises(UsageError, match="unknown device 'tpu'.*--device"):
        tiny_backends(tiny_marian_dir, tiny_bart_dir, device="tpu").translator.signature()


# ---- translation -----------------------------------------------------------------------------------


def test_translations_stay_aligned_whatever_the_batching(tiny_marian_dir, tiny_bart_dir):
    translator = tiny_backends(tiny_marian_dir, tiny_bart_dir).translator
    sentences = french_sentences()[::53] + ["", "Un.", "   ", french_sentences()[3] + " " + french_sentences()[400]]
    together = translator.translate(sentences)
    alone = [translator.translate([sentence])[0] for sentence in sentences]
    assert together == alone  # greedy search: a row's output does not depend on its batch-mates
    assert [bool(t) for t in together] == [bool(s.strip()) for s in sentences]
    assert len({t for t in together if t}) == len([s for s in sentences if s.strip()])  # distinct: order is checkable


def test_over_long_input_raises_instead_of_truncating(tiny_marian_dir, tiny_bart_dir):
    translator = tiny_backends(tiny_marian_dir, tiny_bart_dir).translator
    too_long = " ".join(french_sentences()[:30])
    with pytest.raises(ValueError, match=r"over .*limit of 128.*never truncated"):
        translator.translate(["Un.", too_long])


def record_generate(monkeypatch, fake_output=None) -> list[dict]:
    """Record the settings of every generate() call (and optionally replace its output)."""
    calls: list[dict] = []
    real = backend._TransformersEngine._generate

    def spy(self, encoded, **settings):
        calls.append({"inputs": [list(ids) for ids in encoded], **settings})
        return fake_output(encoded, settings) if fake_output else real(self, encoded, **settings)

    monkeypatch.setattr(backend._TransformersEngine, "_generate", spy)
    return calls


def test_output_limit_is_proportional_to_each_input(tiny_marian_dir, tiny_bart_dir, monkeypatch):
    translator = tiny_backends(tiny_marian_dir, tiny_bart_dir).translator
    calls = record_generate(monkeypatch, fake_output=lambda encoded, settings: [[9] * 200 for _ in encoded])
    short, long = "Un.", " ".join(french_sentences()[:3])
    translator.translate([short, long])
    ids = [translator.tokenizer(text).input_ids for text in (short, long)]
    limits = [min(127, math.ceil(1.5 * len(i)) + 10) for i in ids]  # 127: the decoder's last position
    # the looping fake output triggers one retry: both calls run to the longest limit
    assert [call["max_new_tokens"] for call in calls] == [max(limits)] * 2
    decoded = [translator.tokenizer.decode([9] * limit, skip_special_tokens=True) for limit in limits]
    assert translator.translate([short, long]) == [" ".join(d.split()) for d in decoded]


@pytest.mark.parametrize(
    "ids, looping",
    [
        ([5, 6, 7, 8, 9, 10], False),
        ([5, 5, 5, 6], False),
        ([5, 5, 5, 5], True),
        ([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3], True),
        ([1, 2, 3, 1, 2, 3, 1, 2, 3, 4], False),
        ([7] + [9, 8, 1, 2, 3, 4, 5, 6] * 4, True),  # the longest unit looked for: 8 tokens
        ([9, 8, 1, 2, 3, 4, 5, 6] * 3, False),  # three times is not yet a loop
        ([9, 1, 2, 3, 4, 5, 6, 7, 8] * 4, False),  # 9-token units are not looked for
    ],
)
def test_repetition_loop_detection(ids, looping):
    assert seq2seq.has_repetition_loop(ids) is looping


def test_looping_outputs_are_regenerated_with_repeats_banned(tiny_marian_dir, tiny_bart_dir, monkeypatch):
    translator = tiny_backends(tiny_marian_dir, tiny_bart_dir).translator

    def fake(encoded, settings):
        if settings.get("no_repeat_ngram_size"):
            return [[20, 21, 22] for _ in encoded]
        return [[30, 30, 30, 30, 30] if len(ids) > 10 else [40, 41] for ids in encoded]

    calls = record_generate(monkeypatch, fake_output=fake)
    looping, fine = " ".join(french_sentences()[:2]), "Un."
    out = translator.translate([fine, looping])
    assert len(calls) == 2 and calls[1]["no_repeat_ngram_size"] == 3
    assert len(calls[1]["inputs"]) == 1  # only the looping sentence is retried
    decode = translator._decode
    assert out == [decode([40, 41]), decode([20, 21, 22])]


@pytest.mark.parametrize("beams", [1, 4])
def test_batches_are_length_sorted_and_within_the_token_budget(tiny_marian_dir, tiny_bart_dir, beams):
    translator = tiny_backends(tiny_marian_dir, tiny_bart_dir, beams=beams).translator
    lengths = [3, 120, 40, 41, 7, 500, 5000, 2, 64, 64] * 7
    batches = translator._batches(lengths)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    flat = [lengths[i] for batch in batches for i in batch]
    assert flat == sorted(lengths, reverse=True)
    for batch in batches:
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) * beams <= seq2seq._TOKEN_BUDGET["cpu"]


# ---- summaries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("max_words", [10, 40])
def test_summary_length_follows_the_word_budget(tiny_marian_dir, tiny_bart_dir, monkeypatch, max_words):
    summarizer = tiny_backends(tiny_marian_dir, tiny_bart_dir).summarizer
    calls = record_generate(monkeypatch)
    texts = ["The mayor voted. " * 30, "The court rejected the immigration bill. " * 8, "Farmers voted."]
    summaries = summarizer.summarize(texts, max_words)
    max_new = math.ceil(1.4 * max_words) + 2
    assert {call["max_new_tokens"] for call in calls} == {max_new}
    assert all(0 <= call["min_new_tokens"] <= max_new // 2 + 1 for call in calls)
    assert len(summaries) == 3 and all(summaries)
    assert all(len(s.split()) <= max_new for s in summaries)


def test_legacy_generation_settings_in_config_json_are_used(tiny_marian_dir, tiny_bart_dir, tmp_path, monkeypatch):
    """Like sshleifer/distilbart-cnn-12-6: no generation_config.json, settings in config.json."""
    legacy = tmp_path / "legacy-bart"
    shutil.copytree(tiny_bart_dir, legacy)
    (legacy / "generation_config.json").unlink()
    config = json.loads((legacy / "config.json").read_text())
    config.update(length_penalty=1.5, task_specific_params={"summarization": {"no_repeat_ngram_size": 3, "length_penalty": 2.0}})
    (legacy / "config.json").write_text(json.dumps(config))
    summarizer = tiny_backends(tiny_marian_dir, legacy, beams=2).summarizer
    assert summarizer.legacy_generation_settings == {"length_penalty": 2.0, "no_repeat_ngram_size": 3}
    seen = []
    real_generate = type(summarizer.model).generate
    monkeypatch.setattr(type(summarizer.model), "generate", lambda model, **kw: seen.append(kw) or real_generate(model, **kw))
    assert summarizer.summarize(["The mayor voted. The court rejected the bill."], 10)[0]
    assert seen[0]["no_repeat_ngram_size"] == 3 and seen[0]["length_penalty"] == 2.0 and seen[0]["num_beams"] == 2
    assert tiny_backends(tiny_marian_dir, tiny_bart_dir).summarizer.legacy_generation_settings == {}


def test_summary_inputs_over_the_limit_raise(tiny_marian_dir, tiny_bart_dir):
    summarizer = tiny_backends(tiny_marian_dir, tiny_bart_dir).summarizer
    with pytest.raises(ValueError, match="limit of 512"):
        summarizer.summarize(["The mayor voted. " * 200], 20)


# ---- process-level model cache -------------------------------------------------------------------


def test_models_load_once_per_process(tiny_marian_dir, tiny_bart_dir, monkeypatch):
    import transformers

    monkeypatch.setattr(backend, "_MODELS", {})
    loads = []
    real = transformers.AutoModelForSeq2SeqLM.from_pretrained

    def counting(path, **kwargs):
        loads.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForSeq2SeqLM, "from_pretrained", counting)
    for _ in range(2):  # e.g. two clusters in one batch: fresh engines, same checkpoints
        backends = tiny_backends(tiny_marian_dir, tiny_bart_dir)
        backends.translator.translate(["Le maire a voté."])
        backends.summarizer.summarize(["The mayor voted."], 10)
    assert sorted(loads) == sorted([str(tiny_marian_dir.resolve()), str(tiny_bart_dir.resolve())])


# ---- the whole CLI through this backend -----------------------------------------------------------


@pytest.fixture(scope="module")
def seed_run(tiny_marian_dir, tiny_bart_dir, seed_dir, tmp_path_factory):
    base = tmp_path_factory.mktemp("transformers-run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMP_NUM_THREADS", "1")
        result = runner.invoke(app, tiny_run_args(tiny_marian_dir, tiny_bart_dir, seed_dir, base / "out", base / "cache"))
    assert result.exit_code == 0, result.output
    return base, json.loads((base / "out" / "fr-03" / "cluster.json").read_text("utf-8"))


def test_cli_run_records_the_models_and_every_sentence_is_translated(seed_run, tiny_marian_dir):
    _, data = seed_run
    models = data["run"]["models"]
    assert list(models["translation"]) == ["fr"]  # per source language: the seeds are French
    assert models["translation"]["fr"]["engine"] == models["summarisation"]["engine"] == "transformers"
    assert models["translation"]["fr"]["path"] == str(tiny_marian_dir.resolve())
    assert "engine:transformers" in data["run"]["signature"]
    for article in data["articles"]:
        assert article["segments"] and all(s["translation"].strip() for s in article["segments"])
        assert article["brief"].strip()
        assert article["translation"].count("\n\n") == len({s["paragraph"] for s in article["segments"]}) - 1
    assert data["cluster"]["summary"].strip()


def test_cli_segments_hold_each_sentences_own_translation(seed_run, tiny_marian_dir, tiny_bart_dir):
    _, data = seed_run
    translator = tiny_backends(tiny_marian_dir, tiny_bart_dir).translator
    segments = [s for a in data["articles"] for s in a["segments"] if translator.count_tokens(s["source"]) <= 128]
    for segment in segments[:: max(1, len(segments) // 6)]:
        assert translator.translate([segment["source"]]) == [segment["translation"]]


def test_cached_rerun_loads_no_model_and_imports_no_torch(seed_run, tiny_marian_dir, tiny_bart_dir, seed_dir):
    base, data = seed_run
    args = tiny_run_args(tiny_marian_dir, tiny_bart_dir, seed_dir, base / "again", base / "cache")
    script = f"""
import sys
from summarize.cli import app
try:
    app({args!r})
except SystemExit as done:
    assert not done.code, done.code
print(sorted(m for m in ("torch", "transformers", "tokenizers", "sentencepiece") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    again = json.loads((base / "again" / "fr-03" / "cluster.json").read_text("utf-8"))
    assert again["cluster"]["summary"] == data["cluster"]["summary"]
    assert [a["brief"] for a in again["articles"]] == [a["brief"] for a in data["articles"]]


def long_article(paragraphs: int = 36) -> str:
    """A 3,000+ word French article, with one sentence longer than the tiny Marian's 128-token input."""
    sentences = french_sentences()
    body = [" ".join(sentences[(p * 17 + k * 3) % len(sentences)] for k in range(10)) for p in range(paragraphs)]
    clauses = [s.rstrip(".") for s in sentences[5:200:12]]
    body.insert(3, ", et ".join(clauses) + ".")
    return "Un très long article sur la réforme\n\n" + "\n\n".join(body) + "\n"


def test_long_article_every_sentence_translated_and_every_chunk_summarised(tiny_marian_dir, tiny_bart_dir, tmp_path, monkeypatch):
    cluster = tmp_path / "long-01"
    cluster.mkdir()
    text = long_article()
    assert len(text.split()) > 3000
    (cluster / "000_long.txt").write_text(text, encoding="utf-8")
    translate_calls, summarize_calls = [], []
    real_translate, real_summarize = backend.TransformersTranslator.translate, backend.TransformersSummarizer.summarize

    def recording_translate(self, sentences):
        translate_calls.append(list(sentences))
        return real_translate(self, sentences)

    def recording_summarize(self, texts, max_words):
        summarize_calls.append(list(texts))
        return real_summarize(self, texts, max_words)

    monkeypatch.setattr(backend.TransformersTranslator, "translate", recording_translate)
    monkeypatch.setattr(backend.TransformersSummarizer, "summarize", recording_summarize)
    result = runner.invoke(app, tiny_run_args(tiny_marian_dir, tiny_bart_dir, cluster, tmp_path / "out", tmp_path / "cache"))
    assert result.exit_code == 0, result.output
    article = json.loads((tmp_path / "out" / "long-01" / "cluster.json").read_text("utf-8"))["articles"][0]
    segments = article["segments"]

    # every source sentence is there, in order, with a translation; the over-long one was split, not cut
    assert " ".join(s["source"] for s in segments).split() == " ".join(text.split("\n\n", 1)[1].split()).split()
    assert all(s["translation"].strip() for s in segments)
    pieces = translate_calls[0]
    backends = tiny_backends(tiny_marian_dir, tiny_bart_dir)
    assert len(pieces) > len(segments) and all(backends.translator.count_tokens(p) <= 128 for p in pieces)

    # map step: the chunks cover every translated sentence, each within the summariser's input
    first_article_call = summarize_calls[0]
    assert len(first_article_call) > 1
    assert " ".join(first_article_call).split() == " ".join(s["translation"] for s in segments).split()
    assert all(backends.summarizer.count_tokens(chunk) <= 512 for chunk in first_article_call)
    assert len(summarize_calls) > 2  # reduce rounds followed, then the cluster brief
    assert article["brief"].strip()


# ---- missing weights: exit 2, one line, no outputs ------------------------------------------------


@pytest.mark.parametrize(
    "extra, named",
    [
        ([], "Helsinki-NLP/opus-mt-fr-en"),
        (["--summary-model", "facebook/bart-large-cnn"], "Helsinki-NLP/opus-mt-fr-en"),
        (["--translation-model", "/no/such/marian"], "/no/such/marian"),
    ],
)
def test_missing_weights_exit_2_with_one_line(seed_dir, tmp_path, extra, named):
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    env.pop("HF_HUB_CACHE", None)
    command = [sys.executable, "-c", "from summarize.cli import main; main()", "run", str(seed_dir), "--backend", "transformers",
               "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), "-q", *extra]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in done.stderr
    assert "Fix:" in lines[0]
    assert not list((tmp_path / "out").rglob("cluster.*"))


@pytest.mark.parametrize(
    "row, pad, expected",
    [
        ([5, 6, 0, 2, 2, 2, 2, 2], 2, [5, 6, 0]),  # an early end padded by generate(): not a loop
        ([5, 6, 7], 2, [5, 6, 7]),
        ([2, 2], 2, []),
    ],
)
def test_generate_rows_lose_their_padding(row, pad, expected):
    assert backend.strip_padding(row, pad) == expected
    assert not seq2seq.has_repetition_loop(backend.strip_padding(row, pad))
