"""Issue 6 end to end: bad input never crashes a run or loses work.

Each case puts one bad file beside good French articles and runs the CLI (stub backend): the bad
file gets one clear line naming it (console and cluster.json `skipped`/`warnings`), every good
article is processed normally, and the exit code tells the truth (0 processed, 1 nothing usable
or outputs not written, 2 usage/model error).
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import random
import sqlite3
from pathlib import Path

import pytest
from fakes import UpperTranslator
from typer.testing import CliRunner

from summarize.backends import Backends
from summarize.backends.stub import StubSummarizer
from summarize.cache import DB_NAME, Cache
from summarize.cli import app
from summarize.options import Options
from summarize.pipeline import run_cluster
from summarize.segment import MAX_SENTENCE_CHARS

runner = CliRunner()

GOOD = {
    "kim.txt": """Kim Jong Un prévoit de rencontrer Vladimir Poutine

Le dirigeant nord-coréen prévoit de se rendre en Russie ce mois-ci pour rencontrer le président russe. La visite pourrait inclure un arrêt à Moscou.

La porte-parole de la Maison Blanche a prévenu lundi que les négociations sur les armements avançaient activement. Washington exhorte Pyongyang à y renoncer.
""",
    "ble.txt": """La récolte de blé ukrainien dépasse les prévisions

Les agriculteurs ukrainiens ont récolté plus de blé que prévu cette année, malgré les combats. Les exportations passent désormais par de nouveaux corridors maritimes.

Le ministère de l'Agriculture estime que les stocks suffiront jusqu'au printemps. Les prix mondiaux ont légèrement baissé après cette annonce.
""",
}
ENGLISH = """Kim Jong Un plans to meet Vladimir Putin in Russia

North Korean leader Kim Jong Un plans to travel to Russia this month to meet President Vladimir Putin, the White House said on Monday.

Officials warned that arms negotiations between the two countries were advancing actively and urged Pyongyang to stop them.
"""
SPANISH = """Kim Jong Un planea reunirse con Putin

El líder norcoreano planea viajar a Rusia este mes para reunirse con el presidente Vladimir Putin, según dijo la Casa Blanca el lunes.

Los funcionarios advirtieron que las negociaciones sobre armas entre los dos países avanzaban activamente.
"""
RUSSIAN = """Ким Чен Ын планирует встретиться с Путиным

Лидер Северной Кореи планирует посетить Россию в этом месяце, чтобы встретиться с президентом Владимиром Путиным, заявили в Белом доме.

Чиновники предупредили, что переговоры о поставках оружия между двумя странами активно продвигаются.
"""
HUNGARIAN = """Kim Dzsong Un Oroszországba utazik

Az észak-koreai vezető ebben a hónapban Oroszországba utazik, hogy találkozzon Vlagyimir Putyin elnökkel, közölte hétfőn a Fehér Ház.

A tisztviselők figyelmeztettek, hogy a két ország közötti fegyvertárgyalások aktívan haladnak előre.
"""
FRENCH_QUOTING_ENGLISH = """Le discours du secrétaire d'État à Séoul

Le secrétaire d'État américain a prononcé mardi un long discours devant les étudiants de l'université de Séoul.

« We will not accept any arms deal between Pyongyang and Moscow, and we will hold both governments accountable », a-t-il lancé.

