"""`summarize serve` under load on localhost (stub backend), bounded in count and time: 20 clusters
uploaded at once while 200 page and API reads run concurrently; then a SIGTERM in the middle of a
queue. Every cluster finishes once, nothing answers 5xx, no temp file is left, memory stays bounded,
and the stop loses no finished cluster and shows no partial one."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from pages import ARTICLES
from summarize.uploads import UPLOADS

UPLOADED = 20
READS = 200
AFTER_STOP = 6
MAX_RSS_MB = 600  # the stub server settles near 200 MB; a leak per request or per upload would pass this


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`summarize serve` in its own process, logging to a file."""

    def __init__(self, root: Path, attempt: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = root / f"server-{attempt}.log"
        self.tmp = root / "tmp"
        self.tmp.mkdir(exist_ok=True)
        env = os.environ | {"TMPDIR": str(self.tmp), "SUMMARIZE_TOKEN": ""}
        command = [sys.executable, "-m", "summarize", "serve", "--out", str(root / "out"), "--port", str(self.port),
                   "--backend", "stub", "--cache-dir", str(root / "cache")]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "the server did not start in 30 s"
            try:
                if httpx.get(f"{self.url}/api/clusters", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM, then the graceful shutdown (uvicorn re-raises the signal once it is done)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"the server did not stop within {timeout} s of SIGTERM") from None
        assert code in (0, -signal.SIGTERM), self.log.read_text()[-2000:]
        assert "Application shutdown complete" in self.log.read_text()

    def finished(self) -> list[str]:
        return re.findall(r"finished (\S+):", self.log.read_text())


def articles(n: int, sentences: int = 2) -> list:
    """A cluster's files: the two test articles, made distinct per cluster."""
    def extra(name: str) -> str:
        return " ".join(f"Selon {name}, le bilan {n} a été révisé à {n * 10 + k} morts par la source {k}." for k in range(sentences))

    return [("files", (name, f"{text}\n{extra(name)}\n".encode(), "text/plain")) for name, text in ARTICLES.items()]


async def upload_all(url: str, count: int, start: int, sentences: int = 2) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        return await asyncio.gather(*(client.post("/api/clusters", files=articles(start + n, sentences)) for n in range(count)))


async def get(port: int, path: str) -> tuple[int, bytes]:
    """One GET on its own connection (plain asyncio: httpx's pool, not the server, is what slows
    down at 200 concurrent connections)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    response = await asyncio.wait_for(reader.read(), timeout=60)
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def read_all(port: int, ids: list[str], count: int) -> list[tuple[int, bytes]]:
    paths = ["/", "/api/clusters"] + [p for i in ids for p in (f"/api/clusters/{i}", f"/clusters/{i}/")]
    return await asyncio.gather(*(get(port, paths[n % len(paths)]) for n in range(count)))


def statuses(url: str) -> dict[str, str]:
    return {c["id"]: c["status"] for c in httpx.get(f"{url}/api/clusters", timeout=30).json()["clusters"]}


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def visible_clusters(out: Path) -> dict[str, list[str]]:
    return {p.name: sorted(f.name for f in p.iterdir()) for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")}


def leftovers(root: Path) -> list[Path]:
    out = root / "out"
    return [*out.rglob("*.tmp"), *(out / UPLOADS).glob(".incoming-*"), *(out / UPLOADS).glob("*/out"), *(root / "tmp").iterdir()]


def test_load_then_sigterm_then_restart(tmp_path):
    server = Server(tmp_path, "first")
    try:
        accepted = asyncio.run(upload_all(server.url, UPLOADED, 0))
        assert [r.status_code for r in accepted] == [202] * UPLOADED
        ids = [r.json()["id"] for r in accepted]
        assert len(set(ids)) == UPLOADED
        reads = asyncio.run(read_all(server.port, ids, READS))
        assert [code for code, _ in reads if code != 200] == []
        assert all(body.strip() for _, body in reads)
        wait_until(lambda: set(statuses(server.url).values()) == {"done"}, 90, "20 clusters")
        assert sorted(server.finished()) == sorted(ids)  # each exactly once
        clusters = visible_clusters(tmp_path / "out")
        assert sorted(clusters) == sorted(ids)
        assert all(files == ["cluster.html", "cluster.json", "cluster.md"] for files in clusters.values())
        assert leftovers(tmp_path) == []
        assert server.peak_rss_mb() < MAX_RSS_MB

        queued = [r.json()["id"] for r in asyncio.run(upload_all(server.url, AFTER_STOP, UPLOADED, sentences=6))]
        wait_until(lambda: set(server.finished()) & set(queued), 60, "a first cluster of the second wave")
        done_before_stop = {i for i, s in statuses(server.url).items() if s == "done"}
        server.stop()
    finally:
        if server.process.poll() is None:
            server.process.kill()
    unfinished = set(queued) - done_before_stop
    assert unfinished, "the stop came after the whole queue: nothing was interrupted"
    clusters = visible_clusters(tmp_path / "out")
    assert done_before_stop <= set(clusters)  # nothing finished was lost
    for cluster_id, files in clusters.items():  # and nothing shows half-written
        assert files == ["cluster.html", "cluster.json", "cluster.md"], cluster_id
        assert json.loads((tmp_path / "out" / cluster_id / "cluster.json").read_text("utf-8"))["cluster"]["id"] == cluster_id

    restarted = Server(tmp_path, "second")
    try:
        wait_until(lambda: set(statuses(restarted.url).values()) == {"done"} and len(statuses(restarted.url)) == UPLOADED + AFTER_STOP,
                   60, "the interrupted clusters after the restart")
    finally:
        restarted.stop()
    finished = server.finished() + restarted.finished()
    assert all(finished.count(cluster_id) <= 1 for cluster_id in ids + queued)
    assert set(restarted.finished()) <= unfinished
    assert sorted(visible_clusters(tmp_path / "out")) == sorted(ids + queued)
    assert leftovers(tmp_path) == []
