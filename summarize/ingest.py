"""Ingest stage: find a cluster's article files, read bytes, decode, extract the text, normalise.

Whatever people save from the web arrives here, so every file ends as an article or as a
one-line reason (a Problem), never as a crash:

- listing: hidden files, editor backups, other suffixes, non-regular files and symlinks that
  lead outside ROOT (the cluster folder's parent) are skipped with a reason;
- bytes: empty files, oversized files and binary data (known signatures, NUL bytes, bytes no
  text encoding fits) are skipped;
- decoding: a BOM wins; then UTF-8 (a few invalid sequences in otherwise UTF-8 text are read as
  cp1252, the usual mix-up, and noted); then the legacy encoding charset-normalizer detects;
  mojibake ("Ã©") is repaired with ftfy and noted;
- format: HTML (by suffix or by content) goes through trafilatura's main-text extraction
  instead of being translated as markup; Markdown is stripped to text;
- size: text beyond MAX_ARTICLE_CHARS is cut at a paragraph end, with a note;
- duplicates: an article whose text is (nearly) contained in another one is processed once.

Text is NFC-normalised with LF line endings; the sha256 is over the raw bytes.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from summarize.text import fingerprint
from summarize.errors import IngestError
from summarize.records import IngestedArticle, Problem
from summarize.signature import Signature, versions

ARTICLE_FORMATS = {
    ".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown",
}
ARTICLE_SUFFIXES = tuple(ARTICLE_FORMATS)
# Bump when reading, decoding, extraction or de-duplication here changes the text that comes out.
INGEST_VERSION = 1
# Far above any news article (a long feature is ~30,000 characters). Larger inputs would only make
# every later stage slow (sentence splitting and de-duplication grow faster than linearly).
MAX_FILE_BYTES = 20_000_000
MAX_ARTICLE_CHARS = 100_000
# Share of an article's 5-word shingles found in another article above which it is a copy.
NEAR_DUPLICATE = 0.8
# A later copy replaces an earlier one cut short: one that holds CUT_SHORT of it and LONGER times its shingles.
CUT_SHORT = 0.95
LONGER = 1.1

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.odt/.epub)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7fELF", "a program (ELF)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_ESCAPED_BYTES = re.compile(r"[\udc80-\udcff]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f\udc80-\udcff]")
_HTML_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAG = re.compile(r"</?(?:p|div|span|a|br|li|ul|h[1-6]|article|section|table|td|img|meta|script)\b[^>]*>", re.I)
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_BACKUP = re.compile(r"(?:~|\.bak|\.swp|\.tmp|\.orig)$|^#.*#$", re.I)


@dataclass(frozen=True)
class IngestResult:
    articles: tuple[IngestedArticle, ...]
    problems: tuple[Problem, ...]  # files skipped, with the reason
    warnings: tuple[Problem, ...] = ()  # files used, with a note (repaired, truncated, duplicate ...)


def is_article_file(path: Path) -> bool:
    """Article files: known suffixes, not hidden, not editor backups, regular files."""
    return _skip_reason(path) is None and path.is_file()


def list_article_files(cluster_dir: Path) -> list[Path]:
    """Article files directly inside `cluster_dir`, in a stable (sorted by name) order."""
    return [p for p in sorted(cluster_dir.iterdir(), key=lambda p: p.name) if is_article_file(p)]


def _skip_reason(path: Path) -> str | None:
    """Why a folder entry is not an article file, judged by its name; None if it may be one."""
    name = path.name
    if name.startswith("."):
        return "hidden file; ignored"
    if _BACKUP.search(name):
        return "editor backup or temporary file; ignored"
    if path.suffix.lower() not in ARTICLE_FORMATS:
        return f"not an article file (articles are {', '.join(ARTICLE_SUFFIXES)}); ignored"
    return None


def printable(name: str) -> str:
    """A file name as text that can be printed and written as UTF-8, even if its bytes are not UTF-8."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def display_path(path: Path, root: Path) -> str:
    """`path` relative to `root` (as written, not resolved), printable."""
    return printable(path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path))


