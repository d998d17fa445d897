"""cluster.html and index.html: the brief as a person reads it, rendered from the JSON documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from typer.testing import CliRunner

from pages import ARTICLES, HOSTILE_TITLE, INJECTED, brief, write_cluster
from summarize.backends.stub import STUB_NOTICE
from summarize.cli import app
from summarize.report import Piece, mark_items, render_cluster

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

RUN_STATS = re.compile(r'<p class="run-stats">[^<]*</p>')


@pytest.fixture(scope="module")
def briefed(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    return brief(write_cluster(root / "maroc"), root / "out")


def tree(target):
    return lxml.html.fromstring((target / "cluster.html").read_text("utf-8"))


def cluster_doc(target) -> dict:
    return json.loads((target / "cluster.json").read_text("utf-8"))


def test_page_is_written_with_the_json_and_markdown(briefed):
    assert sorted(p.name for p in briefed.iterdir()) == ["cluster.html", "cluster.json", "cluster.md"]
    html = (briefed / "cluster.html").read_text("utf-8")
    assert "<script" not in html.replace("&lt;script", "")
    assert not re.search(r'(src|href)="(https?:)?//', html), "a page must not load anything from elsewhere"


def test_hostile_title_is_shown_as_text(briefed):
    html = (briefed / "cluster.html").read_text("utf-8")
    assert INJECTED not in html and "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
    page = tree(briefed)
    assert page.xpath("//script") == [] and page.xpath("//img") == []
    assert page.xpath("string(//article[@id='a1']//h3)").strip().endswith(HOSTILE_TITLE)


def test_every_link_to_this_page_has_its_anchor(briefed):
    page = tree(briefed)
    anchors = set(page.xpath("//@id"))
    links = [href[1:] for href in page.xpath("//a/@href") if href.startswith("#")]
    assert links and set(links) <= anchors
    cited = page.xpath("//p[@class='summary']//sup[@class='cite']/a/@href")
    assert cited, "the cluster brief cites its sources"
    for href in cited:
        [row] = page.xpath(f"//tr[@id='{href[1:]}']")
        assert row.xpath("ancestor::table/@class") == ["aligned"]


def test_rows_pair_each_source_sentence_with_its_translation(briefed):
    page, doc = tree(briefed), cluster_doc(briefed)
    for number, article in enumerate(doc["articles"], 1):
        rows = page.xpath(f"//article[@id='a{number}']//table[@class='aligned']/tbody/tr")
        assert len(rows) == len(article["segments"])
        for row, segment in zip(rows, article["segments"]):
            assert row.xpath("string(td[@class='src'])") == segment["source"]
            assert row.xpath("string(td[@class='en'])").startswith(segment["translation"])
            assert row.xpath("td[@class='src']/@lang") == [article["language"]]


def test_flags_are_highlighted_where_they_occur(briefed):
    page, doc = tree(briefed), cluster_doc(briefed)
    items = [item for group in doc["checks"]["articles"] for item in group["items"]]
    assert items, "the sloppy translation must be flagged"
    assert len(page.xpath("//section[@id='checks']//li")) == len(items)
    assert page.xpath("//tr[@id='a1-s1']/td[@class='en']/mark[@class='flag']/text()") == ["3 000"]
    assert page.xpath("//tr[@id='a1-s1']/td[@class='src']/mark[@class='flag']/text()") == ["2 000"]
    assert "flagged" in page.xpath("//tr[@id='a1-s1']/@class")[0]
    assert not page.xpath("//tr[@id='a1-s2']//mark")


def test_stub_notice_is_at_the_top(briefed):
    page = tree(briefed)
    [notice] = page.xpath("//p[@role='alert']")
    assert notice.text_content().strip() == STUB_NOTICE
    assert notice.getparent().index(notice) < notice.getparent().index(page.xpath("//*[@class='lead']")[0])


def test_removed_text_is_collapsed(tmp_path):
    articles = {"01.txt": ARTICLES["01.txt"] + "\nLire la suite »\n\nPartager sur Facebook\n"}
    target = brief(write_cluster(tmp_path / "c", articles), tmp_path / "out", sloppy=False)
    removed = cluster_doc(target)["articles"][0]["removed"]
    assert removed
    [details] = tree(target).xpath("//details[@class='removed']")
    assert details.get("open") is None
    assert len(details.xpath(".//li")) == len(removed)


@pytest.mark.parametrize(
    "text, flags, pieces, unplaced",
    [
        ("au moins 3 000 morts", [("3 000", "n")], [("au moins ", ""), ("3 000", "n"), (" morts", "")], []),
        ("Kim Jong Un arrive", [("kim jong un", "n")], [("Kim Jong Un", "n"), (" arrive", "")], []),
        ("12 puis 12", [("12", "n")], [("12", "n"), (" puis ", ""), ("12", "n")], []),
        ("rien ici", [("3 000", "n")], [("rien ici", "")], ["n"]),
        ("2 000 morts", [("2 000", "a"), ("000", "b")], [("2 000", "a"), (" morts", "")], ["b"]),
        ("Straße 3", [("3", "n")], [("Straße ", ""), ("3", "n")], []),  # casefolding changes the length
        ("", [("3", "n")], [("", "")], ["n"]),
        ("a <b> c", [("<b>", "n")], [("a ", ""), ("<b>", "n"), (" c", "")], []),
    ],
)
def test_mark_items(text, flags, pieces, unplaced):
    assert mark_items(text, flags) == ([Piece(t, n) for t, n in pieces], unplaced)


def test_outputs_from_before_provenance_still_render():
    doc = {
        "schema": "summarize.cluster/1",
        "cluster": {"id": "old", "source": "x", "summary": "An old summary. It has two sentences."},
        "articles": [{"id": "a", "path": "old/a.txt", "sha256": "0" * 64, "title": "T", "metadata": {}, "text": "t",
                      "segments": [{"paragraph": 0, "source": "S", "translation": "E"}], "translation": "E", "brief": "B"}],
        "skipped": [],
        "run": {"backend": "transformers", "models": {}, "signature": "sig", "timings": {"total": 1.0}, "cache": {}},
    }
    page = lxml.html.fromstring(render_cluster(doc))
    assert page.xpath("string(//p[@class='summary'])") == "An old summary. It has two sentences."
    assert page.xpath("//section[@id='checks']") == [] and page.xpath("//p[@role='alert']") == []
    assert page.xpath("string(//tr[@id='a1-s1']/td[@class='en'])") == "E"


def test_identical_runs_give_identical_pages_apart_from_timings(tmp_path):
    cluster = write_cluster(tmp_path / "maroc")
    pages = []
    for attempt in ("first", "second"):
        result = CliRunner().invoke(app, ["run", str(cluster), "--backend", "stub", "--out", str(tmp_path / attempt),
                                          "--cache-dir", str(tmp_path / "cache"), "--quiet"])
        assert result.exit_code == 0, result.output
        pages.append((tmp_path / attempt / "maroc" / "cluster.html").read_text("utf-8"))
    assert all(len(RUN_STATS.findall(page)) == 1 for page in pages)
    assert RUN_STATS.sub("", pages[0]) == RUN_STATS.sub("", pages[1])
    assert pages[0] != pages[1]  # the cache counts (all misses, then all hits) differ, and only there


def test_batch_index_page_links_every_cluster(tmp_path):
    root = tmp_path / "root"
    write_cluster(root / "maroc")
    write_cluster(root / "2023" / "atlas", {"a.txt": ARTICLES["02.txt"]})
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(root), "--out", str(out), "--backend", "stub", "--cache-dir",
                                      str(tmp_path / "cache"), "--quiet"])
    assert result.exit_code == 0, result.output
    index = json.loads((out / "index.json").read_text("utf-8"))
    page = lxml.html.fromstring((out / "index.html").read_text("utf-8"))
    links = page.xpath("//table[@class='list']//a/@href")
    assert sorted(links) == sorted(entry["page"] for entry in index["clusters"]) == ["2023__atlas/cluster.html", "maroc/cluster.html"]
    assert all((out / link).is_file() for link in links)


def test_templates_are_package_data():
    """What pyproject ships: the templates' package and every file of it (the wheel test builds one)."""
    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert "summarize.templates" in config["packages"]
    patterns = config["package-data"]["summarize.templates"]
    folder = Path(__file__).resolve().parents[1] / "summarize" / "templates"
    shipped = {p.name for pattern in patterns for p in folder.glob(pattern)}
    assert shipped == {p.name for p in folder.iterdir() if p.suffix in {".j2", ".css"}} and "style.css" in shipped


@pytest.mark.parametrize(
    "models, labels",
    [
        ({"translation": {"engine": "stub", "model": "stub"}, "summarisation": {"engine": "stub"}}, ["translation", "summarisation"]),
        (
            {"translation": {"fr": {"model": "opus-mt-fr-en"}, "de": {"model": "opus-mt-de-en"}}, "summarisation": {"model": "bart"}},
            ["translation from French", "translation from German", "summarisation"],
        ),
    ],
)
def test_models_get_a_provenance_row_each_translation_one_per_language(models, labels):
    from summarize.report import model_rows

    rows = model_rows(models)
    assert [label for label, _ in rows] == labels
    assert all(isinstance(model, dict) and not any(isinstance(v, dict) for v in model.values()) for _, model in rows)
