"""`summarize batch`: skip / re-run / resume after a kill, nested layouts, failing clusters,
concurrent batches and --watch, all with the stub backend on synthetic clusters in tmp dirs."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import summarize.batch as batch_module
from summarize.batch import Batch, discover_clusters
from summarize.cli import app
from summarize.manifest import MANIFEST_NAME
from summarize.options import Options

CLI = [sys.executable, "-c", "from summarize.cli import main; main()"]
DONE_LINE = re.compile(r"^\[\d+/\d+\] (\S+): done", re.MULTILINE)
PLACES = ("Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Rennes", "Brest", "Nice")
SUBJECTS = ("Le maire", "La préfète", "Le conseil régional", "Les syndicats", "La ministre", "Une association")
ACTIONS = ("a présenté un plan pour", "critique le projet de", "a voté le budget de", "prépare une réforme de")
TOPICS = ("la rénovation des écoles", "la ligne de tramway", "l'hôpital public", "la gestion de l'eau")


def article_text(cluster: str, number: int, variant: str = "") -> str:
    """A small French article, distinct per cluster, article number and variant."""
    place = PLACES[(len(cluster) + number) % len(PLACES)]
    sentences = [
        f"{SUBJECTS[(number + i) % len(SUBJECTS)]} de {place} {ACTIONS[(number + 2 * i) % len(ACTIONS)]} "
        f"{TOPICS[(number + i) % len(TOPICS)]} ({cluster}, article {number}{variant}, point {i})."
        for i in range(6)
    ]
    title = f"{place} : débat sur {TOPICS[number % len(TOPICS)]} dans le dossier {cluster}"
    return f"{title}\n\n" + " ".join(sentences[:3]) + "\n\n" + " ".join(sentences[3:]) + "\n"


def make_cluster(folder: Path, articles: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(articles):
        (folder / f"{number:03d}.txt").write_text(article_text(folder.name, number), encoding="utf-8")
    return folder


def make_tree(root: Path, count: int, articles: int = 3) -> list[str]:
    names = [f"c{n:03d}" for n in range(count)]
    for name in names:
        make_cluster(root / name, articles)
    return names


def batch_args(root: Path, out: Path, *extra: str) -> list[str]:
    """`summarize batch` arguments with the stub backend and a cache next to OUT."""
    cache = out.parent / "cache"
    return ["batch", str(root), "--out", str(out), "--cache-dir", str(cache), "--backend", "stub", *extra]


def batch_cli(root: Path, out: Path, *extra: str):
    return CliRunner().invoke(app, batch_args(root, out, *extra), catch_exceptions=False)


def spawn_batch(root: Path, out: Path, *extra: str) -> subprocess.Popen:
    args = CLI + batch_args(root, out, *extra)
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def manifest(out: Path, cluster_id: str) -> dict | None:
    path = out / cluster_id / MANIFEST_NAME
    return json.loads(path.read_text("utf-8")) if path.exists() else None


def index_statuses(out: Path) -> dict[str, str]:
    return {e["id"]: e["status"] for e in json.loads((out / "index.json").read_text("utf-8"))["clusters"]}


def comparable(cluster_json: Path) -> dict:
    """cluster.json without the parts that differ between two equivalent runs."""
    data = json.loads(cluster_json.read_text("utf-8"))
    del data["run"]["timings"], data["run"]["cache"]
    return data


@pytest.fixture
def ran(monkeypatch) -> list[str]:
    """Names of the cluster folders the pipeline actually runs (skipped clusters never get here)."""
    calls: list[str] = []
    real = batch_module.run_cluster

    def recording(cluster_dir, *args, **kwargs):
        calls.append(Path(cluster_dir).name)
        return real(cluster_dir, *args, **kwargs)

    monkeypatch.setattr(batch_module, "run_cluster", recording)
    return calls


def _edit(root: Path) -> None:
    (root / "c001" / "001.txt").write_text(article_text("c001", 1, variant="bis"), encoding="utf-8")


def _add(root: Path) -> None:
    (root / "c001" / "009.txt").write_text(article_text("c001", 9), encoding="utf-8")


def _remove(root: Path) -> None:
    (root / "c001" / "002.txt").unlink()


def _touch_same_bytes(root: Path) -> None:
    path = root / "c001" / "000.txt"
    path.write_bytes(path.read_bytes())


@pytest.mark.parametrize(
    ("change", "settings", "expected_runs"),
    [
        (None, (), []),
        (_touch_same_bytes, (), []),  # same bytes, new mtime: still unchanged (sha256 decides)
        (_edit, (), ["c001"]),
        (_add, (), ["c001"]),
        (_remove, (), ["c001"]),
        (None, ("--brief-words", "30"), ["c000", "c001", "c002"]),  # new run signature
        (None, ("--force",), ["c000", "c001", "c002"]),
    ],
    ids=["unchanged", "touched", "edited", "added", "removed", "settings", "force"],
)
def test_second_batch_runs_only_what_changed(tmp_path, ran, change, settings, expected_runs):
    root, out = tmp_path / "seeds", tmp_path / "out"
    make_tree(root, 3)
    assert batch_cli(root, out).exit_code == 0
    assert sorted(ran) == ["c000", "c001", "c002"]
    if change:
        change(root)
    ran.clear()
    result = batch_cli(root, out, *settings)
    assert result.exit_code == 0, result.output
    assert sorted(ran) == expected_runs
    data = json.loads((out / "c001" / "cluster.json").read_text("utf-8"))
    in_outputs = sorted(Path(a["path"]).name for a in data["articles"])
    assert in_outputs == sorted(p.name for p in (root / "c001").glob("*.txt"))
    if expected_runs:
        assert data["run"]["cache"]["hits"] > 0  # unchanged sentences came from the cache
    assert set(index_statuses(out).values()) == {"done"}


def test_nested_layouts_get_unique_readable_ids(tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    for rel in ("2023/09/fr-03", "2023/10/fr-03", "flat", "2023"):
        make_cluster(root / rel, 2)
    make_cluster(root / ".drafts" / "hidden", 2)  # hidden folders are not searched
    sources, problems = discover_clusters(root)
    assert [s.id for s in sources] == ["2023", "2023__09__fr-03", "2023__10__fr-03", "flat"] and not problems
    assert batch_cli(root, out).exit_code == 0
    for cluster_id in ("2023", "2023__09__fr-03", "2023__10__fr-03", "flat"):
        assert json.loads((out / cluster_id / "cluster.json").read_text("utf-8"))["cluster"]["id"] == cluster_id
    # ROOT itself holding articles keeps its folder name, like `summarize run`
    assert [s.id for s in discover_clusters(root / "flat")[0]] == ["flat"]


def test_out_inside_root_is_not_searched(tmp_path):
    root = tmp_path / "seeds"
    make_tree(root, 2)
    for _ in range(2):  # outputs (cluster.md, index.md) must never be taken for article files
        result = batch_cli(root, root / "outputs")
        assert result.exit_code == 0, result.output
    assert set(index_statuses(root / "outputs")) == {"c000", "c001"}


def test_clashing_ids_fail_and_name_both_folders(tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    make_cluster(root / "a__b", 1)
    make_cluster(root / "a" / "b", 1)
    make_cluster(root / "fine", 1)
    result = batch_cli(root, out)
    assert result.exit_code == 1
    assert "share the id 'a__b'" in result.output and "rename one of them" in result.output
    assert not (out / "a__b").exists() and (out / "fine" / "cluster.json").exists()


def test_failing_clusters_are_reported_and_the_batch_goes_on(tmp_path, ran, monkeypatch):
    root, out = tmp_path / "seeds", tmp_path / "out"
    make_tree(root, 3)
    make_cluster(root / "boom", 2)
    (root / "blank").mkdir()
    (root / "blank" / "a.txt").write_text("Lire aussi : notre dossier\n\n\n", encoding="utf-8")
    real = batch_module.run_cluster

    def model_error(cluster_dir, *args, **kwargs):
        if Path(cluster_dir).name == "boom":
            raise RuntimeError("CUDA out of memory\nTried to allocate 2 GiB")
        return real(cluster_dir, *args, **kwargs)

    monkeypatch.setattr(batch_module, "run_cluster", model_error)
    result = batch_cli(root, out)
    assert result.exit_code == 1
    assert "RuntimeError: CUDA out of memory" in result.output and "Tried to allocate" not in result.output
    assert f"blank: failed: {root / 'blank'}: " in result.output  # the pipeline's reason, naming the folder
    assert "3 done" in result.output and "2 failed" in result.output
    statuses = index_statuses(out)
    assert statuses == {"blank": "failed", "boom": "failed", "c000": "done", "c001": "done", "c002": "done"}
    # a new invocation retries failures (the model may be fixed), leaves done clusters alone
    monkeypatch.setattr(batch_module, "run_cluster", real)
    ran.clear()
    result = batch_cli(root, out)
    assert result.exit_code == 1 and index_statuses(out)["boom"] == "done"
    assert sorted(ran) == ["blank", "boom"]
    assert manifest(out, "boom")["status"] == "done" and manifest(out, "blank")["status"] == "failed"


def test_watch_passes_do_not_retry_an_unchanged_failure(tmp_path, ran):
    root, out = tmp_path / "seeds", tmp_path / "out"
    (root / "blank").mkdir(parents=True)
    (root / "blank" / "a.txt").write_text("\n", encoding="utf-8")
    with Batch(root, out, Options(backend="stub", cache_dir=tmp_path / "cache")) as batch:
        first = batch.run_pass(retry_failed=True)
        second = batch.run_pass(retry_failed=False)
    assert [(o.status, o.attempted) for o in first] == [("failed", True)]
    assert [(o.status, o.attempted) for o in second] == [("failed", False)]
    assert ran == ["blank"]


class Killed(BaseException):
    """Stands for the process dying at that exact point."""


def test_crash_between_outputs_and_manifest_reruns_the_cluster(tmp_path, monkeypatch):
    root, out = tmp_path / "seeds", tmp_path / "out"
    make_tree(root, 1)
    original = (root / "c000" / "000.txt").read_text("utf-8")
    assert batch_cli(root, out).exit_code == 0
    (root / "c000" / "000.txt").write_text(article_text("c000", 0, variant="edited"), encoding="utf-8")

    def die(*_args, **_kwargs):
        raise Killed

    monkeypatch.setattr(batch_module, "write_manifest", die)
    with pytest.raises(Killed):
        batch_cli(root, out)
    assert "article 0edited" in (out / "c000" / "cluster.json").read_text("utf-8")
    assert manifest(out, "c000") is None  # dropped before the outputs were rewritten
    monkeypatch.undo()
    (root / "c000" / "000.txt").write_text(original, encoding="utf-8")  # back to what the old manifest said
    (out / "c000" / ".cluster.json.x1y2.tmp").write_text("{partial", encoding="utf-8")  # a killed writer's leftover
    result = batch_cli(root, out)
    assert result.exit_code == 0 and "1 done" in result.output
    assert "article 0edited" not in (out / "c000" / "cluster.json").read_text("utf-8")
    assert not list(out.rglob("*.tmp"))


def test_killed_batch_finishes_on_rerun(tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    names = make_tree(root, 40)
    proc = spawn_batch(root, out)
    for line in proc.stderr:
        if line.startswith("[3/"):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = [n for n in names if (manifest(out, n) or {}).get("status") == "done"]
    assert 3 <= len(finished) < len(names), "the kill should land mid-batch"
    result = batch_cli(root, out)
    assert result.exit_code == 0, result.output
    assert f"{len(names) - len(finished)} done, {len(finished)} skipped" in result.output
    assert set(index_statuses(out).values()) == {"done"} and len(index_statuses(out)) == len(names)
    assert not list(out.rglob("*.tmp"))
    reference = tmp_path / "reference"
    assert batch_cli(root, reference).exit_code == 0
    for name in names:
        assert comparable(out / name / "cluster.json") == comparable(reference / name / "cluster.json")


def test_two_concurrent_batches_share_the_work(tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    names = make_tree(root, 30)
    procs = [spawn_batch(root, out) for _ in range(2)]
    logs = [proc.communicate(timeout=120)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], logs
    done = [cluster for log in logs for cluster in DONE_LINE.findall(log)]
    assert sorted(done) == names  # every cluster run exactly once, by one of the two
    assert set(index_statuses(out).values()) == {"done"}


def test_jobs_give_the_same_outputs(tmp_path):
    root = tmp_path / "seeds"
    names = make_tree(root, 4)
    assert batch_cli(root, tmp_path / "serial").exit_code == 0
    result = batch_cli(root, tmp_path / "pool", "--jobs", "2", "--no-cache")
    assert result.exit_code == 0, result.output
    for name in names:
        pooled, serial = (comparable(tmp_path / run / name / "cluster.json") for run in ("pool", "serial"))
        assert pooled == serial


def test_index_lists_every_cluster_with_links(tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    make_tree(root, 2, articles=2)
    make_cluster(root / "2023" / "09" / "fr 03", 2)
    assert batch_cli(root, out).exit_code == 0
    entries = {e["id"]: e for e in json.loads((out / "index.json").read_text("utf-8"))["clusters"]}
    assert set(entries) == {"c000", "c001", "2023__09__fr 03"}
    for cluster_id, entry in entries.items():
        assert entry["status"] == "done" and entry["articles"] == 2 and entry["title"] and entry["last_run"]
        assert (out / entry["brief"]).is_file()
    markdown = (out / "index.md").read_text("utf-8")
    assert "[2023__09__fr 03](2023__09__fr%2003/cluster.md)" in markdown
    # a cluster folder that disappears keeps its outputs, listed as orphaned
    for path in (root / "c001").iterdir():
        path.unlink()
    (root / "c001").rmdir()
    assert batch_cli(root, out).exit_code == 0
    assert index_statuses(out)["c001"] == "orphaned"


def test_watch_picks_up_a_new_folder_and_stops_cleanly_on_ctrl_c(tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    make_tree(root, 2)
    proc = spawn_batch(root, out, "--watch", "--interval", "0.2", "--max-polls", "200")
    try:
        wait_for(lambda: (out / "index.json").exists(), proc)
        make_cluster(root / "late" / "arrival", 2)
        wait_for(lambda: (manifest(out, "late__arrival") or {}).get("status") == "done", proc)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert "stopped" in stderr and "Traceback" not in stderr
    assert index_statuses(out) == {"c000": "done", "c001": "done", "late__arrival": "done"}


def wait_for(condition, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_unknown_root_is_one_line_error(tmp_path):
    result = batch_cli(tmp_path / "nope", tmp_path / "out")
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output


def test_fully_skipped_batch_imports_no_model_library(tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    make_tree(root, 2)
    assert batch_cli(root, out).exit_code == 0
    probe = (
        "import sys\nfrom summarize.cli import main\nsys.argv = ['summarize'] + sys.argv[1:]\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    code = stop.code\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'ctranslate2', 'pysbd') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, *batch_args(root, out, "-q")], capture_output=True, text=True)
    assert done.stdout.strip() == "0 []", done.stderr
