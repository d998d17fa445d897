"""Text keys shared by the stages: accent- and case-insensitive forms of words and texts, where a
sentence ends, and how long a sentence must be to count as a copy of another."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Casefolded, without accents: 'Zéro' -> 'zero'."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fingerprint(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form of a text, for duplicate detection."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.split())


HEADLINE_CHARS = 100
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def headline(summary: str, fallback: str) -> str:
    """A short title for a cluster: its brief's first sentence (else `fallback`), at most HEADLINE_CHARS."""
    text = _SENTENCE_END.split(summary.strip(), maxsplit=1)[0] or fallback
    return text if len(text) <= HEADLINE_CHARS else text[: HEADLINE_CHARS - 1].rstrip() + "…"


# A text ends a sentence: final punctuation, then any closing quotes or brackets, with or without
# (any kind of) space between them: "fini.", "fini. »", "fini !»", "rien . »".
SENTENCE_END = re.compile(r"[.!?…](?:\s*[\"»”’'\)\]])*\s*$")
# A sentence or paragraph is taken for a copy of another (a repeat, or one cut short) only from this
# many words on: short answers ("Non.", "Il pleut.") legitimately occur twice.
MIN_COPY_WORDS = 6
