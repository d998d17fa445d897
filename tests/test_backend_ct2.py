"""The CTranslate2 engine, converter and auto backend, on tiny models converted at test time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize.backends import make_backends
from summarize.backends.auto import choose_engine
from summarize.backends.base import BackendError, translator_for
from summarize.errors import UsageError
from summarize.backends.ct2 import CT2Summarizer, CT2Translator, plan_engine
from summarize.backends.transformers import TransformersSummarizer, TransformersTranslator
from summarize.cli import app
from summarize.convert import MANIFEST, SOURCE_CONFIG, Source, convert, converted_name, converter_version, find_converted
from summarize.models import choose_model, revision_label
from summarize.options import Options
from summarize.summarise import chunk_sentences
from summarize.translate import split_to_fit
from tiny_models import english_sentences, french_sentences

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def offline_hub(tmp_path, monkeypatch):
    """No network and an empty Hugging Face cache: only the tiny local checkpoints exist."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))


@pytest.fixture(scope="session")
def converted(tiny_marian_dir, tiny_bart_dir, tmp_path_factory):
    """Both tiny models converted to int8 once: {"root": ct2 root, "marian": dir, "bart": dir}."""
    root = tmp_path_factory.mktemp("converted") / "ct2"
    return {
        "root": root,
        "marian": convert(Source.from_dir(str(tiny_marian_dir), tiny_marian_dir), root, "int8"),
        "bart": convert(Source.from_dir(str(tiny_bart_dir), tiny_bart_dir), root, "int8"),
    }


def tiny_options(marian: Path, bart: Path, model_dir: Path, **settings) -> Options:
    return Options(translation_model=str(marian), summary_model=str(bart), model_dir=model_dir, device="cpu", **settings)


def run_cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


# ---- conversion ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["marian", "bart"])
def test_conversion_keeps_tokenizer_configs_and_manifest(converted, name, tiny_marian_dir, tiny_bart_dir):
    source = {"marian": tiny_marian_dir, "bart": tiny_bart_dir}[name]
    target = converted[name]
    assert target == converted["root"] / f"{source.name}-int8"
    manifest = json.loads((target / MANIFEST).read_text("utf-8"))
    assert manifest["source"] == str(source)
    assert manifest["revision"] == revision_label(source)
    assert manifest["quantization"] == "int8"
    assert manifest["converter"] == converter_version()
    assert manifest["model_type"] == name
    assert (target / "model.bin").is_file()
    assert json.loads((target / SOURCE_CONFIG).read_text()) == json.loads((source / "config.json").read_text())
    assert (target / "generation_config.json").is_file() and (target / "tokenizer_config.json").is_file()
    assert not list(target.glob("*.safetensors"))
    assert [p.name for p in converted["root"].iterdir() if p.name.startswith(".")] == []  # no staging left


def test_up_to_date_conversion_is_reused_and_force_replaces_it(tiny_bart_dir, tmp_path):
    source = Source.from_dir(str(tiny_bart_dir), tiny_bart_dir)
    target = convert(source, tmp_path, "int8")
    first = (target / MANIFEST).read_text()
    assert convert(source, tmp_path, "int8") == target
    assert (target / MANIFEST).read_text() == first
    convert(source, tmp_path, "int8", force=True)
    assert json.loads((target / MANIFEST).read_text())["converted_at"] >= json.loads(first)["converted_at"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_failed_conversion_leaves_nothing_behind(tiny_bart_dir, tmp_path, monkeypatch):
    import summarize.convert as convert_module

    def crash(source, output, quantization):
        output.mkdir(parents=True)
        (output / "model.bin").write_bytes(b"half written")
        raise OSError("disk full")

    monkeypatch.setattr(convert_module, "_write_ct2_model", crash)
    with pytest.raises(BackendError, match="cannot write the converted model"):
        convert(Source.from_dir(str(tiny_bart_dir), tiny_bart_dir), tmp_path, "int8")
    assert list(tmp_path.iterdir()) == []


def test_unsupported_architecture_is_refused_with_the_fix(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "t5"}))
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(BackendError, match="'t5'.*--backend transformers"):
        convert(Source.from_dir("t5-small", tmp_path), tmp_path / "ct2")


