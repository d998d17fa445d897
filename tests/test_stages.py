"""Translate, summarise and cluster stages with fake engines: caching, splitting, map-reduce."""

from __future__ import annotations

import pytest
from fakes import FirstWordsSummarizer, UpperTranslator

from summarize import pipeline
from summarize.backends import Backends
from summarize.backends.stub import StubSummarizer, StubTranslator
from summarize.cache import Cache, cache_key
from summarize.cluster import brief_cluster
from summarize.options import Options
from summarize.records import BriefedArticle, CleanArticle, RunStats, SegmentedArticle, Sentence, Segment, TranslatedArticle
from summarize.summarise import brief_articles, chunk_sentences, summarise_many, summarise_sentences
from summarize.translate import split_to_fit, translate_articles


def segmented(*paragraphs: list[str]) -> SegmentedArticle:
    article = CleanArticle("a", "a.txt", "0", "T", {}, tuple(" ".join(p) for p in paragraphs))
    sentences = tuple(Sentence(i, s) for i, p in enumerate(paragraphs) for s in p)
    return SegmentedArticle(article, sentences)


@pytest.mark.parametrize(
    "sentence, limit",
    [
        ("un, deux, trois, quatre, cinq, six, sept, huit, neuf, dix, onze, douze", 6),
        ("le chat dort et le chien mange et la souris danse et le coq chante", 5),
        (" ".join(f"mot{i}" for i in range(100)), 8),  # no punctuation at all
    ],
)
def test_long_sentence_split_never_truncated(sentence, limit):
    translator = UpperTranslator(limit)
    pieces = split_to_fit(sentence, translator)
    assert all(translator.count_tokens(p) <= limit for p in pieces)
    assert " ".join(pieces).split() == sentence.split()


def test_translation_aligned_cached_and_paragraphs_rebuilt(tmp_path):
    cache = Cache(tmp_path)
    translator = UpperTranslator(6)
    source = segmented(["Un deux.", "Trois, quatre, cinq, six, sept, huit, neuf."], ["Dix."])
    stats = RunStats()
    [result] = translate_articles([source], translator, cache, stats)
    assert [s.source for s in result.segments] == [s.text for s in source.sentences]
    assert result.segments[1].translation == "TROIS, QUATRE, CINQ, SIX, SEPT, HUIT, NEUF."
    assert result.translation == "UN DEUX. TROIS, QUATRE, CINQ, SIX, SEPT, HUIT, NEUF.\n\nDIX."
    assert (stats.hits, stats.misses) == (0, 3)
    assert len(translator.calls) == 1  # one batched call per article

    again = RunStats()
    edited = segmented(["Un deux.", "Trois, quatre, cinq, six, sept, huit, neuf."], ["Onze."])
    translate_articles([edited], translator, cache, again)
    assert (again.hits, again.misses) == (2, 1)
    assert translator.calls[-1] == ["Onze."]


def test_articles_translated_in_one_call_each_sentence_once(tmp_path):
    cache = Cache(tmp_path)
    translator = UpperTranslator(50)
    first = segmented(["Un deux.", "Trois quatre."])
    second = segmented(["Trois quatre.", "Cinq."])  # shares a sentence with the first
    stats = RunStats()
    results = translate_articles([first, second], translator, cache, stats)
    assert [[s.translation for s in r.segments] for r in results] == [["UN DEUX.", "TROIS QUATRE."], ["TROIS QUATRE.", "CINQ."]]
    assert len(translator.calls) == 1 and sorted(translator.calls[0]) == ["Cinq.", "Trois quatre.", "Un deux."]
    assert (stats.hits, stats.misses) == (0, 3)
    assert translate_articles([], translator, cache, stats) == [] and len(translator.calls) == 1


