"""Cleaner: metadata, boilerplate and duplicates, on the real seeds and on cases from other sites."""

from __future__ import annotations

import pytest

from summarize.clean import clean_article, fingerprint
from summarize.ingest import ingest_cluster
from summarize.records import IngestedArticle

BOILERPLATE = [
    "Lire la suite »",
    "Similar News",
    "Laisser un commentaire",
    "Votre adresse e-mail ne sera pas publiée",
    "Comment (0)",
    "Lien source",
    "CLIQUEZ ICI POUR OBTENIR",
    "France Dernières Nouvelles",
    "Fan du Web",
    "Félix Germain",
    "date 2023-09",
    "fr-03",
    "(Reuters)",
]


def article(text: str, id: str = "a") -> IngestedArticle:
    return IngestedArticle(id=id, path=f"c/{id}.txt", sha256="0" * 64, text=text, encoding="utf-8")


@pytest.fixture(scope="module")
def seeds(seed_dir):
    return {a.id[:3]: clean_article(a, cluster_id="fr-03") for a in ingest_cluster(seed_dir).articles}


@pytest.mark.parametrize("marker", BOILERPLATE)
def test_no_seed_boilerplate_survives(seeds, marker):
    for cleaned in seeds.values():
        assert marker not in cleaned.text, (cleaned.id, marker)


@pytest.mark.parametrize(
    "seed, key, value",
    [
        ("000", "tag", "fr-03"),
        ("000", "section", "Guerre en Ukraine"),
        ("003", "date", "2023-09"),
        ("004", "author", "Hyunsu Yim et Josh Smith"),
        ("004", "place", "SEOUL"),
    ],
)
def test_seed_metadata(seeds, seed, key, value):
    assert seeds[seed].metadata[key] == value
    assert value not in seeds[seed].text or key == "section"


@pytest.mark.parametrize(
    "seed, title",
    [
        ("000", "Kim Jong Un prévoit de rencontrer Poutine en Russie pour discuter d’un éventuel accord d’armement, selon les États-Unis."),
        ("002", "Washington : une prochaine rencontre entre Kim et Poutine pour mener des « négociations sur les armes »"),
    ],
)
def test_seed_headline_is_title(seeds, seed, title):
    assert seeds[seed].title == title
    assert title not in seeds[seed].text


def test_seed_article_text_kept(seeds):
    assert seeds["002"].paragraphs[0].startswith("La Maison Blanche a annoncé hier (lundi)")
    assert seeds["003"].paragraphs[0].startswith("Le dirigeant nord-coréen Kim Jong Un rencontrera")
    assert seeds["003"].paragraphs[-1].startswith("« Un autre avantage")
    assert "Pyongyang" in seeds["001"].text


def test_seed_004_repeated_paragraphs_dropped(seeds):
    paragraphs = seeds["004"].paragraphs
    assert len(paragraphs) == 4
    assert not any(p.startswith("SEOUL") for p in paragraphs)
    assert sum(p.count("est arrivé en Russie aux premières heures") for p in paragraphs) == 1


@pytest.mark.parametrize(
    "text, dropped",
    [
        # Other sites' boilerplate, in the same kinds as the seeds' but not their strings.
        ("Titre de l'article\n\nLe texte de l'article. Il continue ici.\n\nLaissez un commentaire", "Laissez un commentaire"),
        ("Titre\n\nLe texte de l'article. Encore.\n\n12 commentaires", "12 commentaires"),
        ("Titre\n\nLe texte. Encore du texte.\n\nTéléchargez notre application pour suivre l'actualité", "Téléchargez notre application"),
        ("Titre\n\nLe texte. Encore du texte.\n\nÀ lire aussi : Le président en visite à Lyon", "À lire aussi"),
        ("Titre\n\nLe texte. Encore du texte.\n\nArticles similaires\n\nUn autre sujet sans rapport. Encore.", "Un autre sujet sans rapport"),
        ("Titre\n\nLe texte. Encore du texte.\n\nAbonnez-vous à notre newsletter", "Abonnez-vous"),
        ("Titre\n\nLe texte. Encore du texte.\n\nhttps://exemple.fr/article/123", "https://"),
        ("Titre\n\nLe texte. Encore du texte.\n\nCrédit photo : AFP", "Crédit photo"),
        ("Titre\n\nLe texte. Encore du texte.\n\nLe maire inaugure le pont (AFP)", "Le maire inaugure"),
        ("Titre\n\nLe texte. Encore du texte.\n\nBelgique Infos, Toute l'actualité belge", "Toute l'actualité"),
        ("Titre\n\nLe texte. Encore du texte.\n\nJean Dupont\n\n\"Amateur de café. Lecteur. Joueur invétéré.\"", "Amateur de café"),
        ("Titre\n\nLe texte. Encore du texte.\n\nDes manifestants devant la préfecture samedi\n\nLa suite du texte. Fin.", "Des manifestants devant"),
        ("Titre\n\nLe texte. Encore du texte.\n\nUn autre article sur le sujet…\nLire la suite »", "Un autre article"),
    ],
)
def test_boilerplate_kinds_from_other_sites(text, dropped):
    cleaned = clean_article(article(text))
    assert dropped not in cleaned.text
    assert "Le texte" in cleaned.text
    assert cleaned.removed


@pytest.mark.parametrize(
    "text, metadata, body_start",
    [
        ("date 2023-09 Le texte commence ici. Suite.", {"date": "2023-09"}, "Le texte commence"),
        ("Date : 2024-01-15\nLe texte commence ici. Suite.", {"date": "2024-01-15"}, "Le texte commence"),
        ("Le texte commence ici. Suite.\nfr-12", {"tag": "fr-12"}, "Le texte commence"),
        ("par Marie Curie PARIS - Le texte commence ici. Suite.", {"author": "Marie Curie", "place": "PARIS"}, "Le texte commence"),
        ("LYON (AFP) - Le texte commence ici. Suite.", {"place": "LYON"}, "Le texte commence"),
    ],
)
def test_metadata_lines(text, metadata, body_start):
    cleaned = clean_article(article(text))
    for key, value in metadata.items():
        assert cleaned.metadata[key] == value
    assert cleaned.paragraphs[0].startswith(body_start)


@pytest.mark.parametrize(
    "text",
    [
        "Le texte réel. Il est important.",
        "« Nous continuerons », a dit M. Dupont. « Toujours. »",
        "Le train fait 683 milles à 37 milles à l’heure. Il arrive.",
    ],
)
def test_real_text_is_not_boilerplate(text):
    cleaned = clean_article(article("Titre court\n\n" + text))
    assert cleaned.paragraphs == (text,)


def test_fingerprint_ignores_case_accents_quotes():
    assert fingerprint("« Élan »,  d'Été !") == fingerprint("\"elan\" d’ete")