Il a ensuite rappelé que les sanctions internationales interdisent toute vente d'armes par la Corée du Nord, avant de quitter la salle.
"""


def make_cluster(tmp_path: Path, files: dict[str, bytes | str], good: bool = True) -> Path:
    cluster = tmp_path / "fr-99"
    cluster.mkdir(exist_ok=True)
    for name, data in ({**GOOD, **files} if good else files).items():
        (cluster / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return cluster


def run(cluster: Path, tmp_path: Path, *extra: str):
    """Run the CLI; returns (exit code, console output, cluster.json or None)."""
    out = tmp_path / "out"
    cache = [] if "--cache-dir" in extra else ["--no-cache"]
    result = runner.invoke(app, ["run", str(cluster), "--backend", "stub", "--out", str(out), *cache, *extra])
    assert "Traceback" not in result.output
    path = out / cluster.name / "cluster.json"
    return result.exit_code, result.output, json.loads(path.read_text("utf-8")) if path.exists() else None


def notes(data: dict) -> dict[str, str]:
    """file name -> its skip reason or warning."""
    entries = [(e["path"], e["reason"]) for e in data["skipped"]] + [(e["path"], e["message"]) for e in data["warnings"]]
    return {path.split("/")[-1]: message for path, message in entries}


def processed(data: dict) -> set[str]:
    return {a["path"].split("/")[-1] for a in data["articles"]}


def check(tmp_path: Path, files: dict[str, bytes | str], expect_processed: set[str], expect_notes: dict[str, str]):
    """The shared done-criterion: exit 0, good articles processed, each note named in console and json."""
    code, output, data = run(make_cluster(tmp_path, files), tmp_path)
    assert code == 0, output
    assert processed(data) == set(GOOD) | expect_processed
    found = notes(data)
    for name, fragment in expect_notes.items():
        assert fragment in found.get(name, ""), (name, found)
        line = next(line for line in output.splitlines() if name in line and ("skipped" in line or "warning" in line))
        assert fragment in line
    return data


# 1. empty, whitespace-only, boilerplate-only ------------------------------------------------------
def test_empty_blank_and_boilerplate_only_files_skipped(tmp_path):
    check(
        tmp_path,
        {
            "empty.txt": b"",
            "blank.txt": " \n\t\n   \r\n",
            "pub.txt": "Lire la suite »\nSimilar News\nLaisser un commentaire\nPublicité\n",
        },
        set(),
        {"empty.txt": "empty file", "blank.txt": "only whitespace", "pub.txt": "no article text left"},
    )


# 2. binary files named .txt -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF document"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100), "ZIP archive"),
        (random.Random(1).randbytes(5000), "binary data"),
    ],
    ids=["png", "pdf", "zip", "random"],
)
def test_binary_file_named_txt_skipped(tmp_path, raw, reason):
    check(tmp_path, {"bad.txt": raw}, set(), {"bad.txt": reason})


def test_nul_byte_in_text_removed_and_article_kept(tmp_path):
    text = FRENCH_QUOTING_ENGLISH.replace("mardi", "mardi\x00")
    data = check(tmp_path, {"nul.txt": text}, {"nul.txt"}, {"nul.txt": "removed 1 NUL byte"})
    assert "\x00" not in json.dumps(data)


# 3. encodings -------------------------------------------------------------------------------------
ACCENTS = "récolté plus de blé"  # from GOOD["ble.txt"], which the cases below re-encode


@pytest.mark.parametrize(
    "raw, warning",
    [
        (codecs.BOM_UTF8 + GOOD["ble.txt"].encode("utf-8"), None),
        (codecs.BOM_UTF16_LE + GOOD["ble.txt"].encode("utf-16-le"), None),
        (codecs.BOM_UTF16_BE + GOOD["ble.txt"].encode("utf-16-be"), None),
        (GOOD["ble.txt"].encode("cp1252"), "decoded as cp1252"),
        (GOOD["ble.txt"].encode("latin-1"), "decoded as cp1252"),
        (GOOD["ble.txt"].replace("\n\n", "\r\n\r\n", 1).replace("\n", "\r", 2).encode("utf-8"), None),
        (GOOD["ble.txt"].encode("utf-8").replace("maritimes".encode(), "maritimes \xe0 l'\xe9t\xe9".encode("latin-1")),
         "invalid UTF-8 byte sequences read as cp1252"),
        (GOOD["ble.txt"].encode("utf-8").decode("cp1252").encode("utf-8"), "repaired mojibake"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "cp1252", "latin1", "crlf-cr-lf", "invalid-utf8", "mojibake"],
)
def test_encodings_decoded(tmp_path, raw, warning):
    cluster = make_cluster(tmp_path, {"kim.txt": GOOD["kim.txt"], "ble.txt": raw}, good=False)
    code, output, data = run(cluster, tmp_path)
    assert code == 0 and processed(data) == set(GOOD), output
    [article] = [a for a in data["articles"] if a["path"].endswith("ble.txt")]
    assert ACCENTS in article["text"] and "Ã" not in article["text"] and "\r" not in article["text"]
    assert article["text"] == json.loads(json.dumps(article["text"]))
    if warning:
        assert warning in notes(data)["ble.txt"] and warning in output
    else:
        assert not data["warnings"]


# 4. HTML and Markdown -----------------------------------------------------------------------------
HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Séoul : le discours</title>
<style>p { color: red }</style></head><body>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/monde">Monde</a></li></ul></nav>
<article><h1>Le discours du secrétaire d'État à Séoul</h1>
<p>Le secrétaire d'État américain a prononcé mardi un long discours devant les étudiants de l'université de Séoul.</p>
<p>Il a rappelé que les sanctions internationales interdisent toute vente d'armes par la Corée du Nord.</p>
<p>Les étudiants l'ont longuement applaudi avant qu'il ne quitte la salle sous bonne escorte.</p></article>
<footer>© 2023 Le Site — <a href="/cgu">Conditions générales</a></footer>
<script>window.dataLayer = [{"page": "<p>article</p>"}];</script></body></html>"""
MARKDOWN = """# Le discours du secrétaire d'État à Séoul

Le secrétaire d'État **américain** a prononcé mardi un long discours devant les
étudiants de [l'université de Séoul](https://example.org/snu).

> Il a rappelé que les sanctions internationales interdisent toute vente d'armes par la *Corée du Nord*.

![photo](https://example.org/photo.jpg)
"""


