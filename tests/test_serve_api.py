"""The HTTP API of `summarize serve` with the stub backend (FastAPI's test client): uploads, limits,
hostile names, what the CLI reports for unreadable files, unknown ids, and the token rule."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pages import ARTICLES, write_cluster
from summarize.cli import app as cli
from summarize.errors import UsageError
from summarize.options import Options
from summarize.serve import check_exposure, create_app, is_loopback
from summarize.uploads import JOB_FILE, UPLOADS, Limits, child_dir, safe_name

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
LATIN1 = ARTICLES["02.txt"].encode("cp1252")
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def out(tmp_path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def serve(tmp_path, out):
    """A test client over `out` with the stub backend; `serve(token=..., limits=...)`."""

    def make(token: str | None = None, limits: Limits = Limits(), local_only: bool = True) -> TestClient:
        options = Options(backend="stub", cache_dir=tmp_path / "cache")
        return TestClient(create_app(out, options, token=token, limits=limits, local_only=local_only), base_url=BASE)

    return make


def finish(client: TestClient, cluster_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/clusters/{cluster_id}").json()
        if status["status"] in {"done", "failed"}:
            return status
        time.sleep(0.05)
    raise AssertionError(f"{cluster_id} did not finish in {timeout} s")


def as_json(articles: dict[str, str]) -> dict:
    return {"articles": [{"name": name, "text": text} for name, text in articles.items()]}


def as_files(files: dict[str, bytes]) -> list:
    return [("files", (name, data, "text/plain")) for name, data in files.items()]


def nothing_stored(out: Path) -> bool:
    uploads = out / UPLOADS
    return not uploads.exists() or not any(uploads.iterdir())


def test_json_upload_runs_the_pipeline(serve, out):
    with serve() as client:
        accepted = client.post("/api/clusters", json=as_json({"01": ARTICLES["01.txt"], "02.txt": ARTICLES["02.txt"]}))
        assert accepted.status_code == 202
        body = accepted.json()
        assert body["status"] == "queued" and accepted.headers["location"] == body["status_url"]
        status = finish(client, body["id"])
        assert status["status"] == "done" and status["articles"] == 2 and status["backend"] == "stub"
        result = status["result"]
        assert result["cluster"]["id"] == body["id"] and result["run"]["backend"] == "stub"
        assert [a["path"] for a in result["articles"]] == [f"{body['id']}/01.txt", f"{body['id']}/02.txt"]
        assert json.loads(client.get(f"/clusters/{body['id']}/cluster.json").content) == result
        assert client.get("/api/clusters").json()["clusters"][0]["id"] == body["id"]
        page = client.get(body["page_url"])
        assert page.status_code == 200 and "script-src" not in page.text and "default-src 'none'" in page.headers["content-security-policy"]
        assert result["cluster"]["summary_sentences"][0]["text"].replace("'", "&#39;") in page.text
    assert sorted(p.name for p in (out / body["id"]).iterdir()) == ["cluster.html", "cluster.json", "cluster.md"]


def test_multipart_upload_and_the_form(serve, out):
    with serve() as client:
        accepted = client.post("/api/clusters", files=as_files({"01.txt": ARTICLES["01.txt"].encode()}))
        assert accepted.status_code == 202
        assert finish(client, accepted.json()["id"])["status"] == "done"
        form = client.post("/upload", files=as_files({"02.txt": ARTICLES["02.txt"].encode()}),
                           data={"text": ARTICLES["01.txt"], "name": "collé"}, follow_redirects=False)
        assert form.status_code == 303
        cluster_id = form.headers["location"].split("/")[2]
        status = finish(client, cluster_id)
        assert [(f["name"], f["stored_as"]) for f in status["files"]] == [("02.txt", "02.txt"), ("collé", "collé.txt")]
        assert sorted(a["path"].split("/")[1] for a in status["result"]["articles"]) == ["02.txt", "collé.txt"]
        listing = client.get("/")
        assert listing.status_code == 200 and cluster_id in listing.text


def test_unreadable_files_are_reported_like_the_cli(serve, out, tmp_path):
    files = {"good.txt": ARTICLES["01.txt"].encode(), "latin1.txt": LATIN1, "photo.txt": PNG}
    with serve() as client:
        status = finish(client, client.post("/api/clusters", files=as_files(files)).json()["id"])
    folder = tmp_path / "cli" / "same"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    ran = CliRunner().invoke(cli, ["run", str(folder), "--backend", "stub", "--out", str(tmp_path / "cli-out"), "--quiet",
                                   "--cache-dir", str(tmp_path / "cache")])
    assert ran.exit_code == 0, ran.output
    expected = json.loads((tmp_path / "cli-out" / "same" / "cluster.json").read_text("utf-8"))

    def notes(doc: dict) -> dict:
        return {key: sorted((Path(p["path"]).name, p.get("reason", p.get("message"))) for p in doc[key]) for key in ("skipped", "warnings")}

    assert notes(status["result"]) == notes(expected)
    assert [name for name, _ in notes(expected)["skipped"]] == ["photo.txt"]
    assert "PNG" in notes(expected)["skipped"][0][1]
    assert [name for name, _ in notes(expected)["warnings"]] == ["latin1.txt"]


def test_a_cluster_with_nothing_usable_fails_with_the_reason(serve, out):
    with serve() as client:
        status = finish(client, client.post("/api/clusters", files=as_files({"photo.txt": PNG})).json()["id"])
        assert status["status"] == "failed" and status["error"].startswith("no usable article") and "PNG" in status["error"]
        assert str(out) not in status["error"]
        page = client.get(f"/clusters/{status['id']}/")
        assert page.status_code == 200 and "could not be briefed" in page.text


@pytest.mark.parametrize(
    "limits, request_kwargs, status, words",
    [
        (Limits(file_bytes=1000), {"files": as_files({"big.txt": b"a " * 1000})}, 413, "per file"),
        (Limits(file_bytes=1000), {"json": as_json({"big": "a " * 1000})}, 413, "per file"),
        (Limits(files=2), {"files": as_files({f"{n}.txt": b"texte" for n in range(3)})}, 413, "too many files"),
        (Limits(files=2), {"json": as_json({f"{n}": "texte" for n in range(3)})}, 413, "too many files"),
        (Limits(file_bytes=2000, total_bytes=3000), {"files": as_files({"a.txt": b"a" * 1800, "b.txt": b"b" * 1800})}, 413, "per cluster"),
        (Limits(total_bytes=1000), {"files": as_files({"a.txt": b"a" * 1_200_000})}, 413, "per request"),
        (Limits(), {"json": {"articles": []}}, 422, "no articles"),
        (Limits(), {"json": {"texts": ["a"]}}, 422, "expected JSON"),
        (Limits(), {"json": {"articles": [{"name": "a"}]}}, 422, "articles.0.text"),
        (Limits(), {"content": b"not json", "headers": {"content-type": "application/json"}}, 422, "expected JSON"),
        (Limits(), {"files": [("files", ("", b"", "application/octet-stream"))], "data": {"text": " "}}, 422, "no articles"),
        (Limits(), {"content": b"a text", "headers": {"content-type": "text/plain"}}, 415, "multipart/form-data"),
    ],
)
def test_limits_and_bad_requests_get_a_clear_json_error(serve, out, limits, request_kwargs, status, words):
    with serve(limits=limits) as client:
        response = client.post("/api/clusters", **request_kwargs)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert nothing_stored(out)


def test_the_form_reports_limits_as_a_page(serve, out):
    with serve(limits=Limits(files=1)) as client:
        response = client.post("/upload", files=as_files({"a.txt": b"un", "b.txt": b"deux"}), headers={"Accept": "text/html"})
    assert response.status_code == 413 and "too many files" in response.text and response.headers["content-type"].startswith("text/html")


HOSTILE_NAMES = ["../x.txt", "../../../../tmp/escape.txt", "/etc/passwd.txt", "..\\..\\win.txt", "C:\\Users\\a\\doc.txt",
                 "a\x00b.txt", "..", ".", ".hidden.txt", "", "dir/sub/../../z.txt", "é" * 300 + ".txt", "x.txt"]


def test_hostile_names_never_leave_the_upload_folder(serve, out, tmp_path):
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(out)}
    with serve() as client:
        texts = {name: ARTICLES["02.txt"] + f"\nVariante {i}." for i, name in enumerate(HOSTILE_NAMES)}
        status = finish(client, client.post("/api/clusters", json=as_json(texts)).json()["id"])
        assert status["status"] == "done"
        multipart = client.post("/api/clusters", files=as_files({"../y.txt": b"Un texte.", "/abs/z.txt": b"Autre texte."}))
        finish(client, multipart.json()["id"])
    stored = [f["stored_as"] for f in status["files"]]
    assert [f["name"] for f in status["files"]] == HOSTILE_NAMES
    assert len(set(n.casefold() for n in stored)) == len(stored)
    for name in stored:
        assert "/" not in name and "\\" not in name and "\x00" not in name and not name.startswith(".")
        assert len(name.encode()) <= 140
    folder = out / UPLOADS / status["id"] / status["id"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(stored)
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(out)}
    # only the cache may grow outside --out (its WAL files come and go, so compare by place, not by name)
    assert all(p.is_relative_to(tmp_path / "cache") for p in after - before), after - before
    assert not any(p.name in {"escape.txt", "y.txt", "z.txt", "passwd.txt"} for p in after - before)


@pytest.mark.parametrize(
    "name, pasted, expected",
    [
        ("../x.txt", False, "x.txt"),
        ("/etc/passwd", False, "passwd"),  # no article suffix: skipped, as the CLI skips it
        ("/etc/passwd", True, "passwd.txt"),
        ("C:\\evil\\..\\z.md", False, "z.md"),
        ("a\x00b\x1f.txt", False, "ab.txt"),
        ("..", False, "article-1"),
        ("...txt", True, "txt.txt"),
        ("Le Monde: 3.5% de croissance", True, "Le Monde 3.5% de croissance.txt"),
        ("  .bashrc  ", False, "bashrc"),
        ("<script>.txt", False, "script.txt"),
        ("a.TXT", False, "a.TXT"),
    ],
)
def test_safe_name(name, pasted, expected):
    assert safe_name(name, 1, set(), pasted) == expected


def test_safe_names_are_unique_whatever_the_case():
    taken: set[str] = set()
    assert [safe_name(n, i, taken) for i, n in enumerate(["a.txt", "A.txt", "../a.txt", "b/a.txt"], 1)] == [
        "a.txt", "A-2.txt", "a-3.txt", "a-4.txt"]


def test_unknown_ids_are_404(serve, out, tmp_path):
    outside = write_cluster(tmp_path / "outside", {})
    (outside / "cluster.json").write_text("{}", encoding="utf-8")
    out.mkdir(parents=True)
    (out / "link").symlink_to(outside)
    (out / "real").mkdir()
    (out / "real" / "cluster.json").symlink_to(outside / "cluster.json")
    with serve() as client:
        for cluster_id in ["nope", "link", "real", "..", ".uploads", "20240101-000000-abcdef", "%2e%2e", "..%2F..%2Fetc"]:
            response = client.get(f"/api/clusters/{cluster_id}")
            assert response.status_code == 404, cluster_id
            assert isinstance(response.json()["detail"], str)
        assert client.get("/api/clusters/nope").json()["detail"] == "no cluster 'nope' in this server's output folder"
        missing = client.get("/clusters/nope/", headers={"Accept": "text/html"})
        assert missing.status_code == 404 and "no cluster" in missing.text and "<!doctype html>" in missing.text
        assert client.get("/clusters/link/cluster.json").status_code == 404
        assert client.get("/clusters/real/cluster.json").status_code == 404
        assert client.get("/api/clusters").json() == {"clusters": []}
    assert child_dir(out, "../out") is None and child_dir(out, "link") is None and child_dir(out, "real") == out / "real"


@pytest.mark.parametrize(
    "host, token, allowed",
    [("127.0.0.1", None, True), ("localhost", None, True), ("::1", None, True), ("127.0.0.2", None, True),
     ("0.0.0.0", None, False), ("::", None, False), ("192.168.1.5", None, False), ("example.org", None, False),
     ("0.0.0.0", "secret", True)],
)
def test_non_local_hosts_need_a_token(host, token, allowed):
    if allowed:
        check_exposure(host, token)
    else:
        with pytest.raises(UsageError, match="--token"):
            check_exposure(host, token)


def test_serve_command_refuses_a_public_host_without_token(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--backend", "stub", "--out", str(tmp_path / "o")],
                                env={"SUMMARIZE_TOKEN": ""})
    assert result.exit_code == 2 and "--token" in result.output


def test_writes_need_the_token_reads_do_not(serve):
    with serve(token="s3cret", local_only=False) as client:
        body = as_json({"01": ARTICLES["01.txt"]})
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"}):
            refused = client.post("/api/clusters", json=body, headers=headers)
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert client.post("/upload", files=as_files({"a.txt": b"x"}), data={"token": "wrong"}).status_code == 401
        accepted = client.post("/api/clusters", json=body, headers={"Authorization": "Bearer s3cret"})
        assert accepted.status_code == 202
        assert client.get("/api/clusters").status_code == 200
        assert client.get(accepted.json()["status_url"]).status_code == 200
        form = client.post("/upload", files=as_files({"a.txt": b"x"}), data={"token": "s3cret"}, follow_redirects=False)
        assert form.status_code == 303


def test_localhost_server_refuses_other_hosts_and_cross_site_posts(serve):
    with serve() as client:
        assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 421
        assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200
        assert client.get("/", headers={"Host": "[::1]:8000"}).status_code == 200
        cross = client.post("/upload", files=as_files({"a.txt": b"x"}), headers={"Origin": "http://evil.example"})
        assert cross.status_code == 403
        same = client.post("/upload", files=as_files({"a.txt": b"x"}), headers={"Origin": BASE}, follow_redirects=False)
        assert same.status_code == 303
    assert is_loopback("[::1]") and not is_loopback("evil.example")


def test_state_survives_a_restart(serve, out):
    with serve() as client:
        done = finish(client, client.post("/api/clusters", json=as_json({"01": ARTICLES["01.txt"]})).json()["id"])
        failed = finish(client, client.post("/api/clusters", files=as_files({"p.txt": PNG})).json()["id"])
    # What a kill leaves: an upload stored but not run, half of one being written, a staging folder.
    pending = "20200101-000000-abcdef"
    write_cluster(out / UPLOADS / pending / pending, {"01.txt": ARTICLES["01.txt"]})
    (out / UPLOADS / pending / JOB_FILE).write_text(json.dumps({"id": pending, "submitted": "2020-01-01T00:00:00+00:00", "files": []}))
    (out / UPLOADS / pending / "out" / pending).mkdir(parents=True)
    (out / UPLOADS / ".incoming-20200101-000001-abcdef").mkdir()
    with serve() as client:
        assert finish(client, pending)["status"] == "done"
        statuses = {c["id"]: c["status"] for c in client.get("/api/clusters").json()["clusters"]}
    assert statuses == {done["id"]: "done", failed["id"]: "failed", pending: "done"}
    assert sorted(os.listdir(out / UPLOADS / pending)) == [pending, JOB_FILE]
    assert sorted(os.listdir(out / UPLOADS)) == sorted([done["id"], failed["id"], pending])


def test_openapi_documents_the_api(serve):
    with serve() as client:
        assert client.get("/docs").status_code == 200
        spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/api/clusters", "/api/clusters/{cluster_id}"}
    body = spec["paths"]["/api/clusters"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/json"}
    assert "202" in spec["paths"]["/api/clusters"]["post"]["responses"]
    refs = re.findall(r'"#/components/schemas/(\w+)"', json.dumps(spec))
    assert "Submission" in refs and set(refs) <= set(spec["components"]["schemas"])


def test_serve_without_its_extra_says_how_to_install_it(tmp_path):
    probe = ("import sys; sys.modules['fastapi'] = None; from summarize.cli import main; "
             f"sys.argv = ['summarize', 'serve', '--backend', 'stub', '--out', {str(tmp_path / 'o')!r}]; main()")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "pip install 'summarize[serve]'" in done.stderr.replace("\n", " ")


def test_pages_follow_changes_to_cluster_json(serve, out):
    with serve() as client:
        cluster_id = finish(client, client.post("/api/clusters", json=as_json({"01": ARTICLES["01.txt"]})).json()["id"])["id"]
        assert "Un résumé réécrit" not in client.get(f"/clusters/{cluster_id}/").text
        path = out / cluster_id / "cluster.json"
        doc = json.loads(path.read_text("utf-8"))
        doc["cluster"]["summary_sentences"][0]["text"] = "Un résumé réécrit."
        path.write_text(json.dumps(doc), encoding="utf-8")
        os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
        assert "Un résumé réécrit." in client.get(f"/clusters/{cluster_id}/").text
