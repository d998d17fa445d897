"""Ingest: decoding real-world bytes, spotting binary data, extracting HTML/Markdown text, listing a
cluster folder and de-duplicating its articles (issue 6, unit level; end to end in test_bad_input)."""

from __future__ import annotations

import codecs
import os
import random
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from summarize.ingest import (
    MAX_ARTICLE_CHARS,
    IngestError,
    decode,
    drop_duplicates,
    ingest_cluster,
    looks_like_html,
    markdown_to_text,
    normalise,
    read_article,
)
from summarize.records import IngestedArticle

FR = "L'été à Besançon, le président a déclaré « ça suffit » à 20 h 30 — côté élèves, œuvre noël."


def zip_bytes() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", FR)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "raw, encoding, note",
    [
        (FR.encode("utf-8"), "utf-8", None),
        (codecs.BOM_UTF8 + FR.encode("utf-8"), "utf-8-sig", None),
        (codecs.BOM_UTF16_LE + FR.encode("utf-16-le"), "utf-16", None),
        (codecs.BOM_UTF16_BE + FR.encode("utf-16-be"), "utf-16", None),
        (FR.encode("utf-16-le"), "utf-16-le", None),  # no BOM: found from where the NUL bytes are
        (((FR + " ") * 5).encode("cp1252"), "cp1252", "decoded as cp1252"),
        (((FR + " ") * 5).replace("œ", "oe").replace("—", "-").encode("latin-1"), "cp1252", "decoded as cp1252"),
        (((FR + " ") * 3).encode("utf-8") + "élève".encode("cp1252"), "utf-8", "2 invalid UTF-8 byte sequences"),
        (FR.encode("utf-8").replace(b"a ", b"a \x00", 1), "utf-8", "removed 1 NUL byte"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-no-bom", "cp1252", "latin1", "invalid-utf8", "nul"],
)
def test_decode_real_world_encodings(raw, encoding, note):
    text, used, notes = decode(raw)
    assert used == encoding
    assert "été à Besançon" in text and ("élève" in text or "élève".encode("cp1252") not in raw)
    assert "\x00" not in text and "\ufffd" not in text
    assert (note is None and not notes) or any(note in n for n in notes), notes


@pytest.mark.parametrize(
    "raw, kind",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "PDF document"),
        (zip_bytes(), "ZIP archive"),
        (b"\x1f\x8b\x08\x00" + bytes(50), "gzip"),
        (random.Random(6).randbytes(4000), "binary data"),
        (FR.encode("utf-8") + bytes(300), "NUL bytes"),
    ],
    ids=["png", "pdf", "zip", "gzip", "random", "many-nuls"],
)
def test_binary_files_are_refused_with_a_reason(raw, kind):
    with pytest.raises(IngestError, match=kind) as err:
        decode(raw)
    assert "\n" not in str(err.value) and "save the article as text" in str(err.value)


def test_mixed_line_endings_and_invisible_characters_normalised():
    assert normalise("un\r\ndeux\rtrois\nquatre\u2028cinq\u00a0six\u200b\ufeff\x0c") == "un\ndeux\ntrois\nquatre\ncinq six "
    assert normalise("e\u0301te\u0301") == "été"  # NFC


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / "c" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_mojibake_repaired_and_noted(tmp_path):
    broken = FR.encode("utf-8").decode("cp1252", errors="replace")  # "Ã©tÃ©": UTF-8 read as cp1252
    article, notes = read_article(write(tmp_path, "a.txt", broken), tmp_path)
    assert "été à Besançon" in article.text and "Ã" not in article.text
    assert any("repaired mojibake" in n for n in notes)


@pytest.mark.parametrize(
    "name, data",
    [
        ("empty.txt", b""),
        ("blank.txt", b" \n\t\r\n  \n"),
        ("page.html", b"<html><body><script>var x = 1;</script></body></html>"),
        ("huge.txt", None),
    ],
)
def test_unusable_files_raise_one_line_reasons(tmp_path, monkeypatch, name, data):
    if data is None:
        monkeypatch.setattr("summarize.ingest.MAX_FILE_BYTES", 100)
        data = FR.encode("utf-8") * 2
    with pytest.raises(IngestError) as err:
        read_article(write(tmp_path, name, data), tmp_path)
    assert str(err.value) and "\n" not in str(err.value)


HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Kim Jong Un en Russie - Le Site</title></head>
<body><nav><a href="/">Accueil</a> <a href="/monde">Monde</a> <a href="/abonnement">Abonnez-vous</a></nav>
<article><h1>Kim Jong Un prévoit de rencontrer Poutine</h1>
<p>Le dirigeant nord-coréen prévoit de se rendre en Russie ce mois-ci pour rencontrer Vladimir Poutine.</p>
<p>La porte-parole de la Maison Blanche a prévenu lundi que les négociations avançaient activement.</p>
<p>Selon le <a href="https://nytimes.com">New York Times</a>, il se rendra à Vladivostok en train blindé.</p></article>
<aside>Publicité : abonnez-vous à notre lettre</aside><footer>© Le Site 2023 — mentions légales</footer>
<script>document.write("<p>pas du texte</p>");</script></body></html>"""


@pytest.mark.parametrize("name", ["page.html", "page.htm", "saved-page.txt"])
def test_html_article_text_extracted_not_markup(tmp_path, name):
    article, _ = read_article(write(tmp_path, name, HTML), tmp_path)
    assert article.fmt == "html"
    assert "rencontrer Vladimir Poutine." in article.text and "New York Times, il se rendra" in article.text
    for markup in ("<", "href", "document.write", "Accueil", "mentions légales"):
        assert markup not in article.text


def test_looks_like_html():
    assert looks_like_html("  <!doctype html><p>x</p>") and looks_like_html("<p>a</p><p>b</p><p>c</p><br><div>d</div>")
    assert not looks_like_html("Le signe < et le signe > ne font pas une page web. <3")


MARKDOWN = """---
title: brouillon
---
# Kim Jong Un prévoit de rencontrer *Poutine*

