"""Clusters in several languages: each article identified before cleaning, routed to its language's
model (built only for the languages present, once per model), English passed through, a language
without a model skipped with one line naming the registry key; cache keys per model."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize.backends.base import BackendError
from summarize.backends.router import TranslationRouter, routed_translator
from summarize.backends.stub import StubTranslator
from summarize.cache import DB_NAME, Cache
from summarize.cli import app
from summarize.errors import UsageError
from summarize.language import decide, identify
from summarize.models import models_for_targets, translation_routes
from summarize.options import Options, parse_languages, translation_overrides
from summarize.presets import load_registry
from summarize.records import IngestedArticle
from summarize.segment import split_sentences
from summarize.signature import Signature
from summarize.translate import stage_signature

runner = CliRunner()

FRENCH = """Le gouvernement présente un nouveau budget

Le gouvernement a présenté un nouveau budget pour l'hôpital. La ministre défend une réforme des retraites.

Les syndicats critiquent la hausse des prix de l'énergie, après des mois de négociations.
"""
GERMAN = """Die Regierung stellt einen neuen Haushalt vor

Die Regierung hat einen neuen Haushalt für das Krankenhaus vorgestellt. Die Ministerin verteidigt eine Rentenreform.

Die Gewerkschaften kritisieren den Anstieg der Energiepreise nach monatelangen Verhandlungen.
"""
ENGLISH = """The government presents a new budget

The government presented a new budget for the hospital. The minister defends a pension reform.

The unions criticise the rise in energy prices after months of negotiations.
"""
HUNGARIAN = """A kormány új költségvetést mutatott be

A kormány új költségvetést mutatott be a kórház számára. A miniszter megvédi a nyugdíjreformot.

