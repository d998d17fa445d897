"""End to end through the CLI with the stub backend: the done-criteria of the pipeline."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from summarize.cli import app

runner = CliRunner()
BOILERPLATE = ["Lire la suite", "Similar News", "Laisser un commentaire", "Votre adresse e-mail", "Comment (0)",
               "Lien source", "CLIQUEZ ICI", "France Dernières Nouvelles", "Fan du Web", "date 2023-09"]


def run_cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def stub_run(seed_dir, tmp_path_factory):
    """Two identical stub runs of the seed cluster sharing one cache."""
    base = tmp_path_factory.mktemp("stub")
    outputs = []
    for attempt in ("first", "second"):
        out = base / attempt
        result = run_cli("run", str(seed_dir), "--backend", "stub", "--out", str(out), "--cache-dir", str(base / "cache"))
        assert result.exit_code == 0, result.output
        outputs.append(out / "fr-03")
    return outputs, result


def test_writes_json_and_markdown(stub_run):
    (first, _), _ = stub_run
    data = json.loads((first / "cluster.json").read_text("utf-8"))
    assert data["cluster"]["summary"]
    assert data["run"]["backend"] == "stub"
    assert len(data["articles"]) == 5
    for article in data["articles"]:
        assert {"id", "path", "sha256", "title", "metadata", "text", "segments", "translation", "brief"} <= set(article)
        assert all(set(s) >= {"source", "translation"} for s in article["segments"])
        assert article["brief"]
    markdown = (first / "cluster.md").read_text("utf-8")
    assert "STUB BACKEND" in markdown
    assert markdown.index(data["cluster"]["summary"][:40]) < markdown.index("## Articles") < markdown.index("## Provenance")


def test_no_boilerplate_and_metadata_separated(stub_run):
    (first, _), _ = stub_run
    data = json.loads((first / "cluster.json").read_text("utf-8"))
    for article in data["articles"]:
        for marker in BOILERPLATE:
            assert marker not in article["text"], (article["id"], marker)
        assert "fr-03" not in article["text"]
    metadata = {a["id"][:3]: a["metadata"] for a in data["articles"]}
    assert metadata["000"]["tag"] == "fr-03"
    assert metadata["003"]["date"] == "2023-09"


def test_second_run_identical_and_all_hits(stub_run):
    (first, second), result = stub_run
    a, b = (json.loads((d / "cluster.json").read_text("utf-8")) for d in (first, second))
    assert b["run"]["cache"]["misses"] == 0 and b["run"]["cache"]["hits"] > 0
    assert "0 misses" in result.output
    for data in (a, b):
        del data["run"]["timings"], data["run"]["cache"]
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_every_article_contributes_to_cluster_pool(stub_run):
    (first, _), _ = stub_run
    data = json.loads((first / "cluster.json").read_text("utf-8"))
    assert {p["article"] for p in data["cluster"]["pooled_sentences"]} == {a["id"] for a in data["articles"]}


def test_no_cache_run(seed_dir, tmp_path):
    result = run_cli("run", str(seed_dir), "--backend", "stub", "--out", str(tmp_path / "o"), "--no-cache", "-q")
    assert result.exit_code == 0
    data = json.loads((tmp_path / "o" / "fr-03" / "cluster.json").read_text("utf-8"))
    assert data["run"]["cache"]["hits"] == 0
    assert not (tmp_path / "cache").exists()


def test_edit_one_paragraph_retranslates_only_it(seed_dir, tmp_path):
    cluster = tmp_path / "fr-03"
    shutil.copytree(seed_dir, cluster)
    args = ["run", str(cluster), "--backend", "stub", "--out", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c"), "-q"]
    assert run_cli(*args).exit_code == 0
    path = cluster / "002_f15664fe98d7dd36.txt"
    path.write_text(path.read_text("utf-8").replace("Le journal a indiqué", "Le quotidien a indiqué"), "utf-8")
    assert run_cli(*args).exit_code == 0
    cache = json.loads((tmp_path / "o" / "fr-03" / "cluster.json").read_text("utf-8"))["run"]["cache"]
    # one sentence re-translated, that article's brief re-made and the cluster pool re-ranked; the
    # edited sentence is not among the pooled ones, so the final cluster summary is a cache hit
    assert cache["misses"] == 3, cache


def test_cache_stats_and_clear(seed_dir, tmp_path):
    assert run_cli("run", str(seed_dir), "--backend", "stub", "--out", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c"), "-q").exit_code == 0
    stats = run_cli("cache", "stats", "--cache-dir", str(tmp_path / "c"))
    assert "translate:" in stats.output and "entries:" in stats.output
    cleared = run_cli("cache", "clear", "--cache-dir", str(tmp_path / "c"))
    assert cleared.exit_code == 0 and "removed" in cleared.output
    assert "entries: 0" in run_cli("cache", "stats", "--cache-dir", str(tmp_path / "c")).output


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: p / "missing", "does not exist"),
        (lambda p: p.joinpath("file.txt").write_text("x") and p / "file.txt", "not a folder"),
        (lambda p: p.joinpath("empty").mkdir() or p / "empty", "no usable article"),
    ],
)
def test_bad_cluster_dir_is_one_line_error(tmp_path, setup, message):
    result = run_cli("run", str(setup(tmp_path)), "--backend", "stub", "--out", str(tmp_path / "o"), "--no-cache")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_unknown_backend_is_usage_error(seed_dir, tmp_path):
    result = run_cli("run", str(seed_dir), "--backend", "nope", "--out", str(tmp_path))
    assert result.exit_code == 2 and "unknown backend" in result.output


def test_console_script_help():
    result = subprocess.run([sys.executable, "-m", "summarize", "run", "--help"], capture_output=True, text=True, check=True)
    assert "--backend" in result.stdout and "--cache-dir" in result.stdout


def test_progress_lines_name_each_step(seed_dir, tmp_path):
    """Off a terminal, progress is one line per step: each article's translation, the briefs, the cluster brief."""
    result = run_cli("run", str(seed_dir), "--backend", "stub", "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("fr-03: ")]
    assert lines[0] == "fr-03: 7 steps"
    assert [line.split()[1] for line in lines[1:6]] == ["translated"] * 5
    assert lines[6:] == ["fr-03: briefed 5 articles", "fr-03: cluster brief"]