@pytest.mark.parametrize(
    "change, found",
    [
        ({}, True),
        ({"source": "someone/else"}, False),
        ({"quantization": "float16"}, False),
        ({"revision": "0" * 40}, False),
        ({"delete": "model.bin"}, False),
        ({"delete": MANIFEST}, False),
    ],
)
def test_find_converted_only_accepts_a_matching_complete_conversion(converted, tiny_bart_dir, tmp_path, change, found):
    copy = tmp_path / converted["bart"].name
    shutil.copytree(converted["bart"], copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest.update({k: v for k, v in change.items() if k != "delete"})
    (copy / MANIFEST).write_text(json.dumps(manifest))
    if "delete" in change:
        (copy / change["delete"]).unlink()
    result = find_converted(tmp_path, str(tiny_bart_dir), "int8", revision_label(tiny_bart_dir))
    assert (result == copy) if found else result is None


@pytest.mark.parametrize(
    "model_id, quantization, name",
    [
        ("Helsinki-NLP/opus-mt-fr-en", "int8", "opus-mt-fr-en-int8"),
        ("sshleifer/distilbart-cnn-12-6", "int8_float16", "distilbart-cnn-12-6-int8_float16"),
        ("/data/models/my-marian/", "float32", "my-marian-float32"),
    ],
)
def test_converted_directory_names(model_id, quantization, name):
    assert converted_name(model_id, quantization) == name


# ---- the engine ---------------------------------------------------------------------------------


def float32_pair(task: str, model_dir: Path, options: Options):
    """(transformers engine, ct2 engine at float32) for one tiny model: only the decoder library differs."""
    reference_class, engine_class = {"translation": (TransformersTranslator, CT2Translator), "summary": (TransformersSummarizer, CT2Summarizer)}[task]
    choice = choose_model(options, task)
    return reference_class(choice, options), engine_class(choice, options, Source.from_dir(str(model_dir), model_dir), None, "cpu", "float32")


# Beam search with banned n-grams is the one place the libraries legitimately differ: transformers
# bans them after log-softmax, CTranslate2 before it (renormalising), so beam scores and choices
# can differ; greedy choices and plain beam search are identical.
@pytest.mark.parametrize(
    "beams, settings",
    [
        (1, {"max_new_tokens": 12}),
        (1, {"max_new_tokens": 40}),
        (1, {"max_new_tokens": 30, "min_new_tokens": 20}),
        (1, {"max_new_tokens": 30, "forced_eos_token_id": None}),
        (1, {"max_new_tokens": 16, "min_new_tokens": 16}),
        (4, {"max_new_tokens": 12, "no_repeat_ngram_size": 0}),
        (4, {"max_new_tokens": 30, "min_new_tokens": 20, "no_repeat_ngram_size": 0}),
    ],
)
def test_float32_decoding_matches_generate_token_for_token(tiny_marian_dir, tiny_bart_dir, tmp_path, beams, settings):
    """Same ids as generate() for the same lengths and settings (forced BOS/EOS, min length, beams)."""
    options = tiny_options(tiny_marian_dir, tiny_bart_dir, tmp_path, beams=beams)
    for task, model_dir, texts in (
        ("translation", tiny_marian_dir, french_sentences()[::37]),
        ("summary", tiny_bart_dir, [" ".join(english_sentences()[i : i + 6]) for i in range(0, 48, 6)]),
    ):
        reference, engine = float32_pair(task, model_dir, options)
        encoded = reference._encode_checked(texts)
        pad = reference.tokenizer.pad_token_id
        expected = [[t for t in ids if t != pad] for ids in reference._generate(encoded, **settings)]
        assert engine._generate(encoded, **settings) == expected, task


def test_legacy_config_generation_settings_are_used_like_transformers(tiny_bart_dir, tmp_path):
    """A checkpoint without generation_config.json (distilbart-cnn) keeps its config.json settings."""
    legacy = tmp_path / "legacy-bart"
    shutil.copytree(tiny_bart_dir, legacy)
    (legacy / "generation_config.json").unlink()
    config = json.loads((legacy / "config.json").read_text())
    config["task_specific_params"] = {"summarization": {"no_repeat_ngram_size": 3, "length_penalty": 2.0, "num_beams": 4}}
    config["forced_bos_token_id"] = 0  # as in distilbart-cnn's config.json
    (legacy / "config.json").write_text(json.dumps(config))
    options = Options(summary_model=str(legacy), model_dir=tmp_path, device="cpu", beams=1)
    reference, engine = float32_pair("summary", legacy, options)
    assert engine._generation["no_repeat_ngram_size"] == 3 and engine._generation["length_penalty"] == 2.0
    assert engine._generation["forced_bos_token_id"] == 0
    encoded = reference._encode_checked([" ".join(english_sentences()[i : i + 6]) for i in range(0, 24, 6)])
    pad = reference.tokenizer.pad_token_id
    expected = [[t for t in ids if t != pad] for ids in reference._generate(encoded, max_new_tokens=40)]
    assert engine._generate(encoded, max_new_tokens=40) == expected


def test_float32_greedy_summaries_match_transformers(tiny_marian_dir, tiny_bart_dir, tmp_path):
    options = tiny_options(tiny_marian_dir, tiny_bart_dir, tmp_path, beams=1)
    reference, engine = float32_pair("summary", tiny_bart_dir, options)
    texts = [" ".join(english_sentences()[i : i + 6]) for i in range(0, 48, 6)]
    assert engine.summarize(texts, 20) == reference.summarize(texts, 20)


def test_float32_greedy_translations_match_transformers(tiny_marian_dir, tiny_bart_dir, tmp_path):
    options = tiny_options(tiny_marian_dir, tiny_bart_dir, tmp_path, beams=1)
    reference, engine = float32_pair("translation", tiny_marian_dir, options)
    sentences = french_sentences()[::37]
    assert engine.translate(sentences) == reference.translate(sentences)


def test_token_counts_splits_and_chunks_match_transformers(tiny_marian_dir, tiny_bart_dir, converted):
    options = tiny_options(tiny_marian_dir, tiny_bart_dir, converted["root"].parent)
    ct2 = make_backends(options.with_(backend="ct2"))
    reference = make_backends(options.with_(backend="transformers"))
    ct2_french, reference_french = (translator_for(b.translator, "fr") for b in (ct2, reference))
    long_sentence = ", ".join(french_sentences()[:40])
    assert split_to_fit(long_sentence, ct2_french) == split_to_fit(long_sentence, reference_french)
    assert len(split_to_fit(long_sentence, ct2_french)) > 1
    english = english_sentences()[:120]
    assert chunk_sentences(english, ct2.summarizer) == chunk_sentences(english, reference.summarizer)
    for engine, other in ((ct2_french, reference_french), (ct2.summarizer, reference.summarizer)):
        assert engine.max_input_tokens == other.max_input_tokens
        assert engine.count_tokens(english[0]) == other.count_tokens(english[0])


@pytest.mark.parametrize(
    "beams, count, sizes", [(4, 16, [16]), (4, 20, [10, 10]), (4, 35, [12, 12, 11]), (1, 100, [50, 50]), (16, 9, [3, 3, 3])]
)
def test_batches_are_split_evenly_under_the_hypothesis_cap(tiny_marian_dir, tiny_bart_dir, tmp_path, beams, count, sizes):
    options = tiny_options(tiny_marian_dir, tiny_bart_dir, tmp_path, beams=beams)
    engine = plan_engine(options, "translation")
    lengths = [10 + i % 20 for i in range(count)]  # every case fits one batch under the token budget
    batches = engine._batches(lengths)
    assert [len(b) for b in batches] == sizes
    assert [i for b in batches for i in b] == sorted(range(count), key=lambda i: -lengths[i])


@pytest.mark.parametrize(
    "lengths, sizes",
    [
        ([420] * 5, [5]),  # a cluster's article briefs: one batch (transformers' CPU budget would make 3)
        ([1024] * 5, [3, 2]),  # full-length chunks: three per batch
        ([1024, 300, 300, 300, 300], [3, 2]),  # longest first; the budget counts padding to the longest
    ],
)
def test_summaries_batch_whole_articles_on_cpu(tiny_marian_dir, tiny_bart_dir, tmp_path, lengths, sizes):
    engine = plan_engine(tiny_options(tiny_marian_dir, tiny_bart_dir, tmp_path, beams=4), "summary")
    assert [len(b) for b in engine._batches(lengths)] == sizes


def test_signature_names_engine_quantisation_and_revision(tiny_marian_dir, tiny_bart_dir, converted):
    options = tiny_options(tiny_marian_dir, tiny_bart_dir, converted["root"].parent)
    ct2 = make_backends(options.with_(backend="ct2"))
    reference = make_backends(options.with_(backend="transformers"))
    signature = translator_for(ct2.translator, "fr").signature()
    assert "engine:ct2" in signature and "quant:int8" in signature and f"rev:{revision_label(tiny_marian_dir)}" in signature
    # Everything but the engine part is shared, so the length rules cannot drift apart.
    assert signature.split("|")[-3:] == translator_for(reference.translator, "fr").signature().split("|")[-3:]
    assert ct2.summarizer.describe()["path"] == str(converted["bart"])


# ---- quantisation: a user choice ------------------------------------------------------------------


def test_chosen_quantisation_is_converted_on_first_use_and_named(tiny_marian_dir, tiny_bart_dir, converted):
    """--quantization float32 next to an int8 conversion: its own directory, signature and cache keys."""
    options = tiny_options(tiny_marian_dir, tiny_bart_dir, converted["root"].parent, quantization="float32")
    engine = plan_engine(options, "translation")
    default = plan_engine(options.with_(quantization=None), "translation")
    assert engine.converted is None and default.converted == converted["marian"]
    assert "|quant:float32|" in engine.signature() and "|quant:int8|" in default.signature()
    assert engine.signature().replace("float32", "int8") == default.signature()
    assert engine.describe()["quantization"] == "float32"
    assert engine.translate(["Le maire a voté."])[0]
    target = converted["root"] / converted_name(str(tiny_marian_dir), "float32")
    assert engine.converted == target and json.loads((target / MANIFEST).read_text())["quantization"] == "float32"
    assert plan_engine(options, "translation").converted == target  # found, not converted again
    shutil.rmtree(target)  # the session's ct2 root holds only the int8 conversions


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"quantization": "int3"}, "unknown quantisation 'int3'; choose one of: int8, .* Fix: pass one of them to --quantization"),
        ({"quantization": "int8", "backend": "transformers"}, "--quantization int8 .* transformers backend does not use it. Fix:"),
        ({"quantization": "int8", "backend": "stub"}, "stub backend does not use it"),
    ],
)
def test_unusable_quantisation_is_refused_before_anything_runs(tiny_marian_dir, tiny_bart_dir, tmp_path, settings, message):
    with pytest.raises(UsageError, match=message):  # Options are checked when built, before any backend exists
        tiny_options(tiny_marian_dir, tiny_bart_dir, tmp_path).with_(**settings)


