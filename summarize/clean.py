"""Clean stage: metadata out, web boilerplate out, repeats out, headline kept as title.

Text is kept by default. A line is removed only when a rule recognises a *kind* of boilerplate
(comment form, promotion, related links, teaser, credit, caption, rubric label, kicker, dateline,
byline, site tagline, author bio, bullet-glyph residue, repeated paragraph), never for its shape
alone: a line without a final full stop is a standfirst, a subhead, a lead-in ending with a colon
or a list item with a figure as often as it is a caption. Every removal is listed in `removed`
with its rule; bylines, datelines, rubric labels and kickers above the headline go to `metadata`.

Hard-wrapped text is re-joined first, so every rule sees whole paragraphs.

The rules are data: rules/neutral.toml for every language, plus rules/<language>.toml where the
article's language has one (French, German, Spanish, Czech, Russian today); a language without one
gets the neutral rules only. jusText's stop-lists (100 languages) are the language's function words:
a rubric label's lower-case words must be stop-words ("Asie du Sud-Est."), and a line above the
headline that shares no content word with the article is another article's teaser or a rubric.

Labels are known by their words, not only by the lists of labels: a short line made of the language's
link words ("lire", "Thema", "теме") and stop-words is a label of related articles, one naming
comments a comment widget. Under a label, another article's headline that ends with "?" or "!" goes
when it is off the article's topic (it shares almost none of its content words), unless it is an
interview question; one ending with a full stop stays, as the article's own short sentences look the
same. jusText's own
classifier (stop-word density, length, link density, context) is not used: on the 99 newstest2012
documents with web boilerplate injected (benchmarks/bench_clean.py) it loses 14-54 prose paragraphs
per language (names, figures and results have few stop-words) and keeps about 60-75% of the
injected lines (short lines between good paragraphs are good by context), and plain-text files have
no links, its strongest evidence.
"""

from __future__ import annotations

import hashlib
import re
import statistics
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import version

from summarize.records import CleanArticle, IngestedArticle
from summarize.text import MIN_COPY_WORDS, SENTENCE_END, fingerprint, fold

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# Bump when the cleaning code changes what it removes; with the rule files and the stop-lists'
# version it makes rules_fingerprint(), part of every run signature, so cached clusters re-run.
CLEANER_VERSION = 3
DEFAULT_LANGUAGE = "fr"
# jusText's "good" paragraph (its defaults LENGTH_HIGH and STOPWORDS_HIGH): longer than this many
# characters, with at least this share of stop-words. Such a paragraph after an end-of-page label
# ("Les plus lus") is the article's own prose, and the label does not take it away.
GOOD_PARAGRAPH_CHARS = 200
GOOD_STOPWORD_DENSITY = 0.32
# Datelines open an article: only its first paragraphs (a repeated lead among them) may start with one.
DATELINE_PARAGRAPHS = 3
# Content words are compared on their first letters, so that inflected forms meet ("безработица",
# "безработицы"; "Arbeitslosigkeit", "Arbeitslose").
STEM_CHARS = 5
# A line is off an article's topic when it shares at most this share of its content words with the
# article (see _off_topic). On newstest2012 (99 documents in five languages), 90% of the other
# documents' headlines are off an article's topic, but so are 15% of its own paragraphs of 20 words or
# less: it is evidence only for a line under a label, and only when the line ends as a headline may
# (no final punctuation, "?" or "!"), never with a full stop.
OTHER_TOPIC_SHARE = 0.2
# ... and only an article of at least this many content words tells what is unrelated to it.
MIN_TOPIC_WORDS = 20
# A label made of link words: at least this share of its words are link words ("Lire plus sur le sujet").
LINK_WORD_SHARE = 0.4
# An article with this many paragraphs ending with a question (besides the line looked at) is an interview.
INTERVIEW_QUESTIONS = 2

_UPPER = "".join(c for c in map(chr, range(0x41, 0x530)) if c.isupper())
_LOWER = "".join(c for c in map(chr, range(0x61, 0x530)) if c.islower())
_NAME = rf"[{_UPPER}][{_LOWER}][\w’'.-]*"
_PLACEHOLDER = re.compile(r"\\p\{(\w+)\}")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_TOKEN = re.compile(r"[^\W\d_]+")
_COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Not after a day's number: "am 12. März" (German and Czech ordinals) does not end a sentence.
_INNER_BREAK = re.compile(r"(?<!(?<!\d)\d)(?<!(?<!\d)\d\d)[.!?…](?:\s*[\"»”’'])*\s+([«\"“\w])")
_CUT_SHORT = re.compile(r"(?:…|\.\.\.|[^\W\d_]\s?\.\.|[\[(](?:…|\.\.\.)[\])])\s*$")
_GLUED_HEADLINE = re.compile(rf"[{_LOWER}]{{3}}[{_UPPER}][{_LOWER}]")
_KICKER = re.compile(r"^(?P<label>[^\W\d_][^\d.!?:;]{0,40}?)\s+[-–—]$")
_KICKER_PREFIX = re.compile(rf"^(?P<label>[{_UPPER}][{_UPPER}'’&/ -]{{3,30}}?)\s*(?:[.:]|\s[-–—])\s+(?P<rest>\S.*)$")
_BREADCRUMB = re.compile(r"\s+[>›»/]\s+")
_QUESTION = re.compile(r"\?[\s\"»”’')]*$")
_QUESTION_OR_EXCLAMATION = re.compile(r"[?!][\s\"»”’')]*$")
_QUOTED = re.compile(r"^[\"“«]\s*(?P<body>[^\"“”«»]+?)\s*[\"”»]$")
_SENTENCE = re.compile(r"(?<=[.!?…])(?:\s*[\"»”’)])*\s+(?=\S)")
_LIST_START = re.compile(rf"^(?:[-–—*+]|\d{{1,3}}[.)])\s+[{_UPPER}\d«\"“]")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")


