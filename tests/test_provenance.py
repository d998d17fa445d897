"""Provenance: every summary sentence cites the source sentences behind it; stub runs of the seed
cluster carry citations and quiet checks; a corrupted translation shows up in cluster.json and
in the markdown Check section."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from summarize.backends import Backends
from summarize.backends.stub import StubSummarizer, StubTranslator
from summarize.cache import Cache
from summarize.cli import app
from summarize.options import Options
from summarize.pipeline import process_cluster
from summarize.provenance import split_summary, trace_cluster
from summarize.records import BriefedArticle, CleanArticle, ClusterBrief, Segment, TranslatedArticle


def briefed(article_id: str, translations: list[str], brief: str) -> BriefedArticle:
    article = CleanArticle(article_id, f"{article_id}.txt", "0", article_id, {}, tuple(translations))
    segments = tuple(Segment(i, t, t) for i, t in enumerate(translations))  # identity, as the stub translates
    return BriefedArticle(TranslatedArticle(article, segments), brief)


ARTICLES = [
    briefed(
        "a",
        [
            "North Korean leader Kim Jong Un plans to travel to Russia this month to meet Vladimir Putin.",
            "The armoured train left Pyongyang on Sunday evening.",
            "The White House warned North Korea against selling weapons to Russia.",
        ],
        "Kim Jong Un plans to travel to Russia to meet Vladimir Putin.",
    ),
    briefed(
        "b",
        [
            "Putin and Kim will attend an economic forum in Vladivostok from 10 to 13 September.",
            "Sergei Shoigu visited Pyongyang in July for a military parade with drones.",
        ],
        "Shoigu visited Pyongyang in July. The forum runs from 10 to 13 September.",
    ),
]


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("M. Sullivan a averti la Corée. Puis il est parti.", ["M. Sullivan a averti la Corée.", "Puis il est parti."]),
        ("Mr. Kim left at 2 p.m. for the U.S. capital. He said: \"No.\"", ["Mr. Kim left at 2 p.m. for the U.S. capital.", "He said: \"No.\""]),
        ("J. Smith arrived. A. B. Jones left.", ["J. Smith arrived.", "A. B. Jones left."]),
        ("", []),
    ],
)
def test_split_summary(text, sentences):
    assert split_summary(text) == sentences


def test_copied_sentence_cites_its_source_with_full_score():
    brief = ClusterBrief("The armoured train left Pyongyang on Sunday evening.", (), 0)
    (sentence,) = trace_cluster(ARTICLES, brief).summary_sentences
    assert [(s.article, s.segment, s.score) for s in sentence.sources] == [("a", 1, 1.0)]


def test_fused_sentence_cites_both_sources():
    brief = ClusterBrief("Kim Jong Un will meet Putin at an economic forum in Vladivostok, and the armoured train left Pyongyang on Sunday.", (), 0)
    (sentence,) = trace_cluster(ARTICLES, brief).summary_sentences
    cited = [(s.article, s.segment) for s in sentence.sources]
    assert {("b", 0), ("a", 1)} <= set(cited) and len(cited) <= 3
    assert all(0 < s.score <= 1 for s in sentence.sources)


def test_unrelated_sentence_cites_nothing():
    brief = ClusterBrief("Completely unrelated words here.", (), 0)
    assert trace_cluster(ARTICLES, brief).summary_sentences[0].sources == ()


def test_briefs_cite_their_own_article_only():
    provenance = trace_cluster(ARTICLES, ClusterBrief("", (), 0))
    assert provenance.summary_sentences == ()
    brief_b = provenance.brief_sentences["b"]
    assert [s.text for s in brief_b] == ["Shoigu visited Pyongyang in July.", "The forum runs from 10 to 13 September."]
    assert [[(r.article, r.segment) for r in s.sources] for s in brief_b] == [[("b", 1)], [("b", 0)]]
    assert all(r.article == "a" for s in provenance.brief_sentences["a"] for r in s.sources)
    assert provenance.checks == ()


def test_summary_number_and_name_not_in_translations_flagged():
    brief = ClusterBrief("Kim and Xi Jinping meet from 10 to 15 September.", (), 0)
    items = trace_cluster(ARTICLES, brief).checks
    assert {(i.where, i.kind, i.item, i.index) for i in items} == {("summary", "name", "Xi Jinping", 0), ("summary", "number", "15", 0)}


# --- end to end through the CLI with the stub backend --------------------------------------------

runner = CliRunner()


@pytest.fixture(scope="module")
def stub_output(seed_dir, tmp_path_factory):
    base = tmp_path_factory.mktemp("provenance")
    result = runner.invoke(
        app, ["run", str(seed_dir), "--backend", "stub", "--out", str(base / "out"), "--cache-dir", str(base / "cache"), "-q"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    folder = base / "out" / "fr-03"
    return json.loads((folder / "cluster.json").read_text("utf-8")), (folder / "cluster.md").read_text("utf-8")


def test_stub_run_has_no_unsupported_numbers_in_translations(stub_output):
    data, _ = stub_output
    checks = data["checks"]
    assert [a["article"] for a in checks["articles"]] == [a["id"] for a in data["articles"]]
    assert not [i for a in checks["articles"] for i in a["items"] if i["kind"] == "number" and i["where"] == "translation"]
    assert checks["counts"] == {"unsupported_numbers": 0, "unsupported_names": 0, "missing_numbers": 0, "missing_names": 0}
    assert checks["cluster"] == [] and checks["method"].startswith("provenance:")


def test_stub_run_summary_sentences_cite_real_segments(stub_output):
    data, _ = stub_output
    articles = {a["id"]: a for a in data["articles"]}
    sentences = data["cluster"]["summary_sentences"]
    assert " ".join(s["text"] for s in sentences) == " ".join(data["cluster"]["summary"].split())
    for sentence in sentences:
        assert sentence["sources"], sentence["text"]
        best = sentence["sources"][0]
        assert set(best) == {"article", "segment", "score"}
        # stub summaries are copied source sentences: the best source is that very sentence
        assert articles[best["article"]]["segments"][best["segment"]]["translation"] == sentence["text"]
        assert best["score"] == 1.0
    for article in data["articles"]:
        assert article["brief_sentences"]
        for sentence in article["brief_sentences"]:
            assert {s["article"] for s in sentence["sources"]} == {article["id"]}


def test_stub_markdown_has_citations_and_check_section(stub_output):
    data, markdown = stub_output
    numbers = {a["id"]: n for n, a in enumerate(data["articles"], 1)}
    summary_block = markdown.split("## Articles")[0]
    for sentence in data["cluster"]["summary_sentences"]:
        marks = "".join(f"[{numbers[s['article']]}]" for s in sentence["sources"])
        assert f"{sentence['text']} {marks}" in summary_block
    assert re.search(r"\[\d\]", summary_block)
    check = markdown.split("## Check")[1].split("##")[0]
    assert "Every number and name" in check
    assert markdown.index("## Articles") < markdown.index("## Check") < markdown.index("## Provenance")


class MilesToKilometres(StubTranslator):
    """An identity 'translator' that converts the seed's distance, as a careless MT system might."""

    def translate(self, sentences):
        return [s.replace("683 milles", "1 100 km") for s in sentences]