@pytest.mark.parametrize("name, text", [("page.html", HTML), ("page.txt", HTML), ("notes.md", MARKDOWN)])
def test_html_and_markdown_give_article_text_not_markup(tmp_path, name, text):
    data = check(tmp_path, {name: text}, {name}, {})
    [article] = [a for a in data["articles"] if a["path"].endswith(name)]
    assert "secrétaire d'État américain a prononcé mardi" in article["text"]
    for markup in ("<", "**", "](", "Accueil", "dataLayer", "color: red", "Conditions générales"):
        assert markup not in article["text"] + article["title"], markup


# 5. languages -------------------------------------------------------------------------------------
def test_english_passed_through_each_language_routed_and_one_without_a_model_skipped(tmp_path):
    files = {"en.txt": ENGLISH, "es.txt": SPANISH, "ru.txt": RUSSIAN, "hu.txt": HUNGARIAN, "quotes.txt": FRENCH_QUOTING_ENGLISH}
    data = check(
        tmp_path, files, {"en.txt", "es.txt", "ru.txt", "quotes.txt"},
        {"en.txt": "passed through untranslated", "hu.txt": "written in Hungarian (hu)"},
    )
    languages = {a["path"].split("/")[-1]: a["language"] for a in data["articles"]}
    assert languages == {"kim.txt": "fr", "ble.txt": "fr", "en.txt": "en", "es.txt": "es", "ru.txt": "ru", "quotes.txt": "fr"}
    # Hungarian has no model of its own: the note says how to get it translated (the fallback, or a registry entry).
    assert "--languages hu" in notes(data)["hu.txt"] and "[languages.hu]" in notes(data)["hu.txt"]
    assert set(data["run"]["models"]["translation"]) == {"es", "fr", "ru"}
    markdown = (tmp_path / "out" / "fr-99" / "cluster.md").read_text("utf-8")
    assert "## Skipped" in markdown and "## Notes" in markdown and "`fr-99/en.txt`: already in English" in markdown
    assert "_Russian (ru)_" in markdown and "_English (en)_" in markdown


def test_languages_limits_what_is_translated(tmp_path):
    cluster = make_cluster(tmp_path, {"en.txt": ENGLISH, "es.txt": SPANISH, "ru.txt": RUSSIAN})
    code, output, data = run(cluster, tmp_path, "--languages", "fr,ru")
    assert code == 0, output
    assert processed(data) == set(GOOD) | {"en.txt", "ru.txt"}  # English always passes through
    assert "written in Spanish (es)" in notes(data)["es.txt"] and "--languages fr,ru,es" in notes(data)["es.txt"]


def pipeline_run(cluster: Path, translator, tmp_path: Path, cache: Cache | None = None):
    return run_cluster(cluster, Options(cache_dir=tmp_path / "c"), Backends(translator, StubSummarizer()), cache or Cache(None))


def test_english_never_reaches_the_translator_and_spanish_does_when_configured(tmp_path):
    cluster = make_cluster(tmp_path, {"en.txt": ENGLISH, "es.txt": SPANISH, "quotes.txt": FRENCH_QUOTING_ENGLISH})
    translator = UpperTranslator(200)
    result = pipeline_run(cluster, translator, tmp_path)
    sent = " ".join(s for call in translator.calls for s in call)
    assert "White House" not in sent and "secrétaire d'État" in sent and "We will not accept" in sent
    english = next(a for a in result.articles if a.article.id == "en")
    assert all(s.translation == s.source for s in english.translated.segments)  # identity segments

    translator.source_languages = ("fr", "es")
    result = pipeline_run(cluster, translator, tmp_path)
    assert "es" in {a.article.id for a in result.articles}
    assert "Casa Blanca" in " ".join(s for call in translator.calls for s in call)


