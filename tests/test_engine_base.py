"""The shared seq2seq engine (summarize/backends/seq2seq.py): its contract, lazy imports and pinned signatures."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from summarize.backends import make_backends
from summarize.backends.base import translator_for
from summarize.backends.seq2seq import Seq2SeqSummarizer, Seq2SeqTranslator
from summarize.convert import MANIFEST
from summarize.models import choose_model, revision_label
from summarize.options import Options

REPO = Path(__file__).resolve().parents[1]
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(autouse=True)
def offline_hub(tmp_path, monkeypatch):
    """No network and an empty Hugging Face cache: only the tiny local checkpoints exist."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))


def test_an_engine_supplies_exactly_these_hooks():
    hooks = {"model_dir", "revision", "model_name", "_config", "placement", "describe", "_load_tokenizer", "_generate"}
    assert Seq2SeqTranslator.__abstractmethods__ == hooks
    assert Seq2SeqSummarizer.__abstractmethods__ == hooks
    with pytest.raises(TypeError, match="abstract"):
        Seq2SeqTranslator(choose_model(Options(), "translation"), Options())


def test_shared_engine_and_ct2_import_no_model_library():
    """The base and the ct2 engine import neither torch, transformers, ctranslate2 nor the transformers engine."""
    script = (
        "import sys\nimport summarize.backends.seq2seq, summarize.backends.ct2\n"
        "print(sorted(m for m in ('torch', 'transformers', 'ctranslate2', 'summarize.backends.transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# ---- signatures: part of every cache key, so they must not change ----------------------------------

TRANSLATION = "engine:{engine}|task:translation|model:{model}|rev:{rev}|{precision}|beams:{beams}|max_new:1.5x+10|loop_guard:4x8->nr3|v:1"
SUMMARY = "engine:{engine}|task:summary|model:{model}|rev:{rev}|{precision}|beams:{beams}|tokens_per_word:1.4|min_share:0.5|v:1"


@pytest.mark.parametrize(
    "backend, beams, precision",
    [("transformers", 4, "dtype:float32"), ("transformers", 1, "dtype:float32"), ("ct2", 4, "quant:int8"), ("auto", 2, "quant:int8")],
)
def test_signatures_of_local_checkpoints_are_pinned(tiny_marian_dir, tiny_bart_dir, tmp_path, backend, beams, precision):
    options = Options(
        backend=backend, translation_model=str(tiny_marian_dir), summary_model=str(tiny_bart_dir), model_dir=tmp_path,
        device="cpu", beams=beams,
    )
    backends = make_backends(options)
    engine = "transformers" if backend == "transformers" else "ct2"
    for template, model_dir, signature in (
        (TRANSLATION, tiny_marian_dir, translator_for(backends.translator, "fr").signature()),
        (SUMMARY, tiny_bart_dir, backends.summarizer.signature()),
    ):
        rev = revision_label(model_dir.resolve())
        assert signature == template.format(engine=engine, model=model_dir.name, rev=rev, precision=precision, beams=beams)


def test_signature_of_a_hub_snapshot_is_pinned(tiny_marian_dir, tmp_path):
    snapshot = tmp_path / "hf-cache" / "models--Helsinki-NLP--opus-mt-fr-en" / "snapshots" / COMMIT
    shutil.copytree(tiny_marian_dir, snapshot)
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text(COMMIT)
    options = Options(backend="transformers", device="cpu")
    assert translator_for(make_backends(options).translator, "fr").signature() == (
        "engine:transformers|task:translation|model:Helsinki-NLP/opus-mt-fr-en|rev:0123456789abcdef0123456789abcdef01234567"
        "|dtype:float32|beams:4|max_new:1.5x+10|loop_guard:4x8->nr3|v:1"
    )


def test_signature_of_a_converted_hub_model_without_its_weights_is_pinned(tmp_path):
    converted = tmp_path / "ct2" / "distilbart-cnn-12-6-int8"
    converted.mkdir(parents=True)
    (converted / "model.bin").write_bytes(b"")
    manifest = {"source": "sshleifer/distilbart-cnn-12-6", "revision": "a" * 40, "quantization": "int8"}
    (converted / MANIFEST).write_text(json.dumps(manifest))
    options = Options(summary_model="sshleifer/distilbart-cnn-12-6", model_dir=tmp_path, device="cpu")
    assert make_backends(options).summarizer.signature() == (
        "engine:ct2|task:summary|model:sshleifer/distilbart-cnn-12-6|rev:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "|quant:int8|beams:4|tokens_per_word:1.4|min_share:0.5|v:1"
    )