@pytest.mark.parametrize("command", ["run", "batch"])
@pytest.mark.parametrize(
    "extra, named",
    [(["--quantization", "int3"], "unknown quantisation 'int3'"), (["--backend", "transformers", "--quantization", "int8"], "transformers")],
)
def test_cli_quantisation_errors_are_one_line_exit_2(seed_dir, tmp_path, command, extra, named):
    result = run_cli(command, str(seed_dir), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), *extra)
    assert result.exit_code == 2
    assert named in result.output and "Fix:" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


# ---- engine choice --------------------------------------------------------------------------------


def test_auto_picks_ct2_for_local_checkpoints_converting_on_first_use(tiny_marian_dir, tiny_bart_dir, tmp_path):
    options = tiny_options(tiny_marian_dir, tiny_bart_dir, tmp_path, backend="auto")
    backends = make_backends(options)
    french = translator_for(backends.translator, "fr")
    assert isinstance(french, CT2Translator) and isinstance(backends.summarizer, CT2Summarizer)
    assert french.converted is None  # nothing loaded or converted yet
    signature = backends.summarizer.signature()
    assert backends.summarizer.summarize(["The mayor presented a new budget for the hospital."], 10)[0]
    assert find_converted(tmp_path / "ct2", str(tiny_bart_dir), "int8", revision_label(tiny_bart_dir)) is not None
    assert make_backends(options).summarizer.signature() == signature


