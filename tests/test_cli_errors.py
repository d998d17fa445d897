"""Every way the CLI can fail prints one line and exits with its documented code: 1 for a cluster or
batch that cannot be done, 2 for usage and model errors; anything unexpected names a crash log."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize import __version__
from summarize.cli import app
from summarize.presets import load_registry

runner = CliRunner()


def a_cluster(tmp_path: Path) -> Path:
    folder = tmp_path / "clusters" / "lyon"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(
        "Le budget de Lyon\n\nLe conseil municipal a adopté jeudi un budget de 850 millions d'euros.\n", encoding="utf-8"
    )
    return folder


def an_empty_folder(tmp_path: Path) -> Path:
    (tmp_path / "empty").mkdir(exist_ok=True)
    return tmp_path / "empty"


def a_file(tmp_path: Path) -> Path:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    return tmp_path / "file.txt"


# (arguments with {cluster}, {empty}, {file}, {missing} filled in; exit code; what the one line says)
CASES = [
    (["run", "{missing}", "--backend", "stub"], 1, "does not exist"),
    (["run", "{file}", "--backend", "stub"], 1, "not a folder"),
    (["run", "{empty}", "--backend", "stub"], 1, "no usable article"),
    (["run", "{cluster}", "--backend", "nope"], 2, "unknown backend 'nope'; choose one of: auto, stub, transformers, ct2"),
    (["run", "{cluster}", "--backend", "stub", "--preset", "defualt"], 2, "unknown preset 'defualt'"),
    (["run", "{cluster}", "--backend", "stub", "--device", "gpu"], 2, "unknown device 'gpu'"),
    (["run", "{cluster}", "--backend", "stub", "--quantization", "int8"], 2, "stub backend does not use it"),
    (["run", "{cluster}", "--backend", "stub", "--quantization", "int3"], 2, "unknown quantisation 'int3'"),
    (["run", "{cluster}", "--backend", "stub", "--beams", "0"], 2, "--beams 0 is out of range"),
    (["run", "{cluster}", "--backend", "stub", "--brief-words", "5000"], 2, "--brief-words 5000 is out of range"),
    (["run"], 2, "Missing argument"),
    (["run", "{cluster}", "--bogus"], 2, "No such option: --bogus"),
    (["batch", "{missing}", "--backend", "stub"], 1, "does not exist"),
    (["batch", "{empty}", "--backend", "stub"], 1, "no cluster found"),
    (["batch", "{cluster}", "--backend", "stub", "--device", "tpu"], 2, "unknown device 'tpu'"),
    (["models", "pull", "nonsense"], 2, "unknown preset, language or model 'nonsense'"),
    (["models", "convert", "default", "--quantization", "int3"], 2, "unknown quantisation 'int3'"),
    (["verify", "{file}"], 2, "Missing argument"),
    (["verify", "{missing}", "{file}"], 2, "cannot read"),
    (["cache", "stats", "--bogus"], 2, "No such option"),
]


@pytest.mark.parametrize("arguments, code, message", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_every_error_is_one_line_with_its_exit_code(tmp_path, monkeypatch, arguments, code, message):
    monkeypatch.setenv("SUMMARIZE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    places = {
        "{cluster}": a_cluster(tmp_path), "{empty}": an_empty_folder(tmp_path), "{file}": a_file(tmp_path),
        "{missing}": tmp_path / "missing",
    }
    filled = [str(places.get(argument, argument)) for argument in arguments]
    if filled[0] in ("run", "batch"):
        filled += ["--out", str(tmp_path / "out")]
    result = runner.invoke(app, filled)
    lines = result.output.strip().splitlines()
    assert result.exit_code == code, result.output
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.output


def test_offline_pull_does_not_tell_you_to_pull(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    result = runner.invoke(app, ["models", "pull", "default"])
    (line,) = result.output.strip().splitlines()
    assert result.exit_code == 2
    assert "HF_HUB_OFFLINE is set" in line and "where the Hugging Face hub is reachable" in line
    assert "models pull" not in line and "model model" not in line


def test_an_unexpected_error_is_one_line_naming_its_crash_log(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero in a place nobody expected")

    monkeypatch.setattr("summarize.pipeline.process_cluster", broken)
    monkeypatch.setenv("SUMMARIZE_LOG_DIR", str(tmp_path / "logs"))
    result = runner.invoke(app, ["run", str(a_cluster(tmp_path)), "--backend", "stub", "--no-cache", "--out", str(tmp_path / "out")])
    (line,) = result.output.strip().splitlines()
    assert result.exit_code == 1
    [log] = (tmp_path / "logs").glob("crash-*.log")
    assert line.startswith("error: unexpected ZeroDivisionError: division by zero") and str(log) in line
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "def broken" not in line and "nobody expected" in text


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"summarize {__version__}"


def test_help_lists_every_preset_of_the_registry():
    words = " ".join(runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"}).output.split())
    for preset in load_registry().presets:
        assert preset in words


def test_outputs_get_the_usual_file_mode(tmp_path):
    """Outputs are written through private temp files, but end up with the mode any new file gets (0644 under umask 022)."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(a_cluster(tmp_path)), "--backend", "stub", "--no-cache", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    for name in ("cluster.json", "cluster.md", "cluster.html"):
        assert stat.S_IMODE((out / "lyon" / name).stat().st_mode) == 0o666 & ~mask


def test_an_empty_batch_prints_no_stub_banner(tmp_path):
    result = runner.invoke(app, ["batch", str(an_empty_folder(tmp_path)), "--backend", "stub", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "STUB BACKEND" not in result.output