def _entry_problem(path: Path, root: Path, cluster_dir: Path) -> str | None:
    """Why a folder entry is skipped; None for article files and (silently ignored) sub-folders."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "broken symbolic link; ignored"
        if not any(target.is_relative_to(p.resolve()) for p in (root, cluster_dir)):
            return f"symbolic link to {printable(str(target))}, outside {printable(str(root))}; not followed"
    if path.is_dir():
        return None
    reason = _skip_reason(path)
    if reason is None and not path.is_file():
        return "not a regular file (device, pipe or socket); ignored"
    return reason


def binary_kind(raw: bytes) -> str | None:
    """Which known binary format the bytes start with, if any."""
    return next((kind for signature, kind in _SIGNATURES if raw.startswith(signature)), None)


def decode(raw: bytes) -> tuple[str, str, list[str]]:
    """Bytes to text, the encoding used and notes on what had to be repaired; IngestError if not text."""
    kind = binary_kind(raw)
    if kind:
        raise IngestError(f"binary file ({kind}), not text; save the article as text or HTML")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _plausible(raw.decode(encoding, errors="replace")), encoding, []
    notes: list[str] = []
    nuls = raw.count(0)
    if nuls:
        utf16 = _utf16_without_bom(raw, nuls)
        if utf16:
            return _plausible(raw.decode(utf16, errors="replace")), utf16, []
        if nuls > len(raw) // 100:
            raise IngestError(f"binary data ({nuls} NUL bytes), not text; save the article as text or HTML")
        raw = raw.replace(b"\x00", b"")
        notes.append(f"removed {nuls} NUL byte{'s' * (nuls > 1)} from the text")
    text = raw.decode("utf-8", errors="surrogateescape")
    invalid = len(_ESCAPED_BYTES.findall(text))
    if not invalid:
        return _plausible(text), "utf-8", notes
    if len(_NON_ASCII.findall(text)) >= invalid:
        # Mostly UTF-8 with a few stray bytes: usually a cp1252 fragment pasted into UTF-8 text.
        text = _ESCAPED_BYTES.sub(lambda m: bytes(ord(c) - 0xDC00 for c in m.group()).decode("cp1252", "replace"), text)
        notes.append(f"{invalid} invalid UTF-8 byte sequence{'s' * (invalid > 1)} read as cp1252")
        return _plausible(text), "utf-8", notes
    text, encoding = _decode_legacy(raw)
    notes.append(f"not UTF-8; decoded as {encoding}")
    return _plausible(text), encoding, notes


def _decode_legacy(raw: bytes) -> tuple[str, str]:
    """Text in a single-byte legacy encoding. Text whose letters are mostly ASCII, with some accented
    ones, is Western European, and cp1252 (a superset of latin-1's letters) is what French web text uses;
    charset-normalizer, which may pick a Baltic or Greek code page for short French texts, decides
    only for text whose letters are mostly non-ASCII (Cyrillic, Greek, Arabic ...)."""
    high = len(raw.translate(None, bytes(range(128))))
    ascii_letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    if high <= ascii_letters:
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise IngestError("binary data: no text encoding fits its bytes; save the article as text or HTML")
    return str(best), best.encoding


def _utf16_without_bom(raw: bytes, nuls: int) -> str | None:
    """UTF-16 text without a BOM: Latin text has a NUL in every other byte, all on one side."""
    if len(raw) % 2 or nuls < len(raw) // 4:
        return None
    if raw[1::2].count(0) == nuls:
        return "utf-16-le"
    if raw[0::2].count(0) == nuls:
        return "utf-16-be"
    return None


def _plausible(text: str) -> str:
    """`text`, unless control codes or undecodable characters show it is binary data after all."""
    bad = len(_NOT_TEXT.findall(text))
    if bad > max(3, len(text) // 50):
        raise IngestError(
            f"binary data ({bad} of {len(text)} characters are control codes or undecodable), not text; "
            "save the article as text or HTML"
        )
    return text


def looks_like_html(text: str) -> bool:
    """An HTML document or a fragment with several tags (web pages saved as .txt)."""
    return bool(_HTML_START.match(text)) or len(_HTML_TAG.findall(text, 0, 20_000)) >= 5


def html_to_text(html: str) -> str:
    """The article's title and main text, without navigation, ads, scripts or comments (trafilatura)."""
    from trafilatura import bare_extraction, baseline

    doc = bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    body = (doc.text if doc is not None else None) or baseline(html)[1]
    title = doc.title if doc is not None and doc.title else ""
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}"
    return body