def test_corrupted_translation_reported_in_json_and_markdown(seed_dir, tmp_path):
    backends = Backends(MilesToKilometres(), StubSummarizer())
    options = Options(backend="stub", cache_dir=tmp_path / "cache")
    result, folder = process_cluster(seed_dir, tmp_path / "out", options, backends, Cache(None))
    data = json.loads((folder / "cluster.json").read_text("utf-8"))
    items = [(a["article"], i) for a in data["checks"]["articles"] for i in a["items"]]
    assert {(i["kind"], i["problem"], i["item"]) for _, i in items} == {("number", "unsupported", "1 100"), ("number", "missing", "683")}
    article, item = items[0]
    segment = next(a for a in data["articles"] if a["id"] == article)["segments"][item["segment"]]
    assert "683 milles" in segment["source"] == item["source"] and "1 100 km" in item["text"] == segment["translation"]
    number = [a["id"] for a in data["articles"]].index(article) + 1
    markdown = (folder / "cluster.md").read_text("utf-8")
    assert f"- [{number}] translation of sentence {item['segment'] + 1}: number “1 100” is not in the source sentence" in markdown
    assert data["checks"]["counts"]["unsupported_numbers"] == 1


def test_each_article_is_checked_in_its_own_source_language():
    """A German article in a French cluster: its numbers and names are read with the German tables."""

    def translated(article_id: str, language: str, pairs: list[tuple[str, str]]) -> BriefedArticle:
        article = CleanArticle(article_id, f"{article_id}.txt", "0", article_id, {}, tuple(s for s, _ in pairs), language=language)
        segments = tuple(Segment(i, s, t) for i, (s, t) in enumerate(pairs))
        return BriefedArticle(TranslatedArticle(article, segments), pairs[0][1])

    german = translated("de", "de", [("Die beiden Banken zahlten 1,5 Milliarden Euro in Wien.", "The two banks paid 1.5 billion euros in Vienna.")])
    french = translated("fr", "fr", [("Les deux banques ont payé 1,5 milliard d'euros à Vienne.", "The two banks paid 1.5 billion euros in Vienna.")])
    brief = ClusterBrief("The two banks paid 1.5 billion euros in Vienna.", (), 0)
    assert trace_cluster([german, french], brief).checks == ()
    wrong = translated("de", "de", [("Die beiden Banken zahlten 1,5 Milliarden Euro in Wien.", "The three banks paid 1.5 billion euros in Prague.")])
    found = {(i.article, i.kind, i.item) for i in trace_cluster([wrong, french], brief).checks if i.where == "translation"}
    assert found == {("de", "number", "three"), ("de", "name", "Prague")}
