"""Segment stage: paragraphs into sentences, in the article's language, keeping paragraph boundaries.

pysbd segments with each language's own rules (abbreviations such as M., Mme, Dr., sog.; ordinals
such as German "3. Oktober"; numbers such as 3 000 and 37,5; quotations). A language pysbd lacks
uses the nearest one it has (Czech: Slovak; Portuguese, Catalan: Spanish; Ukrainian, Belarusian:
Russian; Swedish, Norwegian: Danish), else its English rules, which know only the punctuation.
Repairs fix what it gets wrong on news text: pieces that end in an initial ("J.-P.", "G.") are glued
to what follows, and in French so are pieces ending in a month abbreviation ("janv."); where » closes
a quotation (French, Spanish, Italian, Russian, ...; not German or Danish, where it opens one) a
closing guillemet after a full stop ends a sentence when a capital follows ("… dire. » Puis …") and
a piece starting with it belongs to the sentence before; a closing quotation mark that pysbd put at
the start of the next sentence ('kennen. " "Erst') goes back to the sentence it closes.
Sentences that repeat an earlier sentence of the same article (web pages often repeat their lead)
are dropped here, where sentences are first known: whole sentences of MIN_COPY_WORDS words or more
("Non." said twice is two answers). A copy cut short is replaced by the full one, but only a genuine
cut: the shorter one, as written, is the start of the longer one and ends inside it, in a word (a
quotation closed before its attribution, '"Nous ne céderons rien"', is no cut copy of '"Nous ne
céderons rien", a répété X.').

Guards for text that is not prose: pysbd's time grows with the square of its input (a 20,000-
character paragraph takes 0.13 s, 96,000 characters 2.2 s), so it sees blocks of at most
PYSBD_MAX_CHARS; where pysbd loses characters (it rewrites its own marker characters such as ∯)
a plain split at final punctuation is used; and no sentence is longer than MAX_SENTENCE_CHARS, so
a mega-paragraph without punctuation reaches translation in bounded pieces.
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarize.text import MIN_COPY_WORDS, SENTENCE_END, fingerprint
from summarize.records import CleanArticle, SegmentedArticle, Sentence
from summarize.signature import Signature, versions

_INITIAL_END = re.compile(r"(?:^|[\s(-])[A-ZÀ-ÝА-ЯЁ]\.\s*$")
_FRENCH_ABBREVIATION_END = re.compile(
    r"\b(?:janv|févr|fév|avr|juil|sept|oct|nov|déc|av|apr|J\.-C|env|cf|p|pp|vol|art|no|n°)\.\s*$"
)
_QUOTE_BOUNDARY = re.compile(r"(?<=[.!?…])\s?(»)\s+(?=[A-ZÀ-ÝА-ЯЁ«\"])")
# A closing quotation mark pysbd left at the start of the next sentence: '" "Erst dann', '” Puis'.
_LEADING_CLOSING_QUOTE = re.compile(r'^(["”])(?:\s+|$)')
_FINAL_BREAK = re.compile(r"(?<=[.!?…»])\s+")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+")
_SPACE = re.compile(r"\s+")
# Bump when splitting or de-duplication here changes the sentences that come out.
SEGMENT_VERSION = 3
# Languages pysbd has no rules for, and the nearest ones it has; any other uses its English rules.
PYSBD_NEAREST = {"cs": "sk", "pt": "es", "ca": "es", "gl": "es", "uk": "ru", "be": "ru", "sv": "da", "no": "da", "nb": "da"}
# Languages in which » opens a quotation (»So«), so a piece starting with it starts a sentence.
GUILLEMET_OPENS = {"de", "da", "cs", "sk", "hu", "pl", "sv", "no", "nb", "hr", "sl"}
PYSBD_MAX_CHARS = 5_000
MAX_SENTENCE_CHARS = 1_000


def pysbd_language(language: str) -> str:
    """The pysbd rules that segment `language`: its own, the nearest language's, else English."""
    from pysbd.languages import LANGUAGE_CODES

    code = PYSBD_NEAREST.get(language, language)
    return code if code in LANGUAGE_CODES else "en"


@lru_cache(maxsize=None)
def _segmenter(language: str):
    import pysbd

    return pysbd.Segmenter(language=pysbd_language(language), clean=False)


