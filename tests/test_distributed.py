"""`summarize batch --ray`: the same outputs as the local batch, models loaded once per actor, an
actor or the driver killed mid-run, bad clusters, and the one-line errors; on one local Ray
instance started once for this module (2 CPUs, no dashboard, on a loopback address)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize.batch import Batch
from summarize.cli import app
from summarize.convert import Source, ct2_root, convert
from summarize.distributed import (
    NETWORK_FILESYSTEMS, PoolShape, RayPool, absolute_models, filesystem_type, folder_problem, pool_shape, signature_difference,
)
from summarize.errors import BatchError, UsageError
from summarize.options import Options
from summarize.signature import Signature
from test_batch import CLI, article_text, batch_args, batch_cli, comparable, index_statuses, make_cluster, make_tree, manifest

WAIT_S = 120  # the longest any test here waits for a batch


@pytest.fixture(scope="module")
def ray_cluster():
    """One local Ray instance for the module; its address is what `ray start --head` would print."""
    import ray

    # A short temp dir of its own: Ray's socket paths under it must stay within the 107-byte limit.
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_AUTH_MODE", "disabled")  # a loopback test instance: no token written to ~/.ray
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            _temp_dir=temp,
            _node_ip_address="127.0.0.2",  # Ray turns 127.0.0.1 into the host's address; the rest of 127/8 stays loopback
            object_store_memory=80 * 2**20,
            logging_level=logging.WARNING,
            log_to_driver=False,
        )
        try:
            yield ray.get_runtime_context().gcs_address
        finally:
            ray.shutdown()
            shutil.rmtree(temp, ignore_errors=True)


def ray_cli(root: Path, out: Path, *extra: str):
    return batch_cli(root, out, "--ray", "auto", *extra)


def no_temp_files(out: Path) -> bool:
    return not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


# ---- without a Ray instance -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("node_cpus", "gpus", "on_gpu", "jobs", "shape"),
    [
        ([2], 0, False, None, PoolShape(1, 2, 0)),  # this machine: one actor with both cores
        ([2], 0, False, 2, PoolShape(2, 1, 0)),
        ([16, 16], 0, False, None, PoolShape(8, 4, 0)),  # 4 CPUs per actor
        ([16, 2], 0, False, None, PoolShape(9, 2, 0)),  # a small node lowers every actor to its size
        ([8, 8], 0, False, 3, PoolShape(3, 4, 0)),
        ([3, 3], 0, False, 3, PoolShape(3, 1, 0)),  # 2 CPUs each would fit only one actor per node
        ([8, 0], 0, False, None, PoolShape(2, 4, 0)),  # a head node with num-cpus 0 runs nothing
        ([8, 8], 4, True, None, PoolShape(4, 1, 1)),  # one actor per GPU
        ([8, 8], 4, True, 2, PoolShape(2, 1, 1)),
    ],
)
def test_pool_follows_the_cluster_resources_or_jobs(node_cpus, gpus, on_gpu, jobs, shape):
    assert pool_shape(node_cpus, gpus, on_gpu, jobs) == shape


@pytest.mark.parametrize(
    ("node_cpus", "gpus", "on_gpu", "jobs", "error", "named"),
    [
        ([2], 0, False, 3, UsageError, "--jobs 2 or less"),
        ([8], 2, True, 3, UsageError, "has 2 GPUs"),
        ([0], 0, False, None, BatchError, "no node with a CPU"),
    ],
)
def test_impossible_pools_are_one_line_errors(node_cpus, gpus, on_gpu, jobs, error, named):
    with pytest.raises(error, match=named):
        pool_shape(node_cpus, gpus, on_gpu, jobs)


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export/briefs /mnt/briefs nfs4 rw,vers=4.2 0 0
/dev/sdb1 /mnt/briefs/local ext4 rw 0 0
//nas/share /mnt/my\\040share cifs rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/home/user/.cache/summarize", "ext4"),
        ("/mnt/briefs/cache", "nfs4"),
        ("/mnt/briefs", "nfs4"),
        ("/mnt/briefs/local/cache", "ext4"),  # the deepest mount wins
        ("/mnt/briefsXYZ/cache", "ext4"),  # a name prefix is not a mount prefix
        ("/mnt/my share/cache", "cifs"),  # spaces are written \040 in /proc/mounts
        ("/tmp/cache", "tmpfs"),
    ],
)
def test_filesystem_type_reads_the_deepest_mount(path, kind):
    assert filesystem_type(Path(path), MOUNTS) == kind


def test_worker_folder_checks(tmp_path):
    cluster, out = make_cluster(tmp_path / "seeds" / "c000", 1), tmp_path / "out"
    assert folder_problem("10.0.0.7", cluster, out, tmp_path / "cache", MOUNTS) == ""
    assert not list((out / ".locks").iterdir())  # the write probe leaves nothing behind
    unreadable = folder_problem("10.0.0.7", tmp_path / "elsewhere", out, None, MOUNTS)
    assert unreadable.startswith("the Ray worker on node 10.0.0.7 cannot read the cluster folder") and "every node" in unreadable
    (tmp_path / "file").write_text("not a folder")
    unwritable = folder_problem("10.0.0.7", cluster, tmp_path / "file" / "out", None, MOUNTS)
    assert f"cannot write to {tmp_path / 'file' / 'out'} (Not a directory)" in unwritable
    shared_cache = folder_problem("10.0.0.7", cluster, out, Path("/mnt/briefs/cache"), MOUNTS)
    assert "network filesystem (nfs4)" in shared_cache and "local folder" in shared_cache
    assert {"nfs", "nfs4", "cifs", "lustre", "fuse.sshfs"} <= NETWORK_FILESYSTEMS


def test_signature_difference_names_the_first_differing_stage():
    ours = Signature(summarize="0.1.0", translate=Signature(engine="ct2", quant="int8"), summarise=Signature(engine="ct2"))
    theirs = Signature(summarize="0.1.0", translate=Signature(engine="ct2", quant="int8_float16"), summarise=Signature(engine="ct2"))
    assert signature_difference(ours, str(theirs)) == "translate"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, None),
        ("Helsinki-NLP/opus-mt-fr-en", "Helsinki-NLP/opus-mt-fr-en"),  # a hub id stays
        ("models/fr", "{cwd}/models/fr"),  # a local folder: a worker's working folder is not ours
        ("fr=models/fr,de=Helsinki-NLP/opus-mt-de-en", "fr={cwd}/models/fr,de=Helsinki-NLP/opus-mt-de-en"),
        ("fr=models/fr, de=models/de", "fr={cwd}/models/fr,de={cwd}/models/de"),
    ],
)
def test_local_models_are_made_absolute_for_the_workers(tmp_path, monkeypatch, spec, expected):
    monkeypatch.chdir(tmp_path)
    for language in ("fr", "de"):
        (tmp_path / "models" / language).mkdir(parents=True)
    assert absolute_models(spec) == (expected.format(cwd=tmp_path) if expected else None)


def test_ray_missing_is_a_one_line_usage_error(tmp_path, monkeypatch):
    make_tree(tmp_path / "seeds", 1)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if it were not installed
    result = ray_cli(tmp_path / "seeds", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.strip() == "error: --ray needs Ray, which is not installed. Fix: pip install 'summarize[ray]'"


def test_a_batch_without_ray_never_imports_it(tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    make_tree(root, 1)
    probe = (
        "import sys\nfrom summarize.cli import main\nsys.argv = ['summarize'] + sys.argv[1:]\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    print(stop.code, 'ray' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, *batch_args(root, out, "-q")], capture_output=True, text=True)
    assert done.stdout.strip() == "0 False", done.stderr


# ---- on the local Ray instance --------------------------------------------------------------------


def test_ray_batch_writes_what_the_local_batch_writes_and_reruns_skip(ray_cluster, tmp_path):
    root = tmp_path / "seeds"
    names = make_tree(root, 5)
    (root / "blank").mkdir()
    (root / "blank" / "a.txt").write_text("Lire aussi : notre dossier\n\n\n", encoding="utf-8")
    assert batch_cli(root, tmp_path / "local").exit_code == 1
    result = ray_cli(root, tmp_path / "ray", "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert "Ray cluster: 1 node, 2 CPUs, 0 GPUs; 2 workers of 1 CPU each" in result.output
    assert "1 failed, 5 done" in result.output
    for name in names:
        assert comparable(tmp_path / "ray" / name / "cluster.json") == comparable(tmp_path / "local" / name / "cluster.json")
    entries = {e["id"]: e for e in json.loads((tmp_path / "ray" / "index.json").read_text("utf-8"))["clusters"]}
    assert entries["blank"]["status"] == "failed" and "no usable article" in entries["blank"]["reason"]
    assert {entries[name]["status"] for name in names} == {"done"}
    assert no_temp_files(tmp_path / "ray")
    finished = {name: manifest(tmp_path / "ray", name)["finished"] for name in names}
    again = ray_cli(root, tmp_path / "ray", "--jobs", "2")
    assert again.exit_code == 1 and "1 failed, 5 skipped" in again.output  # the bad cluster is retried, the rest skipped
    assert {name: manifest(tmp_path / "ray", name)["finished"] for name in names} == finished


def short_clusters(root: Path, count: int) -> list[str]:
    """`count` clusters of one article of two sentences (the random tiny models decode every output to its limit)."""
    names = [f"c{n:03d}" for n in range(count)]
    for number, name in enumerate(names):
        title, body = article_text(name, number).split("\n\n", 1)
        (root / name).mkdir(parents=True)
        (root / name / "000.txt").write_text(title + "\n\n" + ". ".join(body.split(". ")[:2]) + ".\n", encoding="utf-8")
    return names


def test_each_actor_loads_each_model_once(ray_cluster, tmp_path, tiny_marian_dir, tiny_bart_dir):
    root = tmp_path / "seeds"
    names = short_clusters(root, 3)  # on 2 actors: one of them runs two clusters or more
    options = Options(
        backend="ct2", translation_model=str(tiny_marian_dir), summary_model=str(tiny_bart_dir), model_dir=tmp_path / "models",
        device="cpu", beams=1, brief_words=10, cluster_words=10, use_cache=False,
    )
    for model in (tiny_marian_dir, tiny_bart_dir):  # converted once here, as `summarize models convert` would
        convert(Source.from_dir(str(model), model), ct2_root(options), "int8")
    with Batch(root, tmp_path / "local", options) as local:
        assert {o.status for o in local.run_pass()} == {"done"}
    pool = RayPool("auto", jobs=2)
    with Batch(root, tmp_path / "ray", options, executor=pool) as batch:
        assert {o.status for o in batch.run_pass()} == {"done"}
        workers = pool.workers()
    assert sum(w["clusters"] for w in workers) == len(names) and max(w["clusters"] for w in workers) >= 2
    expected = {f"ct2 {task} {what}": 1 for task in ("translation", "summary") for what in ("model", "tokenizer")}
    for worker in workers:
        assert worker["loads"] == expected, worker
    for name in names:
        assert comparable(tmp_path / "ray" / name / "cluster.json") == comparable(tmp_path / "local" / name / "cluster.json")


def test_an_actor_killed_mid_cluster_is_restarted_and_its_cluster_retried(ray_cluster, tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    names = make_tree(root, 6, articles=12)
    pool = RayPool("auto", jobs=2)
    outcomes, killed = [], {}
    with Batch(root, out, Options(backend="stub", cache_dir=tmp_path / "cache"), executor=pool) as batch:
        thread = threading.Thread(target=lambda: outcomes.extend(batch.run_pass()), daemon=True)
        thread.start()
        deadline = time.monotonic() + WAIT_S
        while not killed and thread.is_alive() and time.monotonic() < deadline:
            busy = [w for w in pool.workers() if w["working_on"]]
            if busy and busy[0]["clusters"] >= 1:  # past its first cluster: its models and imports are in place
                killed = busy[0]
                os.kill(killed["pid"], signal.SIGKILL)
            time.sleep(0.05)
        thread.join(WAIT_S)
        assert killed, "no actor was caught mid-cluster"
        assert not thread.is_alive()
        pids = {w["pid"] for w in pool.workers()}
    assert killed["pid"] not in pids and len(pids) == 2  # the killed actor was restarted
    assert sorted(o.cluster_id for o in outcomes if o.status == "done") == names
    assert set(index_statuses(out).values()) == {"done"} and no_temp_files(out)
    assert manifest(out, killed["working_on"])["status"] == "done"


def wait_for_free_cpus(cpus: float) -> None:
    """Until the instance has `cpus` CPUs free again: every actor of a batch that ended is gone."""
    import ray

    deadline = time.monotonic() + WAIT_S
    while ray.available_resources().get("CPU", 0) < cpus:
        assert time.monotonic() < deadline, f"Ray still holds CPUs: {ray.available_resources()}"
        time.sleep(0.1)


def test_a_killed_driver_resumes_on_the_next_invocation(ray_cluster, tmp_path):
    root, out = tmp_path / "seeds", tmp_path / "out"
    names = make_tree(root, 8)
    args = CLI + batch_args(root, out, "--ray", ray_cluster, "--jobs", "2")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if line.startswith("[2/"):
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate(timeout=WAIT_S)
    wait_for_free_cpus(2)  # Ray stops a dead driver's actors a moment later: one may finish its cluster meanwhile
    finished = [n for n in names if (manifest(out, n) or {}).get("status") == "done"]
    assert 2 <= len(finished) < len(names), "the kill should land mid-batch"
    result = ray_cli(root, out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert f"{len(names) - len(finished)} done, {len(finished)} skipped" in result.output
    assert set(index_statuses(out).values()) == {"done"} and len(index_statuses(out)) == len(names)
    assert no_temp_files(out)


@pytest.mark.parametrize(
    ("extra", "code", "named"),
    [
        (("--out", "/proc/summarize-test-out"), 1, "the Ray worker on node 127.0.0.2 cannot write to /proc/summarize-test-out"),
        (("--jobs", "3"), 2, "--jobs 3 asks for more workers than the Ray cluster's 2 CPUs hold"),
        (("--device", "cuda"), 1, "--device cuda, but the Ray cluster has no GPU"),
    ],
    ids=["unwritable-out", "too-many-jobs", "no-gpu"],
)
def test_ray_batch_errors_are_one_line(ray_cluster, tmp_path, extra, code, named):
    make_tree(tmp_path / "seeds", 1)
    result = CliRunner().invoke(app, [*batch_args(tmp_path / "seeds", tmp_path / "out"), "--ray", "auto", *extra])
    assert result.exit_code == code, result.output
    last = result.output.strip().splitlines()[-1]  # after the cluster's and the batch's one-line summaries
    assert last.startswith("error: ") and named in last, result.output