def test_auto_uses_a_converted_model_without_the_hf_weights(converted, tiny_bart_dir, tmp_path):
    """A hub model converted earlier runs on ct2 even when its HF weights are gone."""
    root = tmp_path / "ct2"
    convert(Source(model_id="sshleifer/distilbart-cnn-12-6", path=tiny_bart_dir, revision="a" * 40), root, "int8")
    options = Options(summary_model="sshleifer/distilbart-cnn-12-6", model_dir=tmp_path, device="cpu")
    engine = choose_engine(options, "summary")
    assert isinstance(engine, CT2Summarizer)
    assert engine.revision == "a" * 40 and engine.model_name == "sshleifer/distilbart-cnn-12-6"
    assert engine.summarize(["The court rejected the immigration bill."], 10)[0]
    # A pinned revision that differs from the conversion's is not served from it.
    pinned = options.with_(summary_model="sshleifer/distilbart-cnn-12-6@" + "b" * 40)
    assert not isinstance(choose_engine(pinned, "summary"), CT2Summarizer)


@pytest.mark.parametrize(
    "settings, engine_class",
    [
        ({"device": "mps"}, TransformersTranslator),  # a device CTranslate2 does not drive
        ({"translation_model": "Helsinki-NLP/opus-mt-fr-en"}, TransformersTranslator),  # weights not on disk
        ({}, CT2Translator),
    ],
)
def test_auto_falls_back_to_transformers_when_ct2_cannot_run(tiny_marian_dir, tiny_bart_dir, tmp_path, settings, engine_class):
    options = tiny_options(tiny_marian_dir, tiny_bart_dir, tmp_path).with_(**settings)
    assert type(choose_engine(options, "translation")) is engine_class