def test_summary_map_reduce_covers_every_chunk(tmp_path):
    summarizer = FirstWordsSummarizer(12)
    sentences = [f"Phrase numéro {i} avec quelques mots de plus." for i in range(20)]
    chunks = chunk_sentences(sentences, summarizer)
    assert len(chunks) > 1
    assert " ".join(chunks).split() == " ".join(sentences).split()
    stats = RunStats()
    summary = summarise_sentences(sentences, summarizer, 5, Cache(tmp_path), stats)
    assert summary
    first_round = summarizer.calls[0]
    assert len(first_round) == len(chunks)  # map: every chunk summarised
    assert len(summarizer.calls[-1]) == 1  # reduce ends in one summary


def test_summary_cache_hit_counts_no_tokens(tmp_path):
    cache = Cache(tmp_path)
    summarizer = FirstWordsSummarizer(50)
    first = summarise_sentences(["Une phrase.", "Deux phrases."], summarizer, 10, cache, RunStats())

    class NoTokens(FirstWordsSummarizer):
        def count_tokens(self, text):
            raise AssertionError("cached summary must not need the tokenizer")

    stats = RunStats()
    assert summarise_sentences(["Une phrase.", "Deux phrases."], NoTokens(50), 10, cache, stats) == first
    assert (stats.hits, stats.misses) == (1, 0)


def long_text(tag: str, sentences: int) -> list[str]:
    return [f"{tag} phrase numéro {i} avec quelques mots de plus." for i in range(sentences)]


@pytest.mark.parametrize(
    "texts",
    [
        [long_text("a", 1), long_text("b", 20), long_text("c", 3)],  # one chunk, many chunks, a few
        [long_text("a", 20), long_text("b", 20)],  # both need reduce rounds
        [[], long_text("b", 2), ["   "]],  # empty texts give "" and no call
    ],
)
def test_summaries_batched_in_lockstep_equal_one_by_one(tmp_path, texts):
    together = FirstWordsSummarizer(12)
    stats = RunStats()
    summaries = summarise_many(texts, together, 5, Cache(tmp_path / "together"), stats)
    engines = [FirstWordsSummarizer(12) for _ in texts]
    alone = [summarise_sentences(t, e, 5, Cache(tmp_path / str(i)), RunStats()) for i, (t, e) in enumerate(zip(texts, engines))]
    assert summaries == alone
    first_round = [chunk for t in texts if any(s.strip() for s in t) for chunk in chunk_sentences(t, together)]
    assert together.calls[0] == first_round  # map: one call over every text's chunks
    assert len(together.calls) == max(len(e.calls) for e in engines)  # then one call per reduce round
    assert stats.misses == sum(1 for t in texts if any(s.strip() for s in t))


def test_article_briefs_one_call_per_round_and_cached(tmp_path):
    cache = Cache(tmp_path)
    articles = [briefed(f"art{i}", long_text(f"t{i}", 3)).translated for i in range(4)]
    summarizer = FirstWordsSummarizer(200)
    stats = RunStats()
    briefs = brief_articles(articles, summarizer, 5, cache, stats)
    assert [b.article.id for b in briefs] == ["art0", "art1", "art2", "art3"]
    assert len(summarizer.calls) == 1 and len(summarizer.calls[0]) == 4  # the four articles in one batch
    assert (stats.hits, stats.misses) == (0, 4)

    again = RunStats()
    edited = articles[:3] + [briefed("art3", long_text("new", 2)).translated]
    assert [b.brief for b in brief_articles(edited, summarizer, 5, cache, again)][:3] == [b.brief for b in briefs][:3]
    assert (again.hits, again.misses) == (3, 1)
    assert len(summarizer.calls[-1]) == 1  # only the edited article reaches the model


def briefed(article_id: str, translations: list[str]) -> BriefedArticle:
    article = CleanArticle(article_id, f"{article_id}.txt", "0", article_id, {}, tuple(translations))
    segments = tuple(Segment(i, t, t) for i, t in enumerate(translations))
    return BriefedArticle(TranslatedArticle(article, segments), translations[0])