Le dirigeant **nord-coréen** prévoit de se rendre en
[Russie](https://example.org/russie) ce mois-ci.

> « Les négociations avancent », a dit la porte-parole.

- premier point de la liste, avec `code` ;
- second point.

![photo](https://example.org/kim.jpg)

| Année | Obus |
|------:|-----:|
| 2022  | 3 000 |

```python
print("pas du texte")
```
"""


def test_markdown_stripped_to_paragraphs():
    text = markdown_to_text(MARKDOWN)
    assert text.split("\n\n") == [
        "Kim Jong Un prévoit de rencontrer Poutine",
        "Le dirigeant nord-coréen prévoit de se rendre en Russie ce mois-ci.",
        "« Les négociations avancent », a dit la porte-parole.",
        "premier point de la liste, avec code ;",
        "second point.",
        "Année ; Obus",
        "2022 ; 3 000",
    ]


def ingested(id: str, text: str) -> IngestedArticle:
    return IngestedArticle(id=id, path=f"c/{id}.txt", sha256=id, text=text, encoding="utf-8")


def test_duplicates_processed_once_longer_copy_kept():
    body = " ".join(f"Phrase numéro {i} sur le sommet entre les deux dirigeants à Vladivostok." for i in range(30))
    other = " ".join(f"Autre sujet {i} : la récolte de blé en Ukraine progresse cette année." for i in range(30))
    articles = [
        ingested("a", body[:-400]),  # a copy cut short
        ingested("b", other),
        ingested("c", body + " Lire la suite »"),  # the full copy, with a scrap of boilerplate
        ingested("d", other),  # exact copy
    ]
    kept, notes = drop_duplicates(articles)
    assert [a.id for a in kept] == ["c", "b"]
    assert [(n.path, n.message.split(" of ")[0].split(" as ")[0]) for n in notes] == [
        ("c/a.txt", "near-duplicate (100% shared)"),
        ("c/d.txt", "same text"),
    ]
    assert all("processed once" in n.message for n in notes)


def test_listing_skips_hidden_backup_foreign_and_outside_links(tmp_path):
    cluster = tmp_path / "c"
    write(tmp_path, "a.txt", FR)
    write(tmp_path, ".DS_Store", b"\x00\x00\x00\x01Bud1")
    write(tmp_path, "a.txt~", FR)
    write(tmp_path, "photo.jpg", b"\xff\xd8\xff")
    (cluster / "sub").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text(FR, "utf-8")
    (cluster / "outside.txt").symlink_to(outside)
    (cluster / "broken.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "inside.txt").write_text("Un autre article, sur un tout autre sujet, lié ici.", "utf-8")
    (cluster / "inside.txt").symlink_to(tmp_path / "other" / "inside.txt")
    result = ingest_cluster(cluster)
    assert [a.path for a in result.articles] == ["c/a.txt", "c/inside.txt"]
    reasons = {p.path: p.message for p in result.problems}
    assert reasons.keys() == {"c/.DS_Store", "c/a.txt~", "c/photo.jpg", "c/outside.txt", "c/broken.txt"}
    assert "hidden" in reasons["c/.DS_Store"] and "backup" in reasons["c/a.txt~"]
    assert "not followed" in reasons["c/outside.txt"] and "broken" in reasons["c/broken.txt"]
    assert "not an article file" in reasons["c/photo.jpg"]
    outside.unlink()


@pytest.mark.skipif(os.name != "posix", reason="file names as raw bytes are a POSIX thing")
def test_file_name_that_is_not_utf8_is_shown_escaped(tmp_path):
    (tmp_path / "c").mkdir()
    name = os.fsdecode(b"caf\xe9.txt")
    (tmp_path / "c" / name).write_text(FR, "utf-8")
    [article] = ingest_cluster(tmp_path / "c").articles
    assert article.path == "c/caf\\xe9.txt" and article.id == "caf\\xe9"
    article.path.encode("utf-8")


def test_very_long_text_cut_at_a_paragraph_end(tmp_path):
    paragraph = "Le sommet a eu lieu à Vladivostok, selon plusieurs sources concordantes. " * 10
    article, notes = read_article(write(tmp_path, "long.txt", "\n\n".join([paragraph] * 400)), tmp_path)
    assert len(article.text) <= MAX_ARTICLE_CHARS and article.text.endswith("concordantes.")
    assert any("very long text" in n for n in notes)
