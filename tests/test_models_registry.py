"""Model registry, model resolution (local dir, --model-dir, HF cache, offline) and `summarize models`."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize.backends.base import BackendError
from summarize.errors import UsageError
from summarize.cli import app
from summarize.models import (
    choose_model,
    load_registry,
    missing_weights,
    resolve_model,
    revision_label,
)
from summarize.options import Options

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def empty_hf_home(tmp_path, monkeypatch) -> Path:
    """An empty HF_HOME, offline: nothing can come from the hub."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path / "hf"


def fake_hub_snapshot(cache: Path, repo_id: str, checkpoint: Path, commit: str = COMMIT) -> Path:
    """Lay `checkpoint` out the way huggingface_hub caches `repo_id` at `main`."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    shutil.copytree(checkpoint, snapshot)
    return snapshot


# ---- registry -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "preset, translation, summary",
    [
        ("default", "Helsinki-NLP/opus-mt-fr-en", "sshleifer/distilbart-cnn-12-6"),
        ("fast", "Helsinki-NLP/opus-mt-fr-en", "sshleifer/distilbart-cnn-6-6"),
        ("quality", "Helsinki-NLP/opus-mt-tc-big-fr-en", "facebook/bart-large-cnn"),
        ("multi-document", "Helsinki-NLP/opus-mt-fr-en", "google/pegasus-multi_news"),
    ],
)
def test_presets_name_the_issue_models(preset, translation, summary):
    options = Options(preset=preset)
    assert choose_model(options, "translation").spec == translation
    assert choose_model(options, "summary").spec == summary


def test_every_preset_and_language_model_has_settings():
    registry = load_registry()
    for preset in registry.presets:
        assert registry.models[registry.preset(preset)["summary"]]["task"] == "summary"
        for language, model_id in registry.translation_models(preset).items():
            assert registry.models[model_id]["task"] == "translation"
            assert registry.models[model_id]["revision"]
            assert language in registry.model_languages(model_id)  # the registry says the model reads it
    assert registry.models[registry.fallback]["task"] == "translation"


@pytest.mark.parametrize(
    "translation_model, expected_spec, expected_revision",
    [
        (None, "Helsinki-NLP/opus-mt-fr-en", "main"),
        ("Helsinki-NLP/opus-mt-tc-big-fr-en", "Helsinki-NLP/opus-mt-tc-big-fr-en", "main"),
        ("someone/my-marian@v2", "someone/my-marian", "v2"),
        (f"Helsinki-NLP/opus-mt-fr-en@{COMMIT}", "Helsinki-NLP/opus-mt-fr-en", COMMIT),
        ("someone/unregistered", "someone/unregistered", None),
    ],
)
def test_choose_model_overrides_and_revisions(translation_model, expected_spec, expected_revision):
    choice = choose_model(Options(translation_model=translation_model), "translation")
    assert (choice.spec, choice.revision) == (expected_spec, expected_revision)
    assert choice.option == "--translation-model"


def test_unknown_preset_names_the_choices():
    with pytest.raises(UsageError, match="unknown preset 'huge'.*default"):
        Options(preset="huge")  # checked when the options are built, whatever runs them


# ---- resolution -----------------------------------------------------------------------------------


def test_local_directory_is_used_as_is(tiny_marian_dir, empty_hf_home):
    assert resolve_model(str(tiny_marian_dir), task="translation") == tiny_marian_dir.resolve()


@pytest.mark.parametrize("layout", ["org/name", "name", "org--name"])
def test_model_dir_is_searched_before_the_cache(tiny_bart_dir, tmp_path, empty_hf_home, layout):
    target = tmp_path / "models" / layout.replace("org", "sshleifer").replace("name", "distilbart-cnn-12-6")
    shutil.copytree(tiny_bart_dir, target)
    options = Options(model_dir=tmp_path / "models")
    assert resolve_model("sshleifer/distilbart-cnn-12-6", "main", options, task="summary") == target.resolve()


def test_hf_cache_snapshot_is_found_offline_with_its_commit(tiny_marian_dir, empty_hf_home):
    snapshot = fake_hub_snapshot(empty_hf_home / "hub", "Helsinki-NLP/opus-mt-fr-en", tiny_marian_dir)
    found = resolve_model("Helsinki-NLP/opus-mt-fr-en", "main", task="translation")
    assert found == snapshot
    assert revision_label(found) == COMMIT


def test_pinned_revision_not_in_cache_is_missing(tiny_marian_dir, empty_hf_home):
    fake_hub_snapshot(empty_hf_home / "hub", "Helsinki-NLP/opus-mt-fr-en", tiny_marian_dir)
    with pytest.raises(BackendError, match="revision f{40}"):
        resolve_model("Helsinki-NLP/opus-mt-fr-en", "f" * 40, task="translation")


def test_offline_error_is_one_fast_line_naming_model_place_and_fix(empty_hf_home):
    started = time.perf_counter()
    with pytest.raises(BackendError) as caught:
        resolve_model("Helsinki-NLP/opus-mt-fr-en", "main", Options(model_dir=Path("/nowhere")), task="translation")
    message = str(caught.value)
    assert time.perf_counter() - started < 2
    assert "\n" not in message
    for part in ("'Helsinki-NLP/opus-mt-fr-en'", "HF_HUB_OFFLINE", str(empty_hf_home / "hub"), "--model-dir /nowhere",
                 "summarize models pull fr", "--translation-model DIR", "--backend stub"):
        assert part in message


@pytest.mark.parametrize(
    "make_dir, problem",
    [
        (lambda d: None, "does not exist"),
        (lambda d: d.mkdir(), "no config.json"),
        (lambda d: (d.mkdir(), (d / "config.json").write_text("{}")), "no weights"),
        (
            lambda d: (
                d.mkdir(),
                (d / "config.json").write_text("{}"),
                (d / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"a": "model-00001.safetensors"}})),
            ),
            "missing weight shards model-00001.safetensors",
        ),
    ],
)
def test_bad_local_directories_are_named(tmp_path, make_dir, problem):
    directory = tmp_path / "my-model"
    make_dir(directory)
    with pytest.raises(BackendError, match=problem) as caught:
        resolve_model(str(directory), task="summary")
    assert str(directory) in str(caught.value) and "--summary-model" in str(caught.value)


def test_missing_weights_accepts_complete_checkpoints(tiny_marian_dir, tiny_bart_dir):
    assert missing_weights(tiny_marian_dir) is None
    assert missing_weights(tiny_bart_dir) is None


def test_local_fingerprint_follows_content(tiny_bart_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(tiny_bart_dir, copy)
    assert revision_label(copy) == revision_label(tiny_bart_dir)
    assert revision_label(copy).startswith("local-")
    config = json.loads((copy / "config.json").read_text())
    config["max_position_embeddings"] = 512
    (copy / "config.json").write_text(json.dumps(config))
    assert revision_label(copy) != revision_label(tiny_bart_dir)


# ---- CLI ------------------------------------------------------------------------------------------

runner = CliRunner()


def test_models_list_shows_presets_and_what_is_present(tiny_marian_dir, empty_hf_home):
    fake_hub_snapshot(empty_hf_home / "hub", "Helsinki-NLP/opus-mt-fr-en", tiny_marian_dir)
    result = runner.invoke(app, ["models", "list"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    opus = result.output.split("Helsinki-NLP/opus-mt-fr-en  [", 1)[1].split("\n", 3)
    assert "presets: fast, default, multi-document" in opus[0]
    assert f"present: {empty_hf_home / 'hub'}" in opus[2] and COMMIT in opus[2] and " MB)" in opus[2]
    assert result.output.count("not downloaded") == len(load_registry().models) - 1


def test_models_list_shows_the_converted_ctranslate2_models(tiny_marian_dir, tmp_path, empty_hf_home):
    from summarize.convert import MANIFEST, Source, convert

    root = tmp_path / "models" / "ct2"
    converted = convert(Source.from_dir(str(tiny_marian_dir), tiny_marian_dir), root, "int8")
    hub = convert(Source(model_id="Helsinki-NLP/opus-mt-fr-en", path=tiny_marian_dir, revision=COMMIT), root, "float32")
    (root / "unfinished-int8").mkdir()  # a conversion that never finished: no manifest
    result = runner.invoke(app, ["models", "list", "--model-dir", str(tmp_path / "models")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    section = result.output.split(f"CTranslate2 models in {root}", 1)[1].splitlines()
    manifest = json.loads((converted / MANIFEST).read_text())
    size = sum(f.stat().st_size for f in converted.iterdir()) / 1e6
    # by directory name: opus-mt-fr-en-float32, tiny-marian0-int8, unfinished-int8
    assert section[1].startswith(f"Helsinki-NLP/opus-mt-fr-en  [float32; revision: {COMMIT}; ") and str(hub) in section[2]
    assert section[3] == f"{tiny_marian_dir}  [int8; revision: {revision_label(tiny_marian_dir)}; {size:.1f} MB]"
    assert section[4] == f"    {converted} ({manifest['converter']})"
    assert section[5].startswith("unfinished-int8  [incomplete") and len(section) == 6
    assert result.output.count("not downloaded") == len(load_registry().models)


def test_models_list_says_when_nothing_is_converted(tmp_path, empty_hf_home):
    result = runner.invoke(app, ["models", "list", "--model-dir", str(tmp_path)], catch_exceptions=False)
    assert f"CTranslate2 models in {tmp_path / 'ct2'}: none (`summarize models convert` makes them" in result.output


def test_models_pull_offline_fails_in_one_line(empty_hf_home):
    result = runner.invoke(app, ["models", "pull", "quality"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Helsinki-NLP/opus-mt-tc-big-fr-en" in lines[0] and "Traceback" not in result.output


def test_models_pull_of_cached_preset_reports_ready(tiny_marian_dir, tiny_bart_dir, empty_hf_home):
    fake_hub_snapshot(empty_hf_home / "hub", "Helsinki-NLP/opus-mt-fr-en", tiny_marian_dir)
    fake_hub_snapshot(empty_hf_home / "hub", "sshleifer/distilbart-cnn-6-6", tiny_bart_dir)
    result = runner.invoke(app, ["models", "pull", "fast"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.count(f"(revision {COMMIT})") == 2
