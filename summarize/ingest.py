"""Ingest stage: find a cluster's article files, read bytes, decode, normalise.

Decoding order: a BOM (UTF-8/UTF-16/UTF-32) wins; then strict UTF-8; then the legacy encoding
charset-normalizer detects (cp1252 and latin-1 are the usual suspects for French web text).
Text is NFC-normalised with LF line endings; the sha256 is over the raw bytes, so it identifies
the file exactly.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from summarize.records import IngestedArticle, Problem

ARTICLE_SUFFIXES = (".txt",)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class IngestError(ValueError):
    """An article file cannot be read as text; the message says why and what to do."""


@dataclass(frozen=True)
class IngestResult:
    articles: tuple[IngestedArticle, ...]
    problems: tuple[Problem, ...]


def is_article_file(path: Path) -> bool:
    """Article files: known suffixes, not hidden, not editor backups."""
    name = path.name
    return (
        path.suffix.lower() in ARTICLE_SUFFIXES
        and not name.startswith(".")
        and not name.endswith("~")
        and path.is_file()
    )


def list_article_files(cluster_dir: Path) -> list[Path]:
    """Article files directly inside `cluster_dir`, in a stable (sorted by name) order."""
    return sorted((p for p in cluster_dir.iterdir() if is_article_file(p)), key=lambda p: p.name)


def decode(raw: bytes) -> tuple[str, str]:
    """Bytes to str and the name of the encoding used."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    encoding = best.encoding if best is not None else "cp1252"
    return raw.decode(encoding, errors="replace"), encoding


def normalise(text: str) -> str:
    """NFC, LF line endings, no stray NUL or zero-width characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\ufeff", "").replace("\u200b", "")
    return unicodedata.normalize("NFC", text)


def read_article(path: Path, root: Path) -> IngestedArticle:
    """Read one article file; raises IngestError with a one-line reason."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise IngestError(f"cannot read file ({err.strerror}); check its permissions") from err
    text, encoding = decode(raw)
    return IngestedArticle(
        id=path.stem,
        path=path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        text=normalise(text),
        encoding=encoding,
    )


def ingest_cluster(cluster_dir: Path) -> IngestResult:
    """Read every article of a cluster; files that cannot be read become Problems, not crashes."""
    root = cluster_dir.parent
    articles: list[IngestedArticle] = []
    problems: list[Problem] = []
    for path in list_article_files(cluster_dir):
        try:
            articles.append(read_article(path, root))
        except IngestError as err:
            problems.append(Problem(path.relative_to(root).as_posix(), str(err)))
    return IngestResult(tuple(articles), tuple(problems))