_MARKDOWN_RULES = tuple(
    (re.compile(pattern, re.M), replacement)
    for pattern, replacement in (
        (r"\A---\n[\s\S]*?\n---[ \t]*$", ""),  # YAML front matter
        (r"^ {0,3}(```|~~~)[\s\S]*?^ {0,3}\1[^\n]*$", ""),  # fenced code blocks
        (r"^ {0,3}#{1,6}[ \t]+(.*?)[ #]*$", r"\n\1\n"),  # ATX headings: a paragraph of their own
        (r"^ {0,3}(?:=+|-+)[ \t]*$", ""),  # setext underlines and rules
        (r"^ {0,3}(?:[-*_][ \t]*){3,}$", ""),  # horizontal rules
        (r"^ {0,3}\[[^\]]+\]:[ \t]*\S+.*$", ""),  # reference link definitions
        (r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*$", ""),  # table separator rows
        (r"^ {0,3}(?:>[ \t]?)+", ""),  # block quotes
        (r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+", "\n"),  # list items: a paragraph each
        (r"!\[[^\]]*\]\([^)]*\)", ""),  # images
        (r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])", r"\1"),  # links keep their text
        (r"<https?://[^>]+>", ""),  # autolinks
        (r"</?[A-Za-z][^>]*>", ""),  # inline HTML
        (r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])", r"\2"),  # emphasis
        (r"`+([^`\n]+)`+", r"\1"),  # inline code
        (r"^[ \t]*\|(.*)\|[ \t]*$", lambda m: "\n" + " ; ".join(c.strip() for c in m.group(1).split("|"))),  # table rows
        (r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1"),  # backslash escapes
    )
)


def markdown_to_text(markdown: str) -> str:
    """Markdown stripped to plain paragraphs: markup out, link and emphasis text kept, one line per paragraph."""
    text = markdown
    for pattern, replacement in _MARKDOWN_RULES:
        text = pattern.sub(replacement, text)
    blocks = re.split(r"\n\s*\n", text)
    return "\n\n".join(" ".join(block.split()) for block in blocks if block.strip())


def normalise(text: str) -> str:
    """NFC, LF line endings, no stray control or zero-width characters, no-break spaces as spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\ufeff", "").replace("\u200b", "")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)
    return unicodedata.normalize("NFC", text)


def _repair_mojibake(text: str) -> tuple[str, list[str]]:
    """Undo UTF-8 read as cp1252/latin-1 ("Ã©" -> "é") where ftfy is sure; a note says so."""
    import ftfy

    fixed = ftfy.fix_encoding(text)
    if fixed == text:
        return text, []
    example = next((old for old, new in zip(text.split(), fixed.split()) if old != new), "")
    return fixed, [f"repaired mojibake (text encoded twice, e.g. {example[:30]!r})"]


def _cap(text: str) -> tuple[str, list[str]]:
    """At most MAX_ARTICLE_CHARS characters, cut at a paragraph end (else a space)."""
    if len(text) <= MAX_ARTICLE_CHARS:
        return text, []
    cut = text.rfind("\n", 0, MAX_ARTICLE_CHARS)
    if cut < MAX_ARTICLE_CHARS // 2:
        cut = text.rfind(" ", 0, MAX_ARTICLE_CHARS)
    cut = cut if cut > 0 else MAX_ARTICLE_CHARS
    return text[:cut].rstrip(), [f"very long text ({len(text):,} characters); only the first {cut:,} are used"]


def read_article(path: Path, root: Path) -> tuple[IngestedArticle, list[str]]:
    """Read one article file and the notes on what was repaired; IngestError with a one-line reason."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(f"too large for an article ({size / 1e6:.0f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB)")
        raw = path.read_bytes()
    except OSError as err:
        raise IngestError(f"cannot read file ({err.strerror or err}); check its permissions") from err
    if not raw:
        raise IngestError("empty file (0 bytes)")
    text, encoding, notes = decode(raw)
    fmt = ARTICLE_FORMATS.get(path.suffix.lower(), "text")
    if fmt == "markdown":
        text = markdown_to_text(text)
    elif (fmt == "html" and "<" in text) or (fmt == "text" and looks_like_html(text)):
        fmt = "html"
        text = html_to_text(text)
    text, capped = _cap(text)
    text, repaired = _repair_mojibake(text)
    text = normalise(text)
    if not text.strip():
        raise IngestError("HTML page with no article text" if fmt == "html" else "no text (only whitespace)")
    article = IngestedArticle(
        id=printable(path.stem),
        path=display_path(path, root),
        sha256=hashlib.sha256(raw).hexdigest(),
        text=text,
        encoding=encoding,
        fmt=fmt,
    )
    return article, notes + repaired + capped


def _shingles(text: str) -> set[str]:
    words = fingerprint(text).split()
    return {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


def drop_duplicates(articles: list[IngestedArticle]) -> tuple[list[IngestedArticle], list[Problem]]:
    """Each text once: of two copies (identical, or one nearly contained in the other) the first is
    kept, unless the later one is clearly longer (the first was cut short)."""
    kept: list[tuple[IngestedArticle, set[str]]] = []
    notes: list[Problem] = []
    for article in articles:
        shingles = _shingles(article.text)
        for index, (other, other_shingles) in enumerate(kept):
            shared = len(shingles & other_shingles) / max(1, min(len(shingles), len(other_shingles)))
            if shared < NEAR_DUPLICATE:
                continue
            cut_short = shared >= CUT_SHORT and len(shingles) > LONGER * len(other_shingles)
            dropped, keep = (other, article) if cut_short else (article, other)
            how = "same text as" if shingles == other_shingles else f"near-duplicate ({shared:.0%} shared) of"
            notes.append(Problem(dropped.path, f"{how} {keep.path}; processed once, as {keep.path}"))
            if keep is article:
                kept[index] = (article, shingles)
            break
        else:
            kept.append((article, shingles))
    return [article for article, _ in kept], notes


def ingest_cluster(cluster_dir: Path, root: Path | None = None) -> IngestResult:
    """Read every article of a cluster; files that cannot be used become Problems, not crashes.

    `root` (default: the cluster folder's parent) is what paths are shown relative to and the
    only place symbolic links may lead to.
    """
    root = root or cluster_dir.parent
    articles: list[IngestedArticle] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    try:
        entries = sorted(cluster_dir.iterdir(), key=lambda p: p.name)
    except OSError as err:
        problem = Problem(display_path(cluster_dir, root), f"cannot list the folder ({err.strerror or err})")
        return IngestResult((), (problem,))
    for path in entries:
        shown = display_path(path, root)
        reason = _entry_problem(path, root, cluster_dir)
        if reason:
            problems.append(Problem(shown, reason))
        elif not path.is_dir():
            try:
                article, notes = read_article(path, root)
            except IngestError as err:
                problems.append(Problem(shown, str(err)))
                continue
            articles.append(article)
            warnings.extend(Problem(shown, note) for note in notes)
    stems = Counter(article.id for article in articles)  # "a.txt" and "a.html": ids by full name
    articles = [replace(a, id=printable(Path(a.path).name)) if stems[a.id] > 1 else a for a in articles]
    articles, duplicates = drop_duplicates(articles)
    return IngestResult(tuple(articles), tuple(problems), tuple(warnings + duplicates))


def signature() -> Signature:
    """What turns article files into text: this stage's rules and the libraries that decode, extract and repair."""
    return Signature(versions("charset-normalizer", "ftfy", "trafilatura", "justext", "lxml", "lxml_html_clean"), v=INGEST_VERSION)
