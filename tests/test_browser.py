"""Pages in a real browser: headless chromium opens a generated cluster.html and a served cluster page,
and the test reads the DOM it rendered: the brief, citations that land on existing anchors, side-by-side
rows, highlighted flags, and no trace of the script injected through an article title."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import lxml.html
import pytest
import uvicorn

from fakes import SloppyTranslator
from pages import ARTICLES, HOSTILE_TITLE, brief, browse, screenshot, write_cluster
from summarize.backends import Backends
from summarize.backends.stub import StubSummarizer
from summarize.options import Options
from summarize.serve import create_app
from summarize.uploads import ClusterService


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return tmp_path_factory.mktemp("chromium-profile")


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    return brief(write_cluster(root / "maroc"), root / "out") / "cluster.html"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A real server (uvicorn; stub summaries, a translation the checks flag) on a localhost port."""
    root = tmp_path_factory.mktemp("served")
    options = Options(backend="stub", cache_dir=root / "cache")
    service = ClusterService(root / "out", options, backends=Backends(SloppyTranslator(), StubSummarizer()))
    app = create_app(root / "out", options, service=service)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


def rendered(url: str, profile) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(browse(url, "--dump-dom", profile=profile))


def check_cluster_page(dom: lxml.html.HtmlElement) -> None:
    """What a reader must find on any cluster page."""
    assert dom.findtext(".//title").endswith(" — cluster brief")
    assert "pwned" not in dom.findtext(".//title")
    assert dom.xpath("//script") == [] and dom.xpath("//img") == []  # the title's markup stayed text
    assert dom.xpath("string(//article[@id='a1']//h3)").strip().endswith(HOSTILE_TITLE)
    assert dom.xpath("string(//p[@class='summary'])").strip()
    anchors = set(dom.xpath("//@id"))
    cites = dom.xpath("//p[@class='summary']//sup[@class='cite']/a/@href")
    assert cites and all(href.startswith("#") and href[1:] in anchors for href in cites)
    for href in cites:
        assert dom.xpath(f"//tr[@id='{href[1:]}']/td[@class='src']") and dom.xpath(f"//tr[@id='{href[1:]}']/td[@class='en']")
    rows = dom.xpath("//table[@class='aligned']/tbody/tr")
    assert len(rows) == 5 and all(len(row.xpath("td")) == 3 for row in rows)
    assert dom.xpath("//tr[@id='a1-s1']/td[@class='en']/mark[@class='flag']/text()") == ["3 000"]
    assert len(dom.xpath("//section[@id='checks']//li")) == 6


def test_cluster_html_from_disk(page_file, profile):
    check_cluster_page(rendered(page_file.as_uri(), profile))
    screenshot(page_file.as_uri(), "cluster.png", profile, 1280, 1800)


def test_served_cluster_page(served, profile):
    with httpx.Client(base_url=served, timeout=30) as client:
        files = [("files", (name, text.encode(), "text/plain")) for name, text in ARTICLES.items()]
        cluster_id = client.post("/api/clusters", files=files).json()["id"]
        deadline = time.monotonic() + 30
        while client.get(f"/api/clusters/{cluster_id}").json()["status"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        listing = lxml.html.fromstring(client.get("/").text)
    assert listing.xpath("//table[@class='list']//a/@href") == [f"/clusters/{cluster_id}/"]
    assert listing.xpath("//form[@action='/upload']//input[@type='file']/@name") == ["files"]
    dom = rendered(f"{served}/clusters/{cluster_id}/", profile)
    check_cluster_page(dom)
    assert dom.xpath("//nav[@class='site']//a/@href")[0] == "/"