# 6. size and shape ----------------------------------------------------------------------------------
def test_huge_article_and_mega_paragraph_and_odd_lines(tmp_path):
    paragraph = "Le sommet entre les deux dirigeants a eu lieu à Vladivostok selon plusieurs sources. " * 25
    vocabulary = "le la les un une des du de et à en pour avec sans sur sous dans par mais donc car or ni".split()
    vocabulary += "président ministre armée frontière accord négociation sommet train ville port mer".split()
    choose = random.Random(3).choice
    words = [choose(vocabulary) for _ in range(4000)]
    files = {
        "huge.txt": "Un très long document\n\n" + "\n\n".join(paragraph.replace("sources", f"sources {i}") for i in range(1000)),
        "mega.txt": "Un paragraphe sans ponctuation\n\n" + " ".join(words),  # ~20,000 characters, no punctuation
        "odd.txt": "Lignes étranges\n\n" + "\n".join(
            ["★★★★★ ☆☆☆", "https://example.org/a/b?c=d", "🙂🙂🙂🙂 🎉🎉", "| 2021 | 3 000 | 45,2 % |", "2021 3 000 45,2 2022 4 100 47,8",
             "=================================", "Le conflit se poursuit, selon les autorités locales."]
        ),
    }
    assert len(files["huge.txt"]) > 2_000_000 and len(files["mega.txt"]) > 20_000
    data = check(tmp_path, files, {"huge.txt", "mega.txt", "odd.txt"}, {"huge.txt": "very long text"})
    for article in data["articles"]:
        assert all(len(s["source"]) <= MAX_SENTENCE_CHARS for s in article["segments"])
    mega = next(a for a in data["articles"] if a["path"].endswith("mega.txt"))
    assert " ".join(s["source"] for s in mega["segments"]).split() == words


def test_sentence_longer_than_the_model_limit_reaches_it_in_pieces(tmp_path):
    long_sentence = "Le ministre a déclaré " + ", ".join(f"que le point {i} reste à négocier" for i in range(60)) + "."
    cluster = make_cluster(tmp_path, {"long.txt": "Une phrase interminable\n\n" + long_sentence})
    translator = UpperTranslator(40)  # asserts every input fits its 40-token limit
    result = pipeline_run(cluster, translator, tmp_path)
    [article] = [a for a in result.articles if a.article.id == "long"]
    assert " ".join(s.translation for s in article.translated.segments).split() == long_sentence.upper().split()


# 7. duplicates --------------------------------------------------------------------------------------
def test_exact_and_near_duplicates_processed_once(tmp_path):
    near = GOOD["kim.txt"].replace("ce mois-ci", "ce mois") + "\nLire aussi : la Corée du Sud inquiète\n"
    data = check(
        tmp_path, {"x-copy.txt": GOOD["kim.txt"], "y-repost.txt": near}, set(),
        {"x-copy.txt": "same text as fr-99/kim.txt", "y-repost.txt": "near-duplicate (91% shared) of fr-99/kim.txt"},
    )
    assert len(data["articles"]) == 2


# 8. folder contents ---------------------------------------------------------------------------------
def test_folder_without_article_files_is_exit_1(tmp_path):
    cluster = make_cluster(tmp_path, {".DS_Store": b"\x00\x00\x00\x01Bud1", "a.txt~": GOOD["kim.txt"]}, good=False)
    code, output, data = run(cluster, tmp_path)
    assert code == 1 and data is None
    assert "no usable article" in output and ".DS_Store" in output and "a.txt~" in output