def test_cluster_every_article_contributes_and_duplicates_dropped(tmp_path):
    shared = "Kim Jong Un will meet Vladimir Putin in Vladivostok next week for arms talks."
    articles = [
        briefed("a", [shared, "The White House warned North Korea against selling weapons to Russia."]),
        briefed("b", ["Kim Jong Un will meet Vladimir Putin in Vladivostok next week, for arms talks.", "The armoured train left Pyongyang on Sunday evening."]),
        briefed("c", ["Sergei Shoigu visited Pyongyang in July for a military parade with drones."]),
    ]
    summarizer = FirstWordsSummarizer(1024)
    result = brief_cluster(articles, summarizer, 40, Cache(tmp_path), RunStats())
    assert result.dropped_duplicates == 1
    assert {p.article for p in result.pooled} == {"a", "b", "c"}
    assert summarizer.calls  # summarised from the pool


def test_cluster_budget_respected(tmp_path):
    topics = {"a": "harbour cranes", "b": "wheat exports", "c": "railway gauges", "d": "satellite launches"}
    articles = [
        briefed(x, [f"Sentence{x}{i} covers {topic} in region{x}{i} during week{x}{i}." for i in range(30)]) for x, topic in topics.items()
    ]
    summarizer = FirstWordsSummarizer(60)
    result = brief_cluster(articles, summarizer, 20, Cache(tmp_path), RunStats())
    assert sum(summarizer.count_tokens(p.text) + 1 for p in result.pooled) <= 60
    assert {p.article for p in result.pooled} == set("abcd")


@pytest.mark.parametrize("text", ["", "é", "a\x00b", "🙂" * 10])
def test_cache_key_is_stable_hex(text):
    key = cache_key("stage:x", text)
    assert len(key) == 64 and key == cache_key("stage:x", text) and key != cache_key("stage:y", text)


def test_cache_roundtrip_stats_clear(tmp_path):
    cache = Cache(tmp_path)
    cache.put_many("translate", "sig", {"k1": "v1", "k2": "v2"})
    assert cache.get_many(["k1", "k2", "k3"]) == {"k1": "v1", "k2": "v2"}
    assert cache.stats()["stages"] == {"translate": 2}
    assert cache.clear() == 2
    assert cache.get("k1") is None
    assert Cache(None).get("k1") is None


def test_cluster_article_whose_best_sentence_is_too_long_still_contributes(tmp_path):
    long_best = "The summit " + " ".join(f"topic{i}" for i in range(70)) + " between Kim and Putin in Vladivostok."
    articles = [
        briefed("a", [long_best, "Kim travelled by armoured train to Vladivostok."]),
        briefed("b", ["Washington warned Pyongyang against selling shells to Moscow."]),
    ]
    summarizer = FirstWordsSummarizer(40)
    result = brief_cluster(articles, summarizer, 20, Cache(tmp_path), RunStats())
    assert result.summary
    assert {p.article for p in result.pooled} == {"a", "b"}


class RecordingStub(StubTranslator):
    def __init__(self):
        self.calls: list[list[str]] = []

    def translate(self, sentences):
        self.calls.append(list(sentences))
        return super().translate(sentences)


@pytest.mark.parametrize("group_sentences, calls", [(1000, 1), (1, 5)])
def test_pipeline_translates_the_cluster_in_groups(seed_dir, tmp_path, monkeypatch, group_sentences, calls):
    """The seed cluster's five articles share one translator call unless groups are smaller than an article."""
    monkeypatch.setattr(pipeline, "TRANSLATION_GROUP_SENTENCES", group_sentences)
    translator = RecordingStub()
    result = pipeline.run_cluster(seed_dir, Options(cache_dir=tmp_path), Backends(translator, StubSummarizer()), Cache(None))
    assert len(translator.calls) == calls
    assert sum(map(len, translator.calls)) == len({s.source for a in result.articles for s in a.translated.segments})
    assert [a.article.id[:3] for a in result.articles] == ["000", "001", "002", "003", "004"]
