"""The stages with a context-aware model: translation by passage cached by sentence, the cluster brief by article."""

from __future__ import annotations

import pytest
from fakes import SourcesRecorder, UpperPassageTranslator, UpperTranslator

from summarize.backends.base import PassageTranslator, SourcesSummarizer, source_languages
from summarize.backends.router import routed_translator
from summarize.cache import Cache
from summarize.cluster import brief_cluster
from summarize.cluster import stage_signature as cluster_signature
from summarize.language import reads
from summarize.options import Options
from summarize.records import BriefedArticle, CleanArticle, RunStats, Segment, SegmentedArticle, Sentence, TranslatedArticle
from summarize.translate import passages_of, run_signature, stage_signature, translate_articles


def article(*paragraphs: list[str], language: str = "fr", id: str = "a") -> SegmentedArticle:
    clean = CleanArticle(id, f"{id}.txt", "0", "T", {}, tuple(" ".join(p) for p in paragraphs), language=language)
    return SegmentedArticle(clean, tuple(Sentence(i, s) for i, p in enumerate(paragraphs) for s in p))


@pytest.mark.parametrize(
    "paragraph_sizes, passages",
    [
        ([1], [[0]]),
        ([3], [[0, 1, 2]]),
        ([4], [[0, 1], [2, 3]]),  # near-equal parts, not 3 + 1
        ([7], [[0, 1, 2], [3, 4], [5, 6]]),
        ([1, 1, 1, 1], [[0, 1, 2], [3]]),  # one-sentence paragraphs packed with their neighbours
        ([2, 1, 3], [[0, 1, 2], [3, 4, 5]]),  # a paragraph is split only when it is longer than a passage
        ([1, 4, 1], [[0, 1, 2], [3, 4, 5]]),  # a long paragraph split in halves, each packed with a neighbour
    ],
)
def test_paragraphs_are_cut_into_near_equal_passages_and_short_ones_packed(paragraph_sizes, passages):
    paragraphs, n = [], 0
    for size in paragraph_sizes:
        paragraphs.append([f"Phrase {n + k}." for k in range(size)])
        n += size
    assert passages_of(article(*paragraphs), max_sentences=3, max_chars=1000) == passages


def test_a_passage_also_ends_before_its_characters_pass_the_limit():
    long = "x" * 40 + "."
    assert passages_of(article([long, long, "Court.", long]), max_sentences=5, max_chars=60) == [[0], [1, 2], [3]]
    assert passages_of(article([long], ["Court."], [long]), max_sentences=5, max_chars=60) == [[0, 1], [2]]


def test_translation_by_passage_aligned_and_cached_under_its_passage(tmp_path):
    cache, translator = Cache(tmp_path), UpperPassageTranslator(50)
    assert isinstance(translator, PassageTranslator) and not isinstance(UpperTranslator(50), PassageTranslator)
    source = article(["Un.", "Deux.", "Trois."], ["Quatre.", "Cinq."], language="de")
    stats = RunStats()
    [result] = translate_articles([source], translator, cache, stats)
    assert [s.translation for s in result.segments] == ["UN.", "DEUX.", "TROIS.", "QUATRE.", "CINQ."]
    assert [(p.language, p.sentences) for p in translator.passages[0]] == [("German", ("Un.", "Deux.", "Trois.")), ("German", ("Quatre.", "Cinq."))]
    assert (stats.hits, stats.misses) == (0, 5)

    again = RunStats()
    edited = article(["Un.", "Deux.", "Trois!"], ["Quatre.", "Cinq."], language="de")
    translate_articles([edited], translator, cache, again)
    assert [p.sentences for p in translator.passages[-1]] == [("Un.", "Deux.", "Trois!")]  # the edited passage, whole
    assert (again.hits, again.misses) == (2, 3)  # "Un." and "Deux." read differently in another context

    elsewhere = RunStats()
    translate_articles([article(["Quatre."], language="fr")], translator, cache, elsewhere)
    assert elsewhere.misses == 1  # same sentence, other language: another prompt


def test_each_language_is_translated_by_its_routed_translator_in_its_own_mode(tmp_path):
    """The router decides which translator serves a language; a passage translator gets passages, any other sentences."""
    marian, llm = UpperTranslator(50), UpperPassageTranslator(50)
    llm.source_languages = None
    built = {"pair/fr-en": marian, "some/llm": llm}
    router = routed_translator(Options(backend="stub", translation_model="fr=pair/fr-en,de=some/llm,hu=some/llm"), lambda c: built[c.spec], "fake")
    articles = [
        article(["Un.", "Deux."], language="fr", id="fr"),
        article(["Eins.", "Zwei."], language="de", id="de"),
        article(["Egy."], language="hu", id="hu"),
    ]
    stats = RunStats()
    results = translate_articles(articles, router, Cache(tmp_path), stats)
    assert [[s.translation for s in r.segments] for r in results] == [["UN.", "DEUX."], ["EINS.", "ZWEI."], ["EGY."]]
    assert [sorted(call) for call in marian.calls] == [["Deux.", "Un."]]  # French: one sentence-mode call
    assert [[(p.language, p.sentences) for p in call] for call in llm.passages] == [
        [("German", ("Eins.", "Zwei."))],
        [("Hungarian", ("Egy.",))],
    ]  # one passage-mode call per language
    assert (stats.hits, stats.misses) == (0, 5)
    german, french = run_signature(router, ("de", "fr")).split("|fr:")  # each language's part names how it was translated
    assert "passages:paragraphs-packed-3s60c-v2" in german and "passages" not in french