def test_auto_falls_back_for_architectures_ct2_does_not_run(tiny_bart_dir, tmp_path):
    other = tmp_path / "t5-like"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"model_type": "t5"}))
    (other / "model.safetensors").write_bytes(b"")
    options = Options(summary_model=str(other), model_dir=tmp_path, device="cpu")
    assert isinstance(choose_engine(options, "summary"), TransformersSummarizer)
    with pytest.raises(BackendError, match="'t5'.*--backend transformers"):
        plan_engine(options, "summary")


@pytest.mark.parametrize(
    "backend, model, pull",
    [
        ("auto", "opus-mt-fr-en", "summarize models pull fr"),  # the French articles' model, first needed
        ("ct2", "distilbart-cnn-12-6", "summarize models pull default"),  # ct2 plans the summariser when built
    ],
)
def test_missing_weights_fail_in_one_line_naming_the_fix(seed_dir, tmp_path, backend, model, pull):
    result = run_cli(
        "run", str(seed_dir), "--backend", backend, "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"),
        "--model-dir", str(tmp_path / "models"),
    )
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert model in message and pull in message
    assert "Traceback" not in result.output and "STUB" not in result.output
    assert not (tmp_path / "out" / "fr-03" / "cluster.json").exists()


# ---- end to end through the CLI ------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_runs(seed_dir, tiny_marian_dir, tiny_bart_dir, converted, tmp_path_factory):
    """Two seed articles through the CLI on ct2 twice, sharing one cache and the converted models."""
    base = tmp_path_factory.mktemp("ct2-cli")
    cluster = base / "fr-03"
    cluster.mkdir()
    for article in sorted(seed_dir.glob("*.txt"))[:2]:
        shutil.copyfile(article, cluster / article.name)
    common = ["--translation-model", str(tiny_marian_dir), "--summary-model", str(tiny_bart_dir),
              "--model-dir", str(converted["root"].parent), "--cache-dir", str(base / "cache"), "--device", "cpu", "--quiet"]
    results = {}
    for name in ("first", "second"):
        result = run_cli("run", str(cluster), "--backend", "ct2", "--out", str(base / name), *common)
        assert result.exit_code == 0, result.output
        results[name] = json.loads((base / name / "fr-03" / "cluster.json").read_text("utf-8"))
    return base, common, results


