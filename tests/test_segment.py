"""French sentence segmentation: abbreviations, numbers, guillemets, initials, paragraphs."""

from __future__ import annotations

import pytest

from summarize.clean import clean_article
from summarize.ingest import ingest_cluster
from summarize.records import CleanArticle
from summarize.segment import is_cut_copy, segment_article, split_sentences


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        (
            "M. Sullivan a averti que la Corée du Nord « paierait un prix ». Mme Dupont est venue.",
            ["M. Sullivan a averti que la Corée du Nord « paierait un prix ».", "Mme Dupont est venue."],
        ),
        ("Il a payé 3 000 euros, soit 37,5 % de plus. Puis il est parti.", ["Il a payé 3 000 euros, soit 37,5 % de plus.", "Puis il est parti."]),
        ("J.-P. Martin est venu. Il est reparti.", ["J.-P. Martin est venu.", "Il est reparti."]),
        ("Le président G. W. Bush est là. Fin.", ["Le président G. W. Bush est là.", "Fin."]),
        ("Le 4 sept. il est venu. Fin.", ["Le 4 sept. il est venu.", "Fin."]),
        (
            "Il a dit : « Non, je ne peux pas. Il n'y a rien à dire. » Puis il est parti.",
            ["Il a dit : « Non, je ne peux pas. Il n'y a rien à dire. »", "Puis il est parti."],
        ),
        (
            "« C’est un échec », a déclaré lundi Poutine. « Voyons ce qui se passera ensuite ».",
            ["« C’est un échec », a déclaré lundi Poutine.", "« Voyons ce qui se passera ensuite »."],
        ),
        ("Un trajet de 683 milles à 37 milles à l’heure.", ["Un trajet de 683 milles à 37 milles à l’heure."]),
    ],
)
def test_split_sentences(paragraph, expected):
    assert split_sentences(paragraph) == expected


def test_paragraph_boundaries_kept():
    article = CleanArticle("a", "a.txt", "0", "T", {}, ("Un. Deux.", "Trois."))
    assert [(s.paragraph, s.text) for s in segment_article(article).sentences] == [(0, "Un."), (0, "Deux."), (1, "Trois.")]


def test_repeated_and_truncated_sentences(seed_dir):
    seed = next(a for a in ingest_cluster(seed_dir).articles if a.id.startswith("004"))
    sentences = [s.text for s in segment_article(clean_article(seed)).sentences]
    assert len(sentences) == len(set(sentences))
    discussions = [s for s in sentences if s.startswith("Les discussions porteront")]
    assert discussions == [
        "Les discussions porteront sur les relations bilatérales, la situation dans la région et la scène "
        "internationale, a ajouté le porte-parole de la présidence russe."
    ]


@pytest.mark.parametrize(
    "paragraphs, expected",
    [
        # short answers are real sentences, not cut copies of longer ones that start the same way
        (("Non, je ne peux pas venir demain. Non.",), ["Non, je ne peux pas venir demain.", "Non."]),
        (("Oui. Oui, bien sûr, nous viendrons tous demain matin.",), ["Oui.", "Oui, bien sûr, nous viendrons tous demain matin."]),
        # an exact repeat of a sentence long enough to be a copy goes; short ones are said twice
        (("Le président a parlé de la guerre et de la paix.", "Le président a parlé de la guerre et de la paix."),
         ["Le président a parlé de la guerre et de la paix."]),
        (("Il pleut.", "Il pleut."), ["Il pleut.", "Il pleut."]),
        (("A-t-il signé ? Non.", "Non."), ["A-t-il signé ?", "Non.", "Non."]),
        # a lead cut short is replaced by its full copy
        (
            ("Le président a parlé de la guerre et de la paix, a ajouté",
             "Le président a parlé de la guerre et de la paix, a ajouté le porte-parole."),
            ["Le président a parlé de la guerre et de la paix, a ajouté le porte-parole."],
        ),
        # a quotation closed before its attribution is no cut copy of the same words said by someone else
        (
            ('"Nous ne céderons rien sur la réforme des retraites"',
             '"Nous ne céderons rien sur la réforme des retraites", a répété le Premier ministre.'),
            ['"Nous ne céderons rien sur la réforme des retraites"',
             '"Nous ne céderons rien sur la réforme des retraites", a répété le Premier ministre.'],
        ),
    ],
)
def test_within_article_duplicates(paragraphs, expected):
    article = CleanArticle("a", "a.txt", "0", "T", {}, paragraphs)
    assert [s.text for s in segment_article(article).sentences] == expected


@pytest.mark.parametrize(
    "short, long, cut",
    [
        ("Les discussions porteront sur les relations bilatérales, a ajouté",
         "Les discussions porteront sur les relations bilatérales, a ajouté le porte-parole.", True),
        # cut at a closing quotation mark or a full stop: a sentence of its own, not a cut copy
        ('"Nous ne céderons rien sur les retraites"', '"Nous ne céderons rien sur les retraites", a dit X.', False),
        ("Nous ne céderons rien sur les retraites.", "Nous ne céderons rien sur les retraites. Jamais.", False),
        # a prefix of the fingerprint only (other quotes, other accents) is not a prefix as written
        ("« Nous ne céderons rien sur les retraites", '"Nous ne céderons rien sur les retraites", a dit X.', False),
        # too short to be a copy
        ("Non, je ne", "Non, je ne peux pas venir.", False),
    ],
)
def test_is_cut_copy(short, long, cut):
    assert is_cut_copy(short, long) is cut