def test_hidden_backup_symlinks_and_odd_names(tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere.txt"
    outside.write_text(ENGLISH, "utf-8")
    shared = tmp_path / "shared.txt"  # inside ROOT (the cluster folder's parent): followed
    shared.write_text(FRENCH_QUOTING_ENGLISH, "utf-8")
    cluster = make_cluster(
        tmp_path,
        {".DS_Store": b"\x00\x00\x00\x01Bud1\x00", "kim.txt~": "x", "#kim.txt#": "x", "notes.docx": b"PK\x03\x04",
         "article avec espaces é 🙂.txt": HUNGARIAN.replace("Putyin", "Putyin és Hszi")},
    )
    (cluster / "Élysée 🇫🇷.txt").symlink_to(shared)
    (cluster / "outside.txt").symlink_to(outside)
    (cluster / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    code, output, data = run(cluster, tmp_path)
    outside.unlink()
    assert code == 0, output
    assert processed(data) == set(GOOD) | {"Élysée 🇫🇷.txt"}
    found = notes(data)
    assert "hidden" in found[".DS_Store"] and "backup" in found["kim.txt~"] and "backup" in found["#kim.txt#"]
    assert "not an article file" in found["notes.docx"] and "outside" in found["outside.txt"]
    assert "broken" in found["dangling.txt"] and "Hungarian" in found["article avec espaces é 🙂.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod 000 does not stop root reading (simulated below)")
def test_unreadable_file_skipped_chmod(tmp_path):
    cluster = make_cluster(tmp_path, {"locked.txt": GOOD["kim.txt"].replace("Kim", "Moon")})
    (cluster / "locked.txt").chmod(0)
    check(tmp_path, {}, set(), {"locked.txt": "Permission denied"})


def test_unreadable_file_skipped_simulated(tmp_path, monkeypatch):
    real = Path.read_bytes

    def read_bytes(path):
        if path.name == "locked.txt":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    check(tmp_path, {"locked.txt": "anything"}, set(), {"locked.txt": "cannot read file (Permission denied)"})


# 9. outputs -----------------------------------------------------------------------------------------
def test_output_folder_not_writable_is_exit_1(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    result = runner.invoke(app, ["run", str(make_cluster(tmp_path, {})), "--backend", "stub", "--out", str(blocker), "--no-cache"])
    assert result.exit_code == 1
    assert "cannot write to" in result.output and "--out" in result.output and "Traceback" not in result.output


def test_full_disk_leaves_previous_outputs_intact(tmp_path, monkeypatch):
    cluster = make_cluster(tmp_path, {})
    assert run(cluster, tmp_path)[0] == 0
    target = tmp_path / "out" / cluster.name
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    (cluster / "new.txt").write_text(FRENCH_QUOTING_ENGLISH, "utf-8")
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # cluster.json went fine; the disk fills up on cluster.md
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    code, output, _ = run(cluster, tmp_path)
    assert code == 1 and "No space left on device" in output and "previous outputs were left intact" in output
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before  # no temp files, no half update


# 10. cache ------------------------------------------------------------------------------------------
def test_corrupt_cache_moved_aside_and_rebuilt(tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / DB_NAME).write_bytes(b"this is not an SQLite database" * 100)
    code, output, data = run(make_cluster(tmp_path, {}), tmp_path, "--cache-dir", str(cache_dir))
    assert code == 0 and "moved aside" in output
    assert any("not a database" in w["message"] for w in data["warnings"])
    assert (cache_dir / f"{DB_NAME}.broken-1").read_bytes().startswith(b"this is not")
    again = run(make_cluster(tmp_path, {}), tmp_path, "--cache-dir", str(cache_dir))
    assert again[0] == 0 and again[2]["run"]["cache"]["misses"] == 0 and not again[2]["warnings"]


def test_locked_cache_moved_aside_and_rebuilt(tmp_path):
    cluster = make_cluster(tmp_path, {})
    pipeline_run(cluster, UpperTranslator(200), tmp_path, Cache(tmp_path / "cache"))
    holder = sqlite3.connect(tmp_path / "cache" / DB_NAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process stuck inside a write
    try:
        (cluster / "new.txt").write_text(FRENCH_QUOTING_ENGLISH, "utf-8")
        result = pipeline_run(cluster, UpperTranslator(200), tmp_path, Cache(tmp_path / "cache", timeout=0.1))
    finally:
        holder.close()
    assert len(result.articles) == 3
    assert [w.message for w in result.warnings if "cache" in w.message] == [
        f"cache {tmp_path / 'cache' / DB_NAME} was unusable (database is locked); moved aside to {DB_NAME}.broken-1 and rebuilt"
    ]


# exit codes -----------------------------------------------------------------------------------------
def test_exit_codes_documented_and_usage_errors_are_2(tmp_path):
    help_text = runner.invoke(app, ["run", "--help"]).output
    assert "Exit status: 0" in " ".join(help_text.split())
    assert runner.invoke(app, ["run", str(make_cluster(tmp_path, {})), "--beams", "0"]).exit_code == 2
    assert runner.invoke(app, ["run", str(make_cluster(tmp_path, {})), "--backend", "nope"]).exit_code == 2