def test_cli_ct2_run_names_engine_and_uses_the_converted_models(cli_runs, converted):
    _, _, results = cli_runs
    run = results["first"]["run"]
    assert run["backend"] == "ct2"
    for model, name in ((run["models"]["translation"]["fr"], "marian"), (run["models"]["summarisation"], "bart")):
        assert model["engine"] == "ct2" and model["quantization"] == "int8"
        assert model["path"] == str(converted[name])
    assert "engine:ct2" in run["signature"] and "quant:int8" in run["signature"]
    assert sorted(p.name for p in converted["root"].iterdir()) == sorted(converted[n].name for n in ("marian", "bart"))


def test_cli_quantization_option_reaches_the_engine(seed_dir, tiny_marian_dir, tiny_bart_dir, tmp_path):
    cluster = tmp_path / "fr-03"
    cluster.mkdir()
    shutil.copyfile(sorted(seed_dir.glob("*.txt"))[0], cluster / "one.txt")
    models = tmp_path / "models"
    result = run_cli(
        "run", str(cluster), "--backend", "ct2", "--quantization", "float32", "--translation-model", str(tiny_marian_dir),
        "--summary-model", str(tiny_bart_dir), "--model-dir", str(models), "--cache-dir", str(tmp_path / "cache"),
        "--device", "cpu", "--out", str(tmp_path / "out"), "--quiet",
    )
    assert result.exit_code == 0, result.output
    run = json.loads((tmp_path / "out" / "fr-03" / "cluster.json").read_text("utf-8"))["run"]
    assert run["models"]["translation"]["fr"]["quantization"] == "float32" and "quant:float32" in run["signature"]
    assert run["models"]["translation"]["fr"]["path"] == str(models / "ct2" / f"{tiny_marian_dir.name}-float32")
    assert (models / "ct2" / f"{tiny_marian_dir.name}-float32" / MANIFEST).is_file()


def test_cli_quantization_this_device_cannot_run_fails_before_converting(seed_dir, tiny_marian_dir, tiny_bart_dir, tmp_path):
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types("cpu")
    unsupported = next((q for q in ("float16", "int8_float16", "bfloat16") if q not in supported), None)
    if unsupported is None:
        pytest.skip("this CPU runs every half-precision compute type")
    models = tmp_path / "models"
    result = run_cli(
        "run", str(seed_dir), "--backend", "ct2", "--quantization", unsupported, "--translation-model", str(tiny_marian_dir),
        "--summary-model", str(tiny_bart_dir), "--model-dir", str(models), "--cache-dir", str(tmp_path / "cache"),
        "--device", "cpu", "--out", str(tmp_path / "out"), "--quiet",
    )
    assert result.exit_code == 2
    assert f"CTranslate2 cannot run {unsupported} on this cpu" in result.output and "Fix: pass --quantization int8" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (models / "ct2").exists() or not any((models / "ct2").iterdir())  # nothing was converted