A szakszervezetek bírálják az energiaárak emelkedését a hónapokig tartó tárgyalások után.
"""


def mixed_cluster(root: Path, files: dict[str, str]) -> Path:
    cluster = root / "mixed"
    cluster.mkdir(parents=True)
    for name, text in files.items():
        (cluster / name).write_text(text, encoding="utf-8")
    return cluster


# ---- the mixed cluster through the CLI, twice ------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_runs(tmp_path_factory, tiny_marian_dir, tiny_german_marian_dir, tiny_bart_dir):
    """fr, de, en and hu articles; the registry's fr and de models are tiny ones in --model-dir (the hub
    is offline); run twice with one cache."""
    base = tmp_path_factory.mktemp("mixed")
    models = base / "models"
    shutil.copytree(tiny_marian_dir, models / "opus-mt-fr-en")
    shutil.copytree(tiny_german_marian_dir, models / "opus-mt-de-en")
    cluster = mixed_cluster(base, {"fr.txt": FRENCH, "de.txt": GERMAN, "en.txt": ENGLISH, "hu.txt": HUNGARIAN})
    args = [
        "run", str(cluster), "--backend", "transformers", "--model-dir", str(models), "--summary-model", str(tiny_bart_dir),
        "--beams", "1", "--brief-words", "10", "--cluster-words", "12", "--cache-dir", str(base / "cache"),
    ]
    runs = []
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HOME", str(base / "hf"))
        env.delenv("HF_HUB_CACHE", raising=False)
        env.setenv("HF_HUB_OFFLINE", "1")
        env.setenv("OMP_NUM_THREADS", "1")
        for name in ("first", "second"):
            result = runner.invoke(app, [*args, "--out", str(base / name)], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            data = json.loads((base / name / "mixed" / "cluster.json").read_text("utf-8"))
            runs.append((result.output, data, (base / name / "mixed" / "cluster.md").read_text("utf-8")))
    return models, base / "cache", runs


def test_each_article_goes_to_its_languages_model_and_english_passes_through(mixed_runs):
    models, _, [(output, data, markdown), _] = mixed_runs
    languages = {a["path"].split("/")[-1]: a["language"] for a in data["articles"]}
    assert languages == {"fr.txt": "fr", "de.txt": "de", "en.txt": "en"}
    translation = data["run"]["models"]["translation"]
    assert set(translation) == {"fr", "de"}  # loaded only for the languages present; none for English
    assert translation["fr"]["path"] == str((models / "opus-mt-fr-en").resolve())
    assert translation["de"]["path"] == str((models / "opus-mt-de-en").resolve())
    for model in ("model:opus-mt-fr-en", "model:opus-mt-de-en"):
        assert model in data["run"]["signature"]
    english = next(a for a in data["articles"] if a["language"] == "en")
    assert all(s["translation"] == s["source"] for s in english["segments"])
    for article in data["articles"]:
        if article["language"] != "en":
            assert all(s["translation"] != s["source"] for s in article["segments"])  # a model ran on each
    for heading in ("_French (fr)_", "_German (de)_", "_English (en)_"):
        assert heading in markdown
    assert "translation from German (de): engine=transformers" in markdown


def test_a_language_without_a_model_is_skipped_in_one_line_naming_the_registry_key(mixed_runs):
    _, _, [(output, data, markdown), _] = mixed_runs
    [skipped] = data["skipped"]
    assert skipped["path"].endswith("hu.txt")
    reason = skipped["reason"]
    assert reason.startswith("written in Hungarian (hu), 100% of its text;")
    assert "[languages.hu]" in reason and "--languages hu" in reason  # the registry key, or the fallback
    line = next(line for line in output.splitlines() if "hu.txt" in line)
    assert line.startswith("skipped") and "[languages.hu]" in " ".join(output.split())
    assert "hu.txt" in markdown.split("## Skipped", 1)[1]


def test_cache_keys_differ_per_model_and_a_second_run_is_all_hits(mixed_runs):
    _, cache_dir, [(_, first, _), (_, second, _)] = mixed_runs
    assert first["run"]["cache"]["misses"] > 0
    assert second["run"]["cache"]["misses"] == 0 and second["run"]["cache"]["hits"] > 0
    assert [a["segments"] for a in second["articles"]] == [a["segments"] for a in first["articles"]]
    with sqlite3.connect(cache_dir / DB_NAME) as db:
        signatures = [row[0] for row in db.execute("SELECT DISTINCT signature FROM results WHERE stage = 'translate'")]
    assert len(signatures) == 2  # one per model
    assert {next(f for f in ("opus-mt-fr-en", "opus-mt-de-en") if f in s) for s in signatures} == {"opus-mt-fr-en", "opus-mt-de-en"}


def test_the_same_sentence_has_a_different_key_under_each_model(tiny_marian_dir, tiny_german_marian_dir):
    options = Options(backend="transformers", translation_model=f"fr={tiny_marian_dir},de={tiny_german_marian_dir}")
    router = routed_translator(options, lambda choice: _transformers(choice, options), "transformers")
    french, german = (stage_signature(router.for_language(code)) for code in ("fr", "de"))
    assert french.key("Die Regierung.") != german.key("Die Regierung.")


def _transformers(choice, options):
    from summarize.backends.transformers import TransformersTranslator

    return TransformersTranslator(choice, options)


# ---- routing --------------------------------------------------------------------------------------------


class Built:
    """A build function that records which models it built."""

    def __init__(self):
        self.specs: list[str] = []

    def __call__(self, choice):
        self.specs.append(choice.spec)
        translator = StubTranslator()
        translator.spec = choice.spec
        return translator


def router(options: Options) -> tuple[TranslationRouter, Built]:
    built = Built()
    return routed_translator(options, built, "stub"), built


def test_translators_are_built_only_for_the_languages_asked_and_once_per_model():
    routes, built = router(Options(backend="stub", translation_model="es=my/iberian,pt=my/iberian", languages="fr,es,pt"))
    assert built.specs == []  # nothing is located or built up front
    assert routes.for_language("es") is routes.for_language("pt")  # one model for two languages: built once
    assert routes.for_language("fr").spec == "Helsinki-NLP/opus-mt-fr-en"
    assert built.specs == ["my/iberian", "Helsinki-NLP/opus-mt-fr-en"]


@pytest.mark.parametrize(
    "languages, language, model",
    [
        (None, "de", "Helsinki-NLP/opus-mt-de-en"),  # its own model
        (None, "ru", "Helsinki-NLP/opus-mt-ru-en"),
        ("fr,hu", "hu", "Helsinki-NLP/opus-mt-mul-en"),  # named in --languages: the fallback
        ("*", "tr", "Helsinki-NLP/opus-mt-mul-en"),  # every language the fallback reads
        ("*", "de", "Helsinki-NLP/opus-mt-de-en"),  # an own model still beats the fallback
    ],
)
def test_each_language_goes_to_its_own_model_else_to_the_accepted_fallback(languages, language, model):
    routes, _ = router(Options(backend="stub", languages=languages))
    assert routes.for_language(language).spec == model


@pytest.mark.parametrize(
    "languages, language, advice",
    [
        (None, "hu", "pass --languages hu to translate it with the many-to-English fallback Helsinki-NLP/opus-mt-mul-en"),
        (None, "hu", "or add [languages.hu] with translation"),
        ("fr", "de", "pass --languages fr,de to translate it with Helsinki-NLP/opus-mt-de-en"),
        (None, "xx", "no translation model for it is configured; add [languages.xx]"),
    ],
)
def test_a_language_not_translated_is_refused_with_what_to_do(languages, language, advice):
    routes, _ = router(Options(backend="stub", languages=languages))
    assert routes.route(language) is None
    assert advice in routes.advice(language)
    with pytest.raises(BackendError, match=r"no translation model for .* in this run"):
        routes.for_language(language)


def test_english_is_never_routed_to_a_model():
    routes, _ = router(Options(backend="stub", languages="*"))
    assert routes.route("en") is None and "en" not in routes.source_languages


def test_a_model_that_reads_any_language_takes_every_language():
    """An instruct LLM (or any translator declaring "*") given as --translation-model translates everything."""

    def build(choice):
        translator = StubTranslator()
        translator.spec = choice.spec
        return translator  # StubTranslator declares source_languages = ("*",)

    routes = routed_translator(Options(backend="stub", translation_model="some/instruct-llm"), build, "stub")
    assert routes.source_languages == ("*",)
    assert {routes.for_language(code).spec for code in ("fr", "de", "tr", "zh")} == {"some/instruct-llm"}


def test_a_checkpoint_the_registry_does_not_know_is_routed_by_its_own_tokenizer(tiny_german_marian_dir):
    options = Options(backend="transformers", translation_model=str(tiny_german_marian_dir))
    routes = routed_translator(options, lambda choice: _transformers(choice, options), "transformers")
    assert routes.for_language("de").model_dir == tiny_german_marian_dir.resolve()  # its tokenizer says source_lang "de"
    assert routes.for_language("fr").choice.spec == "Helsinki-NLP/opus-mt-fr-en"  # French keeps its own model


@pytest.mark.parametrize(
    "translation_model, languages, expected",
    [
        (None, None, ["fr", "de", "es", "it", "nl", "pl", "cs", "ru", "uk", "fallback"]),
        ("fr=a/fr,de=a/fr", None, ["fr,de", "es", "it", "nl", "pl", "cs", "ru", "uk", "fallback"]),
        ("some/model", None, ["?", "fr", "de", "es", "it", "nl", "pl", "cs", "ru", "uk", "fallback"]),
    ],
)
def test_routes_come_in_priority_order_and_share_models(translation_model, languages, expected):
    routes = translation_routes(Options(translation_model=translation_model, languages=languages))
    assert ["fallback" if r.fallback else ",".join(r.languages) if r.languages else "?" for r in routes] == expected


@pytest.mark.parametrize(
    "targets, expected",
    [
        (["default"], ["Helsinki-NLP/opus-mt-fr-en", "sshleifer/distilbart-cnn-12-6"]),  # a preset: French and its summariser
        (["de", "ru"], ["Helsinki-NLP/opus-mt-de-en", "Helsinki-NLP/opus-mt-ru-en"]),  # a language: its own model
        (["quality", "de"], ["Helsinki-NLP/opus-mt-tc-big-fr-en", "facebook/bart-large-cnn", "Helsinki-NLP/opus-mt-de-en"]),
    ],
)
def test_models_pull_takes_presets_and_languages(targets, expected):
    assert [model for model, _, _ in models_for_targets(targets, load_registry())] == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, {}),
        ("Helsinki-NLP/opus-mt-fr-en", {"*": "Helsinki-NLP/opus-mt-fr-en"}),
        ("fr=a/b,de=/models/de-en", {"fr": "a/b", "de": "/models/de-en"}),
        (" fr = a/b ", {"fr": "a/b"}),
    ],
)
def test_translation_model_takes_one_model_or_per_language_ones(value, expected):
    assert translation_overrides(value) == expected


@pytest.mark.parametrize(
    "value, expected", [("fr,de", ("de", "fr")), (" DE , fr,", ("de", "fr")), ("*", ("*",)), ("fr,*", ("*",)), (None, None)]
)
def test_languages_option_is_normalised(value, expected):
    assert parse_languages(value) == expected


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"languages": "french"}, "--languages 'french': not a language code: french"),
        ({"languages": ","}, "no language given"),
        ({"translation_model": "french=a/b"}, "'french=a/b' is not LANG=MODEL"),
        ({"translation_model": "fr="}, "is not LANG=MODEL"),
    ],
)
def test_bad_language_settings_fail_when_the_options_are_built(settings, message):
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("*", r"\*")):
        Options(**settings)


# ---- identification before cleaning ------------------------------------------------------------------------


def ingested(text: str) -> IngestedArticle:
    return IngestedArticle(id="a", path="c/a.txt", sha256="0" * 64, text=text, encoding="utf-8")


@pytest.mark.parametrize(
    "text, language",
    [
        # boilerplate around the body, some of it English, as pages keep it: the body decides
        ("Accepter les cookies\nWe use cookies to improve your experience.\nPartager sur Facebook\n" + FRENCH
         + "Lire la suite »\nArticles similaires\n", "fr"),
        ("Cookie-Einstellungen\nShare this article\n" + GERMAN + "Weiterlesen\nDas könnte Sie auch interessieren\n", "de"),
        (HUNGARIAN + "Read more\nShare\n", "hu"),
    ],
)
def test_language_is_identified_on_the_raw_text_before_cleaning(text, language):
    verdict = identify(ingested(text), StubTranslator(), Cache(None))
    assert verdict.language == language and verdict.action == "translate"


@pytest.mark.parametrize(
    "shares, sources, action, language",
    [
        ({"de": 0.9, "en": 0.1}, ("*",), "translate", "de"),
        ({"en": 0.7, "fr": 0.3}, ("fr", "de"), "translate", "fr"),  # a French article quoting English at length
        ({"en": 0.9, "de": 0.1}, ("*",), "passthrough", "en"),
        ({"hu": 1.0}, ("fr", "de"), "skip", "hu"),
        ({}, ("de", "fr"), "translate", "fr"),  # too little text to tell: French where it is read
        ({}, ("de",), "translate", "de"),
    ],
)
def test_decide_table(shares, sources, action, language):
    verdict = decide(shares, sources)
    assert (verdict.action, verdict.language) == (action, language)


# ---- segmentation per language -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, paragraph, sentences",
    [
        # German ordinals and abbreviations are no sentence ends
        ("de", "Das Festival findet vom 16. bis zum 20. November in Prag statt. Es kommen viele Chöre.",
         ["Das Festival findet vom 16. bis zum 20. November in Prag statt.", "Es kommen viele Chöre."]),
        # a closing quotation mark goes back to the sentence it closes
        ("de", 'Er sagte: "Zuerst müsst ihr die Regeln kennen." "Erst dann dürft ihr sie brechen", sagte Jakub.',
         ['Er sagte: "Zuerst müsst ihr die Regeln kennen."', '"Erst dann dürft ihr sie brechen", sagte Jakub.']),
        # in German » opens a quotation: it starts a sentence and is not glued to the one before
        ("de", "Die Ministerin schwieg. »Wir werden sehen«, sagte sie später.",
         ["Die Ministerin schwieg.", "»Wir werden sehen«, sagte sie später."]),
        # in French » closes one
        ("fr", "« Nous ne céderons pas. » Puis il est parti.", ["« Nous ne céderons pas. »", "Puis il est parti."]),
        ("ru", "«Мы не уступим». Затем он ушёл. В. Путин промолчал.",
         ["«Мы не уступим».", "Затем он ушёл.", "В. Путин промолчал."]),
        ("es", "El Dr. García llegó a las 10. La inflación fue del 3,5 % en 2011.",
         ["El Dr. García llegó a las 10.", "La inflación fue del 3,5 % en 2011."]),
        # Czech has no pysbd rules of its own: Slovak's
        ("cs", "Parlament odmítl návrh. Tymošenková zůstane ve vězení.", ["Parlament odmítl návrh.", "Tymošenková zůstane ve vězení."]),
        # French month abbreviations glue only in French
        ("fr", "La réunion a eu lieu le 3 janv. à Paris.", ["La réunion a eu lieu le 3 janv. à Paris."]),
    ],
)
def test_sentences_are_split_with_each_languages_rules(language, paragraph, sentences):
    assert split_sentences(paragraph, language) == sentences


def test_the_router_signature_names_routes_and_settings_without_locating_a_model():
    routes, built = router(Options(backend="stub", languages="fr,de"))
    signature = routes.signature()
    assert isinstance(signature, Signature) and "languages:de,fr" in signature and "beams:4" in signature
    assert built.specs == []
    other, _ = router(Options(backend="stub", languages="fr"))
    assert other.signature() != signature