def test_identical_passages_are_translated_once_and_over_long_sentences_split(tmp_path):
    translator = UpperPassageTranslator(6)
    first = article(["Un deux trois quatre cinq six sept huit neuf dix."], id="a")
    second = article(["Un deux trois quatre cinq six sept huit neuf dix."], id="b")
    results = translate_articles([first, second], translator, Cache(tmp_path), RunStats())
    [[passage]] = translator.passages
    assert len(passage.sentences) > 1 and all(len(piece.split()) + 1 <= 6 for piece in passage.sentences)
    assert [r.segments[0].translation for r in results] == ["UN DEUX TROIS QUATRE CINQ SIX SEPT HUIT NEUF DIX."] * 2


def test_the_stage_signature_says_how_passages_are_cut():
    assert "passages:paragraphs-packed-3s60c-v2" in stage_signature(UpperPassageTranslator(9))
    assert "passages" not in stage_signature(UpperTranslator(9))


def test_a_translator_for_any_language_reads_every_language_but_english():
    translator = UpperPassageTranslator(9)
    translator.source_languages = None
    languages = source_languages(translator)
    assert all(reads(languages, code) for code in ("fr", "de", "zh", "hu")) and not reads(languages, "en")
    assert source_languages(UpperTranslator(9)) == ("fr",)


def briefed(id: str, *sentences: str) -> BriefedArticle:
    clean = CleanArticle(id, f"{id}.txt", "0", "T", {}, (" ".join(sentences),))
    segments = tuple(Segment(0, s, s) for s in sentences)
    return BriefedArticle(TranslatedArticle(clean, segments), "brief")


def test_the_cluster_brief_gets_the_picks_grouped_by_article_in_order(tmp_path):
    summarizer = SourcesRecorder(400)
    assert isinstance(summarizer, SourcesSummarizer)
    articles = [
        briefed("a", "The government presented its budget for hospitals on Tuesday.", "Unions welcomed the budget for hospitals."),
        briefed("b", "Opposition leaders criticised the hospital budget as too small.", "Doctors demand more nurses in emergency wards."),
    ]
    brief = brief_cluster(articles, summarizer, 40, Cache(tmp_path), RunStats())
    [sources] = summarizer.sources
    assert sources == [[s.translation for s in a.translated.segments] for a in articles]  # each article's own order
    assert brief.summary.startswith("Summary of The government") and len(brief.pooled) == 4
    assert "sources:by-article-v1" in cluster_signature(summarizer, 40)


ARTICLE = [
    "The city council approved a new tram line on Monday.",  # lead
    "The line will link the station to the university.",  # lead
    "Photo: the mayor.",  # too short to pick
    "The weather was mild.",
    "The tram line will cost the council 400 million euros, the council said.",
    "Work on the tram line starts in May and ends in 2027.",
]


@pytest.mark.parametrize(
    "budget, lead, expected",
    [
        (100, 2, [0, 1, 3, 4, 5]),  # everything but the caption fits, in article order
        (45, 2, [0, 1, 4, 5]),  # the lead, then the most salient (tram, council) before "weather"
        (25, 2, [0, 1, 3]),  # a sentence that does not fit is passed over, a shorter one still goes in
        (5, 2, [0]),  # the first pick always goes in
        (20, 0, [0, 1]),  # no lead: the most salient first (the lead sentence is also the most central)
    ],
)
def test_key_sentences_are_the_lead_then_the_most_salient_in_article_order(budget, lead, expected):
    from summarize.salience import key_sentences

    assert key_sentences(ARTICLE, budget, lead) == [ARTICLE[i] for i in expected]


def test_a_summariser_that_rewrites_a_selection_gets_the_key_sentences(tmp_path):
    from fakes import FirstWordsSummarizer

    from summarize.backends.base import Extract
    from summarize.summarise import stage_signature as summary_signature
    from summarize.summarise import summarise_many

    summarizer = FirstWordsSummarizer(500)
    summarizer.extract = Extract(words=45, lead=2)
    summarise_many([ARTICLE], summarizer, 30, Cache(tmp_path), RunStats())
    assert summarizer.calls == [["\n".join(ARTICLE[i] for i in (0, 1, 4, 5))]]
    assert "extract:lead2+salient-45w-v1" in summary_signature(summarizer, 30)
    assert "extract" not in summary_signature(FirstWordsSummarizer(500), 30)