def test_cli_ct2_translations_stay_aligned_with_source_sentences(cli_runs):
    """One translation per source sentence, in order, paragraphs kept (as the stub and transformers give)."""
    from summarize.clean import clean_article
    from summarize.ingest import ingest_cluster
    from summarize.segment import segment_article

    base, _, results = cli_runs
    expected = {
        item.id: segment_article(clean_article(item, cluster_id="fr-03")).sentences for item in ingest_cluster(base / "fr-03").articles
    }
    for article in results["first"]["articles"]:
        sentences = expected[article["id"]]
        assert [(s["paragraph"], s["source"]) for s in article["segments"]] == [(s.paragraph, s.text) for s in sentences]
        assert all(s["translation"].strip() for s in article["segments"])
        assert article["translation"].count("\n\n") == len({s.paragraph for s in sentences}) - 1
        assert article["brief"]


def test_cli_ct2_second_run_is_all_hits_and_identical(cli_runs):
    _, _, results = cli_runs
    first, second = results["first"], results["second"]
    assert first["run"]["cache"]["misses"] > 0
    assert second["run"]["cache"]["misses"] == 0 and second["run"]["cache"]["hits"] > 0
    assert first["run"]["signature"] == second["run"]["signature"]
    assert first["articles"] == second["articles"] and first["cluster"] == second["cluster"]


def test_cache_keys_separate_engines_and_quantisations(tiny_marian_dir, tiny_bart_dir, converted):
    """A transformers or float32 result is never served for ct2 int8, nor the other way round."""
    from summarize.cache import cache_key
    from summarize.translate import stage_signature

    options = tiny_options(tiny_marian_dir, tiny_bart_dir, converted["root"].parent)
    int8 = plan_engine(options, "translation")
    float32 = CT2Translator(int8.choice, options, int8.source, None, "cpu", "float32")
    reference = make_backends(options.with_(backend="transformers")).translator
    keys = {cache_key(stage_signature(engine), "Le maire a voté.") for engine in (int8, float32, reference)}
    assert len(keys) == 3


@pytest.mark.parametrize(
    "extra, modules",
    [
        (["--backend", "auto"], []),  # fully cached: no model library at all
        (["--backend", "ct2", "--no-cache"], ["ctranslate2", "transformers"]),  # converted models: no torch (memory)
    ],
)
def test_model_libraries_imported_only_as_needed(cli_runs, extra, modules):
    base, common, _ = cli_runs
    out = base / f"modules-{extra[1]}"
    args = ["run", str(base / "fr-03"), "--out", str(out), *common, *extra]
    script = (
        "import sys\nfrom summarize.cli import app\n"
        f"try:\n    app({args!r})\n"
        "except SystemExit as done:\n    assert not done.code, done.code\n"
        "print(sorted(m for m in ('torch', 'ctranslate2', 'transformers') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == repr(modules)
    run = json.loads((out / "fr-03" / "cluster.json").read_text("utf-8"))["run"]
    assert run["backend"] == "ct2"
    assert (run["cache"]["misses"] == 0) == (modules == [])


def test_models_convert_command(tiny_marian_dir, tmp_path):
    first = run_cli("models", "convert", str(tiny_marian_dir), "--model-dir", str(tmp_path))
    assert first.exit_code == 0, first.output
    assert "converted" in first.output and f"{tiny_marian_dir.name}-int8" in first.output
    again = run_cli("models", "convert", str(tiny_marian_dir), "--model-dir", str(tmp_path))
    assert "up to date" in again.output
    bad = run_cli("models", "convert", str(tiny_marian_dir), "--model-dir", str(tmp_path), "--quantization", "int3")
    assert bad.exit_code == 2 and "unknown quantisation 'int3'" in bad.output