def _rule_file_names() -> list[str]:
    """The cleaner's rule files: neutral.toml and one per language, named by its code (the checks'
    tables, checks-*.toml and names.toml, live beside them but are not the cleaner's)."""
    names = (entry.name for entry in resources.files("summarize.rules").iterdir())
    return sorted(name for name in names if re.fullmatch(r"neutral\.toml|[a-z]{2,3}\.toml", name))


def _read(name: str) -> dict:
    return tomllib.loads(resources.files("summarize.rules").joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """A hash of every rule file, the cleaner's version and the stop-lists' (jusText's) version."""
    digest = hashlib.sha256(f"cleaner:{CLEANER_VERSION}|jusText:{version('jusText')}".encode())
    for name in _rule_file_names():
        digest.update(name.encode() + b"\0" + resources.files("summarize.rules").joinpath(name).read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Rules:
    """The compiled rules for one language (see rules/neutral.toml for what each one means)."""

    language: str
    stopwords: frozenset[str]
    reply: frozenset[str]  # folded
    address: frozenset[str]  # as written: lower-case words match in any case, capitalised ones as written
    link_words: frozenset[str]
    comment_words: frozenset[str]
    rubric: frozenset[str]  # folded
    verb_cue: frozenset[str]
    verb_form: re.Pattern | None
    one_letter: frozenset[str]
    tag: re.Pattern
    date: re.Pattern
    byline_lead: re.Pattern
    byline_line: re.Pattern
    dateline_lead: re.Pattern
    dateline_line: re.Pattern
    kinds: tuple[tuple[str, re.Pattern], ...]
    related_label: re.Pattern
    trailing_label: re.Pattern
    teaser_link: re.Pattern
    credit_line: re.Pattern
    credit_tail: re.Pattern
    agency: re.Pattern
    name_separator: re.Pattern
    name_particles: frozenset[str]
    conjunctions: frozenset[str]
    credit_word: re.Pattern
    caption_marker: re.Pattern | None
    caption_scene: re.Pattern | None
    caption_time: re.Pattern | None
    tagline: re.Pattern
    glyph: re.Pattern
    bullets: str
    title_max_words: int
    other_headline_max_words: int
    other_headline_max_commas: int
    teaser_max_chars: int
    related_max_links: int
    label_max_words: int
    label_max_chars: int
    allcaps_max_words: int
    caption_max_words: int
    bio_min_fragments: int
    bio_max_words_per_fragment: int
    min_wrap_width: int
    max_wrap_width: int


def _alternation(words: list[str]) -> str:
    """Whole-phrase alternation, longest first; any apostrophe and any run of spaces match."""
    escaped = (
        re.sub("['’]", "['’]", re.escape(w).replace(r"\ ", r"\s+")) for w in sorted(set(words), key=len, reverse=True)
    )
    return "(?:" + ("|".join(escaped) or "(?!)") + ")"


def _compile(pattern: str, words: dict[str, list[str]], date: str, flags: int = re.IGNORECASE) -> re.Pattern:
    def expand(match: re.Match) -> str:
        key = match.group(1)
        fixed = {"Lu": f"[{_UPPER}]", "Ll": f"[{_LOWER}]", "name": _NAME, "date": f"(?:{date})"}
        return fixed[key] if key in fixed else _alternation(words[key])

    # Expanded twice: a language's date pattern names its word lists (\p{month}).
    return re.compile(_PLACEHOLDER.sub(expand, _PLACEHOLDER.sub(expand, pattern)), flags)


def _stopwords(name: str | None) -> frozenset[str]:
    if not name:
        return frozenset()
    import justext

    return frozenset(w.lower().replace("’", "'") for w in justext.get_stoplist(name))


def _language_file(language: str) -> str | None:
    name = f"{language}.toml"
    return name if re.fullmatch(r"[a-z]{2,3}", language) and name in _rule_file_names() else None


@lru_cache(maxsize=32)
def load_rules(language: str = DEFAULT_LANGUAGE) -> Rules:
    """The neutral rules plus, where it exists, the language's own file."""
    language = language.split("-")[0].lower()
    neutral = _read("neutral.toml")
    own_file = _language_file(language)
    own = _read(own_file) if own_file else {}

    def merged(section: str) -> dict[str, list]:
        """The neutral file's lists with the language's appended, in the files' order (the first kind that
        matches names a removal)."""
        ours, theirs = neutral.get(section, {}), own.get(section, {})
        return {k: ours.get(k, []) + theirs.get(k, []) for k in dict.fromkeys([*ours, *theirs])}

    words, patterns, caption = merged("words"), merged("patterns"), merged("caption")
    date = "|".join(p for p in (own.get("date"), neutral["date"]) if p)
    structure = neutral["structure"]

    def one(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern:
        return _compile(pattern, words, date, flags)

    def any_of(patterns: list[str]) -> re.Pattern | None:
        return one("|".join(f"(?:{p})" for p in patterns)) if patterns else None

    def lowered(key: str) -> frozenset[str]:
        return frozenset(w.lower().replace("’", "'") for w in words.get(key, []))

    credit = r"(?:\p{credit}|\p{agencies})"
    return Rules(
        language=language,
        stopwords=_stopwords(own.get("stoplist") or neutral["stoplists"].get(language)),
        reply=frozenset(fold(w) for w in words.get("reply", [])),
        address=frozenset(w.replace("’", "'") for w in words.get("address", [])),
        link_words=lowered("link_word"),
        comment_words=lowered("comment_word"),
        rubric=frozenset(fold(w) for w in words.get("rubric", [])),
        verb_cue=lowered("verb_cue"),
        verb_form=one(own["verb_form"]) if "verb_form" in own else None,
        one_letter=lowered("one_letter"),
        tag=one(neutral["metadata"]["tag"]),
        date=one(neutral["metadata"]["date"]),
        byline_lead=one(structure["byline_lead"], 0),
        byline_line=one(structure["byline_line"], 0),
        dateline_lead=one(structure["dateline_lead"], 0),
        dateline_line=one(structure["dateline_line"], 0),
        kinds=tuple(
            (kind.replace("_", " "), one(pattern)) for kind, kind_patterns in patterns.items() for pattern in kind_patterns
        ),
        trailing_label=one(r"^[\[(»>•▸\s-]*\p{trailing_label}(?!\w)"),
        related_label=one(
            r"^[\[(»>•▸\s-]*(?:\p{related_label}|\p{trailing_label})"
            r"(?:(?:[\])]|\s*[:|>»›]+|\s+[-–—]|\s*\.\.\.|\s*…)\s*(?P<rest>.*)|\s*[:>»›]*)$"
        ),
        teaser_link=one(r"^[\[(«»>\s]*\p{teaser_link}\s*(?:[»›>)\]…]|\.{2,3}|\s)*$"),
        credit_line=one(rf"^[(\[]?{credit}(?!\w)\s*(?:[:/,–—-]\s*|\s)?(?P<who>.{{0,80}}?)[)\]]?\.?$"),
        credit_tail=one(
            r"(?:\s*[(\[](?P<paren>[^()\[\]]{1,60})[)\]]"
            r"|(?<=[.!?…»\"”])\s+(?P<free>(?:\p{credit}|\p{agencies})(?!\w)\s*[:/]?\s*[^.!?\s][^.!?]{0,59}?)\.?"
            r"|\s(?P<slash>\p{agencies}\s*/\s*[^.!?/]{1,40}?))\s*$"
        ),
        agency=one(r"^\p{agencies}$"),
        name_separator=one(r"[/,;&+]|\s(?:-|–|—|\p{and})\s"),
        name_particles=lowered("name_particle"),
        conjunctions=lowered("conjunction"),
        credit_word=one(r"^\p{credit}(?!\w)\s*[:/]?\s*"),
        caption_marker=any_of(caption["marker"]),
        caption_scene=any_of(caption["scene"]),
        caption_time=any_of(caption["time"]),
        tagline=one(r"\b\p{tagline}\b"),
        bullets="".join(words["glyphs"]),
        glyph=re.compile(
            rf"^(?:(?P<symbol>[{re.escape(''.join(words['glyphs']))}])\s*"
            rf"|(?P<letter>[{re.escape(''.join(words['glyph_letters']))}])\s+(?=[\d«\"“‘'„(¿¡{_UPPER}]))"
        ),
        **neutral["shape"],
    )


# --- evidence ---------------------------------------------------------------------------------


def stopword_density(line: str, rules: Rules) -> float | None:
    """The share of a line's words on the language's stop-list, as jusText counts it (None: no list)."""
    words = line.lower().replace("’", "'").split()
    return sum(w in rules.stopwords for w in words) / len(words) if rules.stopwords and words else None


def has_verb(line: str, rules: Rules) -> bool | None:
    """Whether the line holds a common finite verb or a subject pronoun (None: the language has no list)."""
    if not rules.verb_cue:
        return None
    folded = line.casefold()
    return any(token in rules.verb_cue for token in _COMPOUND.findall(folded)) or bool(
        rules.verb_form and rules.verb_form.search(folded)
    )


def has_inner_break(line: str) -> bool:
    """A sentence ends inside the line and another begins (a capital, digit or quote follows)."""
    return any(m.group(1)[0].isupper() or m.group(1)[0].isdigit() or m.group(1) in "«\"“" for m in _INNER_BREAK.finditer(line))


def is_headline_shaped(line: str, max_words: int) -> bool:
    """Short, one sentence, no final punctuation: headlines, subheads, captions, links alike."""
    return len(line.split()) <= max_words and not SENTENCE_END.search(line) and not has_inner_break(line)


def _is_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 4 and all(re.fullmatch(_NAME, w) for w in words)


def _is_label(line: str, rules: Rules, strict: bool) -> bool:
    """A rubric label's shape: "Économie.", "Asie du Sud-Est.", "Faits divers" (strict: a final full stop,
    every word capitalised but for lower-case stop-words, at most three words, as labels are when they
    stand among paragraphs). One-word answers ("Non.", "Faux.") and lines with a verb are not labels."""
    text = line[:-1] if line.endswith(".") else line
    if strict and (not line.endswith(".") or line.endswith("..")):
        return False
    words = text.split()
    if not words or len(words) > (3 if strict else rules.label_max_words) or len(text) > rules.label_max_chars:
        return False
    if not re.fullmatch(r"[^\W\d_][\w’'& -]*", text) or any(c.isdigit() for c in text) or not text[0].isupper():
        return False
    if fold(text) in rules.reply or has_verb(text, rules):
        return False
    return not strict or all(w[0].isupper() or w.lower() in rules.stopwords for w in words)


def _is_all_caps(line: str, rules: Rules) -> bool:
    """A short line in capitals, without a verb: "JEAN DUPONT, DIRECTEUR GÉNÉRAL.", "PHOTO AFP"."""
    words = line.split()
    if len(words) > rules.allcaps_max_words:
        return False
    cased = [c for c in line if c.isupper() or c.islower()]
    return (
        len(cased) >= 4
        and sum(c.isupper() for c in cased) >= 0.9 * len(cased)
        and (len(words) >= 2 or bool(rules.agency.match(line.strip("().").lower())))
        and not has_verb(line, rules)
    )


def _name_like(who: str, rules: Rules) -> bool:
    """A credit's holder: agencies, capitalised names and site names, joined by / , & and the like."""
    parts = [p.strip(" .©") for p in rules.name_separator.split(who)]
    named = False
    for part in filter(None, parts):
        words = [w for w in part.split() if not _YEAR.match(w)]
        if rules.agency.match(part.lower()) or not words:
            named = True
        elif len(words) == 1 and words[0].islower() and named:
            continue  # a site after the name: "Foto: Jan Novák, zpravy24"
        elif len(words) > 5 or any(c.isdigit() for w in words for c in w):
            return False
        elif all(w[0].isupper() or w.lower() in rules.name_particles for w in words):
            named = True
        else:
            return False
    return named


def _is_credit_line(line: str, rules: Rules) -> bool:
    """"Photo AFP.", "Crédit photo : Reuters", "(Foto: dpa)", "AFP PHOTO / LUDOVIC MARIN", and a credit word,
    a colon and one or two words of any kind ("Foto: privat", "Фото: пресс-служба", "Repro: zpravy24")."""
    if len(line.split()) > 12:
        return False
    if rules.agency.match(line.strip("()[]. ").lower()):
        return True
    match = rules.credit_line.match(line)
    if match and (not match.group("who") or _name_like(match.group("who"), rules)):
        return True
    word = rules.credit_word.match(line.lstrip("(["))
    rest = line.lstrip("([")[word.end() :].strip(" )].") if word and ":" in word.group() else ""
    return 1 <= len(rest.split()) <= 2 and not re.search(r"[.!?]", rest)


def _is_credit_holder(held: str, rules: Rules) -> bool:
    """What a credit names: "Reuters", "Photo : AFP", "AFP PHOTO / LUDOVIC MARIN", "Foto: Max Muster/dpa"."""
    word = rules.credit_word.match(held)
    names = held[word.end() :] if word else held
    agency = any(rules.agency.match(part.strip(" .").lower()) for part in re.split(r"[/,;:]", held))
    return (bool(word) or agency) and (not names.strip() or _name_like(names, rules))


def _credit_tail(line: str, rules: Rules) -> re.Match | None:
    """A credit ending a caption or paragraph: "... sommet (Reuters)", "... samedi. Photo Jean Dupont / AFP"."""
    match = rules.credit_tail.search(line)
    if not match or match.start() == 0:
        return None
    return match if _is_credit_holder(match.group("paren") or match.group("free") or match.group("slash"), rules) else None


def _is_verbless(line: str, rules: Rules) -> bool:
    return has_verb(line, rules) is False


def _is_caption(line: str, rules: Rules) -> bool:
    """A photo caption without a credit: a verbless line with a position marker, or a scene and a time."""
    if len(line.split()) > rules.caption_max_words or has_inner_break(line) or not _is_verbless(line, rules):
        return False
    if rules.caption_marker and rules.caption_marker.search(line):
        return True
    return bool(rules.caption_scene and rules.caption_time and rules.caption_scene.search(line) and rules.caption_time.search(line))


def is_bio(line: str, rules: Rules) -> bool:
    """A quoted run of short fragments, the shape of generated author bios."""
    match = _QUOTED.match(line)
    if not match:
        return False
    fragments = [f for f in re.split(r"[.!?]+", match.group("body")) if f.strip()]
    return len(fragments) >= rules.bio_min_fragments and all(
        len(f.split()) <= rules.bio_max_words_per_fragment for f in fragments
    )


def _is_tagline(line: str, rules: Rules) -> bool:
    """A site tagline: "France Dernières Nouvelles, France Actualités" (short, capitalised, no sentence, no verb)."""
    words = _WORD.findall(line)
    segments = [segment.strip() for segment in line.split(",")]
    return (
        bool(rules.tagline.search(line))
        and len(words) <= 10
        and (sum(w[0].isupper() for w in words) >= 0.6 * len(words) or (len(segments) > 1 and all(s[:1].isupper() for s in segments)))
        and not SENTENCE_END.search(line)
        and not has_verb(line, rules)
    )


def _content_words(text: str, rules: Rules) -> list[str]:
    """Words of four letters or more that are not stop-words, folded and cut to STEM_CHARS letters."""
    return [fold(w)[:STEM_CHARS] for w in _TOKEN.findall(text) if len(w) >= 4 and w.lower() not in rules.stopwords]


def is_link_label(line: str, rules: Rules) -> bool:
    """A label of related articles, of an end-of-page list or of a "read more" link, in words the label
    lists do not hold ("À consulter aussi", "Weitere Artikel zum Thema", "Читайте по теме", "Découvrir
    la suite »"): at most six words, no punctuation inside and no figure, only the language's link words
    ("lire", "Thema", "теме") and stop-words, LINK_WORD_SHARE of them link words, one at least no
    stop-word (jusText's stop-lists also hold frequent nouns: "Deutschland", "album")."""
    text = re.sub(r"^[\W_]+|(?:[\s»>›:|\]…-]|\.\.\.)+$", "", line)
    if not text or len(text.split()) > 6 or re.search(r"[.,;!?\d]", text):
        return False
    tokens = [t for t in _TOKEN.findall(text.lower()) if len(t) > 1]
    links = [t for t in tokens if t in rules.link_words]
    return (
        all(t in rules.link_words or t in rules.stopwords for t in tokens)
        and any(t not in rules.stopwords for t in links)
        and len(links) >= LINK_WORD_SHARE * len(tokens)
    )


def _is_comment_widget(line: str, rules: Rules) -> bool:
    """A comment widget in words the patterns do not hold ("Afficher les 12 commentaires", "Soyez le
    premier à réagir", "Vous devez être connecté pour publier un commentaire."): a line naming comments,
    of at most eight words that speak to the reader, or of two to five that make no statement and hold
    a count or only page words (comment, link and stop-words: "Hacer comentarios desagradables" is a
    subhead); never a question ("Que pensez-vous de ce commentaire ?" is an interview's)."""
    words, tokens = line.split(), [t for t in _TOKEN.findall(line.lower()) if len(t) > 1]
    if not 2 <= len(words) <= 8 or _QUESTION.search(line) or not any(t in rules.comment_words for t in tokens):
        return False
    if addresses_someone(line, rules):
        return True
    furniture = all(t in rules.comment_words or t in rules.link_words or t in rules.stopwords for t in tokens)
    return len(words) <= 5 and not re.search(r"(?<!\.)\.\W*$", line) and (furniture or any(c.isdigit() for c in line))


def addresses_someone(line: str, rules: Rules) -> bool:
    """The line speaks to its reader or interviewee ("Quel est votre message ?", "Was sagen Sie dazu?"):
    a second-person word; capitalised ones ("Sie") only after the first word, where they are no pronoun
    of the third person starting a sentence."""
    words = _WORD.findall(line.replace("’", "'"))
    return any(w.lower() in rules.address or (n > 0 and w in rules.address) for n, w in enumerate(words))


# --- hard-wrapped text --------------------------------------------------------------------------


def wrap_width(lines: list[str], rules: Rules) -> int:
    """The column a hard-wrapped text was wrapped at, or 0 when it was not wrapped.

    In wrapped text most lines are followed by another line of the same paragraph, and those are
    nearly full: they reach within a word of the width. Text with one paragraph per line has long,
    ragged lines; text with blank lines between paragraphs has few lines followed by another."""
    inner = [len(line) for line, after in zip(lines, lines[1:]) if line and after]
    if len(inner) < 3 or len(inner) < 0.3 * sum(1 for line in lines if line):
        return 0
    median = statistics.median(inner)
    if not rules.min_wrap_width <= median <= rules.max_wrap_width:
        return 0
    width = max(n for n in inner if n <= median * 1.25)
    near_full = sum(width - 20 <= n <= width for n in inner)
    return width if width >= rules.min_wrap_width and near_full >= 0.6 * len(inner) else 0


def _wrapped(previous: str, line: str, width: int, rules: Rules) -> bool:
    """`line` continues `previous`: its first word would not have fitted on `previous` (and it does not
    start a list item after a finished sentence)."""
    if line[0] in rules.bullets or (_LIST_START.match(line) and re.search(r"[.!?…:;]\W*$", previous)):
        return False
    if rules.teaser_link.match(line) or rules.related_label.match(line) or is_link_label(line, rules) or _kicker(line, rules):
        return False  # a line of its own on the page ("Lire la suite »" under a teaser), not a continuation
    if _broken_at_hyphen(previous, line, rules):
        return len(previous) + len(re.match(r"[^\s-]*-?", line).group()) > width
    return len(previous) + 1 + len(line.split()[0]) > width


def _broken_at_hyphen(previous: str, line: str, rules: Rules) -> bool:
    """`previous` ends inside a hyphenated word ("nord-" / "coréen"), not with a suspended hyphen ("ein-" / "und")."""
    return len(previous) > 1 and previous[-1] == "-" and previous[-2].isalpha() and line.split()[0].lower() not in rules.conjunctions


def rejoin_wrapped(text: str, rules: Rules) -> tuple[list[str], list[bool]]:
    """Non-blank lines, hard-wrapped ones re-joined into paragraphs, and whether a blank line followed each.
    The lines under a "Related" label, up to the next blank line, are a list: never joined."""
    raw = [" ".join(line.split()) for line in text.split("\n")]
    width = wrap_width(raw, rules)
    lines: list[str] = []
    gap_after: list[bool] = []
    follows_blank, in_list = True, False
    for line in raw:
        if not line:
            if gap_after:
                gap_after[-1] = True
            follows_blank, in_list = True, False
            continue
        if width and lines and not follows_blank and not in_list and _wrapped(lines[-1], line, width, rules):
            lines[-1] += ("" if _broken_at_hyphen(lines[-1], line, rules) else " ") + line
        else:
            lines.append(line)
            gap_after.append(False)
            label = rules.related_label.match(line)
            in_list = in_list or bool(label and not label.group("rest")) or is_link_label(line, rules)
        follows_blank = False
    return lines, gap_after


# --- the cleaning --------------------------------------------------------------------------------


@dataclass
class _Cleaning:
    """Working state while one article is cleaned: one entry per paragraph ("" once removed)."""

    lines: list[str]
    gap_after: list[bool]
    body: set[int]  # lines that open the body (a date or dateline was glued to them): never the title
    metadata: dict[str, str]
    removed: list[tuple[str, str]]
    title: str = ""

    def drop(self, index: int, rule: str) -> None:
        self.removed.append((rule, self.lines[index]))
        self.lines[index] = ""

    def present(self) -> list[int]:
        return [i for i, line in enumerate(self.lines) if line]

    def following(self, index: int) -> int | None:
        return next((j for j in range(index + 1, len(self.lines)) if self.lines[j]), None)

    def preceding(self, index: int) -> int | None:
        return next((j for j in range(index - 1, -1, -1) if self.lines[j]), None)


def _extract_metadata(state: _Cleaning, rules: Rules, cluster_id: str | None) -> None:
    for i, line in enumerate(state.lines):
        if rules.tag.match(line) or (cluster_id and line == cluster_id):
            state.metadata.setdefault("tag", line)
            state.lines[i] = ""
            continue
        date = rules.date.match(line)
        if date:
            state.metadata.setdefault("date", date.group("date"))
            state.lines[i] = line[date.end() :].strip()
            state.body.add(i)


def _extract_bylines(state: _Cleaning, rules: Rules) -> None:
    """A byline opening the text, and bylines and datelines standing alone on their lines, to metadata."""
    present = state.present()
    if present:
        first = present[0]
        match = rules.byline_lead.match(state.lines[first])
        if match:
            state.metadata["author"] = " ".join(match.group("author").split())
            if match.group("place"):
                state.metadata["place"] = match.group("place")
            state.lines[first] = state.lines[first][match.end() :]
            state.body.add(first)
    for i in state.present():
        line = state.lines[i]
        byline = rules.byline_line.match(line)
        dateline = rules.dateline_line.match(line)
        if byline:
            key, value = "author", " ".join(byline.group("author").split())
        elif dateline and dateline.group("place")[0].isupper():
            key, value = "place", dateline.group("place")
        else:
            continue
        if state.metadata.setdefault(key, value) != value:
            state.removed.append((f"{'byline' if key == 'author' else 'dateline'} (metadata has one)", line))
        state.lines[i] = ""


def _extract_datelines(state: _Cleaning, rules: Rules) -> None:
    """A dateline opening one of the first paragraphs ("SEOUL - Le dirigeant ..."): its place to metadata."""
    for i in state.present()[:DATELINE_PARAGRAPHS]:
        dateline = rules.dateline_lead.match(state.lines[i])
        if dateline and not rules.agency.match(dateline.group("place").lower()):
            state.metadata.setdefault("place", dateline.group("place"))
            state.lines[i] = state.lines[i][dateline.end() :]


def _kicker(line: str, rules: Rules) -> str | None:
    """A kicker line: "CYCLISME –", "PEOPLE -", "Politique —"."""
    kicker = _KICKER.match(line)
    return kicker.group("label") if kicker and len(kicker.group("label").split()) <= rules.label_max_words else None


def _kicker_prefix(line: str, rules: Rules) -> re.Match | None:
    """A headline behind an all-caps kicker: "CYCLISME – Pogacar ...", "VIDÉO. Les images ..."."""
    kicker = _KICKER_PREFIX.match(line)
    return kicker if kicker and is_headline_shaped(kicker.group("rest"), rules.title_max_words) else None


def _header_label(line: str, following: str, body: str, rules: Rules) -> str | None:
    """A rubric or breadcrumb above the headline ("Économie.", "POLITIQUE", "Monde > Europe"): a label
    with a full stop, a known section name, or an all-caps label or one off the article's topic
    ("Bien-être", "Погода") over a headline-shaped line that is on it. Any other short line
    ("Victoire libyenne", "Spéculation agricole") is the headline itself."""
    parts = _BREADCRUMB.split(line)
    if 2 <= len(parts) <= 6 and all(_is_label(p, rules, strict=False) for p in parts):
        return " > ".join(p.rstrip(".") for p in parts)
    if not _is_label(line, rules, strict=False):
        return None
    if line.endswith(".") or fold(line) in rules.rubric:
        return line.rstrip(".")
    over_headline = is_headline_shaped(following, rules.title_max_words)
    if over_headline and (line.isupper() or _unrelated(line, following, body, rules)):
        return line
    return None


def _title_like(state: _Cleaning, index: int | None, rules: Rules) -> bool:
    """A headline candidate: short, not known to open the body, and a headline's shape or a paragraph of its own."""
    if index is None or index in state.body:
        return False
    line = state.lines[index]
    if len(line.split()) > rules.title_max_words or _boilerplate_kind(line, rules):
        return False
    return is_headline_shaped(line, rules.title_max_words) or state.gap_after[index]


def _unrelated(teaser: str, headline: str, body: str, rules: Rules) -> bool:
    """A line above the headline that shares (almost) no content word with the article, while the headline does."""
    words = set(_content_words(body, rules))

    def shared(line: str) -> float:
        own = set(_content_words(line, rules))
        return len(own & words) / len(own) if own else 0.0

    return shared(teaser) <= OTHER_TOPIC_SHARE and shared(headline) >= max(0.3, 2 * shared(teaser))


def _text(state: _Cleaning, indexes: list[int]) -> str:
    return " ".join(state.lines[i] for i in indexes)


def _pick_title(state: _Cleaning, rules: Rules) -> str | None:
    """The headline among the first lines; rubrics and kickers above it go to metadata.section."""
    labels: list[str] = []
    present = state.present()
    while len(present) > 1 and present[0] not in state.body:
        line = state.lines[present[0]]
        if _kicker_prefix(line, rules):
            break
        label = _kicker(line, rules)
        kind = None if label else _boilerplate_kind(line, rules)
        if kind:
            state.drop(present[0], kind)
        elif len(labels) < 3 and (label or (label := _header_label(line, state.lines[present[1]], _text(state, present[2:]), rules))):
            labels.append(label)
            state.lines[present[0]] = ""
        else:
            break
        present = present[1:]
    if labels:
        state.metadata["section"] = " / ".join(labels)
    if not present or present[0] in state.body:
        return None
    first, line = present[0], state.lines[present[0]]
    section, sep, headline = line.partition(" | ")
    kicker = _kicker_prefix(line, rules)
    if sep and len(headline.split()) <= rules.title_max_words:
        state.metadata.setdefault("section", section.strip())
    elif kicker:
        state.metadata.setdefault("section", kicker.group("label").strip())
        headline = kicker.group("rest")
    elif rules.dateline_lead.match(line):
        return None
    elif len(present) > 2 and SENTENCE_END.search(line) and _title_like(state, present[1], rules) and is_headline_shaped(
        state.lines[present[1]], rules.title_max_words
    ) and _unrelated(line, state.lines[present[1]], _text(state, present[2:]), rules):
        state.drop(first, "teaser above the headline (another article)")
        first, headline = present[1], state.lines[present[1]]
    elif _title_like(state, first, rules):
        headline = line
    else:
        return None
    state.lines[first] = ""
    return headline.strip()


def _boilerplate_kind(line: str, rules: Rules) -> str | None:
    """The kind of boilerplate a line is on its own (without looking at its neighbours), if any."""
    kind = next((kind for kind, pattern in rules.kinds if pattern.search(line)), None)
    if kind:
        return kind
    if _is_comment_widget(line, rules):
        return "comment form"
    if _is_credit_line(line, rules):
        return "photo credit"
    if _is_tagline(line, rules):
        return "site tagline"
    return None


def _is_headline(line: str, rules: Rules) -> bool:
    """A headline whatever its final punctuation: short, one sentence, not a lead-in (":")."""
    return len(line.split()) <= rules.title_max_words and not has_inner_break(line) and not line.endswith(":")


def _is_other_headline(state: _Cleaning, index: int, rules: Rules) -> bool:
    """Another article's headline ending with a question or an exclamation mark, as lists of related
    articles and rubric boxes show them ("Parc ou montagne ?", "Ivette, garde cet âne, je n'en veux
    plus !"): one sentence, short and plain as headlines are (few words, at most one comma), no interview
    question (one put to someone, "Quel est votre message ?", or any question in an article of
    questions), and sharing (almost) none of its content words with the title and the rest of the
    article. Only asked of a line under a label, after its first link.

    A headline ending with a full stop is never taken there: short sentences of the article's own that
    bring up new names ("Carles Puyol approche de la centaine avec 97 matches.") look the same."""
    line = state.lines[index]
    if not _QUESTION_OR_EXCLAMATION.search(line) or has_inner_break(line):
        return False
    if len(line.split()) > rules.other_headline_max_words or len(re.findall(r",\s", line)) > rules.other_headline_max_commas:
        return False
    if _QUESTION.search(line) and (addresses_someone(line, rules) or _is_interview(state, index)):
        return False
    return _off_topic(state, index, rules)


def _is_interview(state: _Cleaning, index: int) -> bool:
    """Other paragraphs of the article are questions too: an interview, whose questions bring up new
    subjects in their own words ("¿Por qué cambian la letra en vivo?")."""
    return sum(bool(_QUESTION.search(state.lines[i])) for i in state.present() if i != index) >= INTERVIEW_QUESTIONS


def _off_topic(state: _Cleaning, index: int, rules: Rules) -> bool:
    """The line shares (almost) none of its content words with the title and the rest of the article (at
    most OTHER_TOPIC_SHARE of them); False when there are too few words on either side to tell."""
    own = set(_content_words(state.lines[index], rules))
    around = set(_content_words(" ".join([state.title, *(state.lines[i] for i in state.present() if i != index)]), rules))
    return len(own) >= 2 and len(around) >= MIN_TOPIC_WORDS and len(own & around) <= OTHER_TOPIC_SHARE * len(own)


def _is_leading_headline(state: _Cleaning, index: int, rules: Rules) -> bool:
    """The headline a kicker or a related-articles label always stands over, whatever its punctuation:
    one sentence, or two when off the article's topic ("Iranische Studenten sind bereit zu sterben. Sie
    bildeten einen lebenden Schild."); never a lead-in (":")."""
    line = state.lines[index]
    if _is_headline(line, rules):
        return True
    return len(line.split()) <= rules.title_max_words and len(_SENTENCE.split(line)) <= 2 and not line.endswith(":") and _off_topic(state, index, rules)


def _is_link_like(line: str, rules: Rules) -> bool:
    """A link to another article as related-article lists show them: a headline without final
    punctuation (a question is kept, interviews are made of them), never a lead-in (":")."""
    return len(line.split()) <= rules.title_max_words and not SENTENCE_END.search(line) and not line.endswith(":")


def _is_link(state: _Cleaning, index: int, rules: Rules) -> bool:
    """A link-like line under a label; of two sentences only when off the article's topic ("L'économie
    grecque a chuté. Le rendement est de 28%" after a list of links is the article going on)."""
    line = state.lines[index]
    return _is_link_like(line, rules) and (not has_inner_break(line) or _off_topic(state, index, rules))


def _strip_glyph(state: _Cleaning, index: int, rules: Rules) -> None:
    """Bullet glyphs and symbol-font residue ("w 9 décembre.") before a list item: removed, the item kept.
    A letter that is a word of the language ("v" in Czech, "a" in French) is never taken for one."""
    line = state.lines[index]
    glyph = rules.glyph.match(line)
    if not glyph or (glyph.group("letter") and glyph.group("letter").lower() in rules.one_letter):
        return
    rest = line[glyph.end() :].strip()
    state.removed.append(("bullet-glyph residue", line[: glyph.end()].strip()))
    state.lines[index] = rest
    if rest:
        _strip_glyph(state, index, rules)


def _is_article_prose(line: str, rules: Rules) -> bool:
    """A paragraph of the article's own: one jusText classifies as good (long, many stop-words; without a
    stop-list, several sentences and 30 words), not a teaser cut short or glued to its headline."""
    if _CUT_SHORT.search(line) or _GLUED_HEADLINE.search(line):
        return False
    density = stopword_density(line, rules)
    if density is None:
        return len(line.split()) >= 30 and has_inner_break(line)
    return len(line) > GOOD_PARAGRAPH_CHARS and density >= GOOD_STOPWORD_DENSITY


def _drop_related(state: _Cleaning, index: int, rules: Rules) -> bool:
    """ "Lire aussi : <link>" goes; a label alone ("Sur le même sujet") goes with the links under it (the
    first one whatever its punctuation, a label always has one; then headline-shaped lines, and other
    articles' headlines ending with "?" or "!"); a label made of link words ("À consulter aussi") is one
    alone; an end-of-page label ("Articles similaires", "Les plus lus") goes with everything after it,
    unless article prose follows."""
    line = state.lines[index]
    label = rules.related_label.match(line)
    if not label and not is_link_label(line, rules):
        return False
    after = [i for i in state.present() if i > index]
    if label and rules.trailing_label.match(line) and not any(_is_article_prose(state.lines[i], rules) for i in after):
        for i in [index, *after]:
            state.drop(i, "related-articles block")
        return True
    if label and label.group("rest"):
        state.drop(index, "related link")
        return True
    state.drop(index, "related-articles label")
    for number, i in enumerate(after[: rules.related_max_links]):
        first = number == 0 and _is_leading_headline(state, i, rules)
        if not (first or _is_link(state, i, rules) or _is_other_headline(state, i, rules)):
            break
        state.drop(i, "related link")
    return True


def _drop_teaser(state: _Cleaning, index: int, rules: Rules) -> bool:
    """ "Lire la suite »" goes, and the teaser above it when it is another article's (cut short, or a
    headline glued to its summary); a link label under a teaser cut short ("Découvrir la suite") is one."""
    previous = state.preceding(index)
    teaser = state.lines[previous] if previous is not None and len(state.lines[previous]) <= rules.teaser_max_chars else ""
    line = state.lines[index]
    if not (
        rules.teaser_link.match(line)
        or (_CUT_SHORT.search(teaser) and not rules.related_label.match(line) and is_link_label(line, rules))
    ):
        return False
    if _CUT_SHORT.search(teaser) or _GLUED_HEADLINE.search(teaser):
        state.drop(previous, "teaser (another article, cut short)")
    state.drop(index, "teaser link")
    return True


def _drop_captions(state: _Cleaning, index: int, rules: Rules) -> bool:
    """Captions ending with a credit go whole; a paragraph ending with a credit only loses the credit."""
    line = state.lines[index]
    tail = _credit_tail(line, rules)
    if tail:
        head = line[: tail.start()].rstrip()
        if (
            len(head.split()) <= rules.caption_max_words
            and not has_inner_break(head)
            and (not SENTENCE_END.search(head) or _is_verbless(head, rules))
        ):
            state.drop(index, "caption (ends with a credit)")
            return True
        if SENTENCE_END.search(head):
            state.removed.append(("credit", line[tail.start() :].strip()))
            state.lines[index] = head
            return True
    if _is_caption(line, rules):
        state.drop(index, "caption")
        return True
    return False


def _drop_with_link_under(state: _Cleaning, index: int, rule: str, rules: Rules) -> None:
    """A rubric or kicker among paragraphs, and the related article's headline under it: a kicker always
    stands over a headline; a rubric label only when a headline-shaped line or another article's headline
    follows it."""
    following = state.following(index)
    state.drop(index, rule)
    if following is not None and (
        (rule == "kicker" and (_is_link_like(state.lines[following], rules) or _is_leading_headline(state, following, rules)))
        or _is_link(state, following, rules)
        or _is_other_headline(state, following, rules)
    ):
        state.drop(following, f"related link (under a {rule})")


def _drop_boilerplate(state: _Cleaning, rules: Rules) -> None:
    for i in range(len(state.lines)):
        if state.lines[i]:
            _strip_glyph(state, i, rules)
        line = state.lines[i]
        if not line:
            continue
        if _drop_teaser(state, i, rules) or _drop_related(state, i, rules):
            continue
        kind = _boilerplate_kind(line, rules)
        if _kicker(line, rules):
            _drop_with_link_under(state, i, "kicker", rules)
        elif kind:
            state.drop(i, kind)
        elif _drop_captions(state, i, rules):
            continue
        elif _is_all_caps(line, rules):
            state.drop(i, "all-caps caption or credit")
        elif _is_label(line, rules, strict=True) or (line.endswith(".") and fold(line[:-1]) in rules.rubric):
            _drop_with_link_under(state, i, "rubric label", rules)
        elif is_bio(line, rules):
            previous = state.preceding(i)
            if previous is not None and _is_name(state.lines[previous]):
                state.drop(previous, "author name")
            state.drop(i, "author bio")


def _sentence_keys(paragraph: str) -> list[str]:
    return [key for key in (fingerprint(s) for s in _SENTENCE.split(paragraph)) if key]


def _drop_repeats(state: _Cleaning) -> None:
    """Drop paragraphs made only of whole sentences seen earlier in the article (never on substrings:
    "Non." is not a repeat of "annonce"); short ones ("Non.") legitimately repeat and stay."""
    seen: set[str] = set()
    for i in state.present():
        keys = _sentence_keys(state.lines[i])
        if keys and sum(len(k.split()) for k in keys) >= MIN_COPY_WORDS and all(k in seen for k in keys):
            state.drop(i, "repeated paragraph")
        else:
            seen.update(keys)


def _drop_headline_copies(state: _Cleaning, headline: str) -> None:
    """Drop the headline repeated in the text, whole or cut short, with or without its rubric in front."""
    copies = {fingerprint(headline), fingerprint(f"{state.metadata.get('section', '')} {headline}")}
    longest = max(len(copy.split()) for copy in copies)
    for i in state.present():
        if len(state.lines[i].split()) > 2 * longest:
            continue
        key = fingerprint(state.lines[i])
        if key in copies or (key.count(" ") + 1 >= 4 and any(c.startswith(key + " ") for c in copies)):
            state.drop(i, "copy of the headline")


def _first_sentence(text: str, max_words: int) -> str:
    match = re.search(r"^.+?[.!?…](?=\s|$)", text)
    sentence = match.group(0) if match else text
    words = sentence.split()
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def clean_article(article: IngestedArticle, cluster_id: str | None = None, language: str = DEFAULT_LANGUAGE) -> CleanArticle:
    """Separate metadata, title and body text of one ingested article written in `language`."""
    rules = load_rules(language)
    lines, gap_after = rejoin_wrapped(article.text, rules)
    state = _Cleaning(lines, gap_after, set(), {}, [])
    _extract_metadata(state, rules, cluster_id)
    _extract_bylines(state, rules)
    title = _pick_title(state, rules)
    if title is not None:
        state.title = title
        _drop_headline_copies(state, title)
    _extract_datelines(state, rules)
    _drop_boilerplate(state, rules)
    _drop_repeats(state)
    paragraphs = tuple(line for line in state.lines if line)
    if title is None:
        title = _first_sentence(paragraphs[0], rules.title_max_words) if paragraphs else article.id
    return CleanArticle(
        id=article.id,
        path=article.path,
        sha256=article.sha256,
        title=title,
        metadata=state.metadata,
        paragraphs=paragraphs,
        removed=tuple(state.removed),
        language=language,
    )