def _last_break(pattern: re.Pattern, window: str) -> int:
    """End of the last `pattern` match in the second half of `window` (0: none), so no piece is tiny."""
    return max((m.end() for m in pattern.finditer(window, len(window) // 2)), default=0)


def cut(text: str, limit: int, preferred: re.Pattern) -> list[str]:
    """Pieces of at most `limit` characters and about equal length, each cut at its last `preferred`
    break, else at its last space, else anywhere; only whitespace between pieces is lost."""
    pieces: list[str] = []
    while len(text) > limit:
        size = -(-len(text) // -(-len(text) // limit))  # len / number of pieces still needed, rounded up
        window = text[: size + 1]
        end = _last_break(preferred, window) or _last_break(_SPACE, window) or size
        pieces.append(text[:end].rstrip())
        text = text[end:].lstrip()
    return [piece for piece in pieces + [text] if piece]


def _pysbd_sentences(block: str, language: str) -> list[str]:
    """pysbd's sentences of `block`, or a split after final punctuation if pysbd lost characters."""
    sentences = _segmenter(language).segment(block)
    if "".join("".join(sentences).split()) != "".join(block.split()):
        return _FINAL_BREAK.split(block)
    return sentences


def _glued(previous: str, piece: str, language: str) -> bool:
    """Whether `piece` continues `previous` rather than starting a sentence."""
    if _INITIAL_END.search(previous) or (language == "fr" and _FRENCH_ABBREVIATION_END.search(previous)):
        return True
    return piece[0] in "-–,;:)" or (piece[0] == "»" and language not in GUILLEMET_OPENS)


def _closes_quotation(previous: str, mark: str) -> bool:
    """Whether `previous` has a quotation open that `mark` closes."""
    return previous.count('"') % 2 == 1 if mark == '"' else previous.count("“") > previous.count("”")


def split_sentences(paragraph: str, language: str = "fr") -> list[str]:
    """Sentences of one paragraph in `language` (ISO 639-1), none over MAX_SENTENCE_CHARS; no
    non-whitespace character is lost or reordered."""
    closing_guillemets = language not in GUILLEMET_OPENS
    pieces: list[str] = []
    for block in cut(paragraph, PYSBD_MAX_CHARS, _FINAL_BREAK):
        raw_pieces = _pysbd_sentences(block, language)
        if closing_guillemets:
            raw_pieces = [p for raw in raw_pieces for p in _QUOTE_BOUNDARY.sub(r" \1\n", raw).split("\n")]
        block_pieces = list(raw_pieces)
        if pieces and block_pieces and not SENTENCE_END.search(pieces[-1]):  # block cut mid-sentence: rejoin
            pieces[-1] = f"{pieces[-1]} {block_pieces.pop(0)}"
        pieces.extend(block_pieces)
    sentences: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        quote = _LEADING_CLOSING_QUOTE.match(piece)
        if sentences and quote and _closes_quotation(sentences[-1], quote.group(1)):
            sentences[-1] += quote.group(1)
            piece = piece[quote.end() :]
            if not piece:
                continue
        if sentences and _glued(sentences[-1], piece, language):
            sentences[-1] = f"{sentences[-1]}{'' if piece[0] in '-' and sentences[-1].endswith('.') else ' '}{piece}"
        else:
            sentences.append(piece)
    return [piece for sentence in sentences for piece in cut(sentence, MAX_SENTENCE_CHARS, _CLAUSE_BREAK)]


def is_cut_copy(short: str, long: str) -> bool:
    """`short` is `long` cut off in mid-sentence: as written, a start of it that ends inside a word run."""
    return (
        len(short.split()) >= MIN_COPY_WORDS
        and long.startswith(short + " ")
        and short[-1].isalnum()
    )


def is_repeat(text: str, key: str, earlier: str, earlier_key: str) -> bool:
    """The same sentence again (long enough to be a copy), or one of the two is a cut-short copy of the other."""
    if key == earlier_key:
        return len(key.split()) >= MIN_COPY_WORDS
    return is_cut_copy(text, earlier) or is_cut_copy(earlier, text)


def segment_article(article: CleanArticle) -> SegmentedArticle:
    """Sentences of an article, in order, without sentences repeated within the article."""
    keys: list[str] = []
    sentences: list[Sentence] = []
    for index, paragraph in enumerate(article.paragraphs):
        for text in split_sentences(paragraph, article.language):
            key = fingerprint(text)
            earlier = next((i for i, seen in enumerate(sentences) if is_repeat(text, key, seen.text, keys[i])), None)
            if earlier is None:
                keys.append(key)
                sentences.append(Sentence(paragraph=index, text=text))
            elif is_cut_copy(sentences[earlier].text, text):
                # The earlier copy was cut short (a truncated lead); keep the full one in its place.
                keys[earlier] = key
                sentences[earlier] = Sentence(paragraph=sentences[earlier].paragraph, text=text)
    return SegmentedArticle(article=article, sentences=tuple(sentences))


def signature() -> Signature:
    """What splits text into sentences: this stage's repairs and the pysbd version."""
    return Signature(versions("pysbd"), v=SEGMENT_VERSION)
