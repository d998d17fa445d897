"""Faithfulness checks: numbers and names in the English output that no source backs.

Translations are checked sentence by sentence against their French source sentence: every
number must match one of the source's (formats normalised by summarize/numbers.py), every name
must be found in it, and digits and names of the source must not vanish. Briefs and the cluster
summary are checked against the English translations of their sources.

Names are runs of capitalised words ("Corée du Nord", "Kim Jong Un"), compared word by word,
case- and accent-insensitively, through a spelling key that folds common French/English
spelling differences (Poutine/Putin, Choïgou/Shoigu, Moscou/Moscow). Variants that share no
spelling ("Maison Blanche"/"White House", "RPDC"/"DPRK") are learned from the alignment itself:
a pair of names left unmatched together in at least two sentence pairs is a translation of one
another. A first name the source sentence leaves out is backed when the full name appears in
another source sentence (M. Sullivan ... Jake Sullivan). Tables, not a dictionary, hold the rest:
names that translate by convention (CLDR and rules/names.toml), common nouns that one language
capitalises inside names ('Queen', 'Chambre': generic_words in rules/checks-<code>.toml), and
acronyms are matched to the words they abbreviate on the other side ('PA', 'Autorité palestinienne').
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Sequence

from anyascii import anyascii

from summarize.errors import VerifyError
from summarize.lexicon import TARGET, lexicon, name_groups
from summarize.numbers import converted, find_numbers, imperial_measures, roman_ordinal, support_of, vocabulary
from summarize.records import CheckItem
from summarize.text import fold

METHOD = "checks:numbers-names-v4"  # v4: an article before digits is no number ("a 90 million dollar plan")
DEFAULT_LANGUAGE = "fr"

# Function words of the default source language and of English (provenance reads content words with them).
STOPWORDS = lexicon(DEFAULT_LANGUAGE).stopwords | lexicon(TARGET).stopwords

_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_CLITIC = re.compile(r"['’](?:s|m|re|ve|ll|d|t)$", re.IGNORECASE)  # possessive 's, I'm, they're, don't
_JOINING_GAP = re.compile(r"[ \u00a0]+(?:[dl]['’])?|[dl]['’]|['’]s[ \u00a0]+")  # Corée du Nord, Conseil d'État, People's Republic
_SENTENCE_START = re.compile(r"[.!?…:;«\"“(—–\n'‘]")
_SPELLING = [
    (re.compile(p), r)
    for p, r in (
        ("ou", "u"), ("ch", "sh"), ("qu", "k"), ("ck", "k"), ("c(?=[eiy])", "s"), ("c", "k"), ("ph", "f"),
        ("th", "t"), ("d$", "t"), ("y", "i"), ("gu(?=[ei])", "g"), ("œ", "oe"), ("dzh", "j"),  # Джобс/Jobs
    )
]
ACRONYM = "#"  # marks the spelling key of an all-capitals word of at most five letters
MIN_LEARNED = 2  # sentence pairs in which two names must be left unmatched together to count as variants
_QUOTED = re.compile(r"[\"“«„]\s*([^\"“”«»„]{3,80}?)\s*[\"”»“]")  # a quoted span: a title, a slogan, a quote
TITLE_SHARE = 0.75
_FINAL_STOP = re.compile(r"[.!?…:;]['’\"”»)]*\s*$")  # a sentence ends so; a headline does not  # share of capitalised longer words above which a line is set in title case


@dataclass(frozen=True)
class _Conventions:
    """How a text in one source language (read together with English) writes its names."""

    stopwords: frozenset[str]
    particles: frozenset[str]
    calendar: frozenset[str]  # month and weekday names: capitalised in English, never names
    not_names: frozenset[str]  # number words, common nouns written capitalised ('État')
    elision: re.Pattern | None
    nouns_capitalised: bool
    cases: bool
    language: str | None  # 'XVe' in French and 'XXth' in English are numbers, not names


@lru_cache(maxsize=1)
def _currency_codes() -> frozenset[str]:
    """ISO 4217 codes ('USD', 'CAD'): units a translator adds or drops, not names."""
    from babel.numbers import list_currencies

    return frozenset(fold(code) for code in list_currencies())


@lru_cache(maxsize=32)
def conventions(language: str | None) -> _Conventions:
    """The conventions of `language` together with English's: the source and its translation are
    read with the same ones, so a text checked against itself always agrees."""
    own, english = lexicon(language), lexicon(TARGET)
    tables = (own, english)
    numbers = vocabulary(language)
    elisions = sorted(own.elisions, key=len, reverse=True)
    return _Conventions(
        stopwords=own.stopwords | english.stopwords,
        particles=own.particles | english.particles,
        calendar=frozenset(w for t in tables for w in [*t.months, *t.weekdays]),
        not_names=frozenset(numbers.words) | frozenset(numbers.scales) | own.capitalised_nouns | own.not_names
        | english.not_names | _currency_codes(),
        elision=re.compile(rf"(?i)^(?:{'|'.join(map(re.escape, elisions))})['’](?=[^\W\d_])") if elisions else None,
        nouns_capitalised=own.nouns_capitalised,
        cases=own.cases,
        language=language,
    )


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    parts: tuple[str, ...]  # folded pieces between hyphens
    capitalised: bool
    acronym: bool
    initial: bool  # first word of a sentence, a quote or a clause after a colon, or any word of a title-case line
    in_title: bool = False  # the line is set in title case


@dataclass(frozen=True)
class Name:
    text: str
    keys: tuple[str, ...]  # spelling keys of its significant words
    forms: tuple[str, ...] = ()  # those words as written, one per key ('Queen' for 'kueen')


def latin(word: str) -> str:
    """Letters of any script in Latin: 'Тимошенко' -> 'Timoshenko', 'Τσίπρας' -> 'Tsipras'."""
    return word if word.isascii() else re.sub(r"[^\w]", "", anyascii(word)) or word


@lru_cache(maxsize=65536)
def spelling_key(word: str) -> str:
    """Folded Latin word with spelling differences evened out: 'Choïgou' -> 'shoigu', 'Путин' -> 'putin'."""
    key = fold(latin(word))
    for pattern, replacement in _SPELLING:
        key = pattern.sub(replacement, key)
    return key


@lru_cache(maxsize=262144)
def similar(a: str, b: str) -> bool:
    """Two spelling keys name the same thing: equal, sharing a long prefix (Russia/russe,
    Putin/Poutine) or nearly equal (North/Nord). Acronyms match acronyms with the same letters
    in another order (RPDC/DPRK, ONU/UN, OTAN/NATO), and words only when spelled out in full."""
    if a == b:
        return True
    if a[0] == ACRONYM or b[0] == ACRONYM:
        return _acronyms_match(a, b)
    shortest = min(len(a), len(b))
    prefix = len(_common_prefix(a, b))
    if prefix >= 4 and prefix >= 0.6 * shortest:
        return True
    if shortest < 4 or abs(len(a) - len(b)) > max(len(a), len(b)) // 2:
        return False
    matcher = SequenceMatcher(None, a, b)
    return matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75 and matcher.ratio() >= 0.75


def _acronyms_match(a: str, b: str) -> bool:
    """Acronym keys hold their letters as written ('#bce'), so BCE/ECB compare letter for letter."""
    if a[0] == ACRONYM and b[0] == ACRONYM:
        if abs(len(a) - len(b)) > 1:
            return False
        return any(  # raw letters (BCE/ECB) or spelled ones (RPDC/DPRK: c as k)
            short <= long
            for short, long in (sorted((set(x), set(y)), key=len) for x, y in ((a[1:], b[1:]), (spelling_key(a[1:]), spelling_key(b[1:]))))
        )
    bare_a, bare_b = (spelling_key(k[1:]) if k[0] == ACRONYM else k for k in (a, b))
    return bare_a == bare_b and len(bare_a) >= 4  # 'SEOUL' / 'Seoul', 'TASS' / 'Tass'


def _loosely_similar(a: str, b: str) -> bool:
    """The weaker test used only between names both sides leave unmatched (United/Unies)."""
    if a[0] == ACRONYM or b[0] == ACRONYM:
        return False
    return len(_common_prefix(a, b)) >= 3 or SequenceMatcher(None, a, b).ratio() >= 0.6


def _common_prefix(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return a[:i]
    return a[: min(len(a), len(b))]


def _title_case(found: list[Word], stopwords: frozenset[str], text: str) -> bool:
    """A headline set in title case ('Parliament Does Not Support Amendment', 'Multispeed Europe
    Is Coming', 'Mass Slaughter on a Personal Level'): most longer words after the first are
    capitalised, function words among them, or all of three or more in a line with no final stop."""
    inner = [w for w in found[1:] if len(w.text) >= 4 and not w.acronym]
    capitalised = [w for w in inner if w.capitalised]
    if len(inner) < 2 or len(capitalised) < TITLE_SHARE * len(inner):
        return False
    headline = len(inner) >= 3 and len(capitalised) == len(inner) and not _FINAL_STOP.search(text)
    return headline or len(capitalised) >= 6 or any(fold(w.text) in stopwords for w in found[1:] if w.capitalised)


@lru_cache(maxsize=16384)
def words(text: str, language: str | None = DEFAULT_LANGUAGE) -> tuple[Word, ...]:
    """Words of `text` without elisions (l', d'), possessives and clitics ('s, I'm); cached, as
    each sentence is read as a source, as a translation and as summary material. In a title-case
    line every word counts as initial: its capitals say nothing."""
    rules = conventions(language)
    found = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        surface, start = match.group(), match.start()
        elision = rules.elision.match(surface) if rules.elision else None
        if elision:
            surface, start = surface[elision.end() :], start + elision.end()
        surface = _CLITIC.sub("", surface)
        gap = text[previous_end : match.start()]
        initial = not found or bool(_SENTENCE_START.search(gap))
        parts = tuple(fold(p) for p in re.split(r"-", surface) if p)
        acronym = surface.isupper() and 2 <= len(surface) <= 5
        found.append(Word(surface, start, parts, surface[:1].isupper(), acronym, initial))
        previous_end = match.end()
    if _title_case(found, rules.stopwords, text):
        found = [Word(w.text, w.start, w.parts, w.capitalised, w.acronym, True, True) for w in found]
    for quote in _QUOTED.finditer(text):  # a title in title case: "The Beauty and the Sorrow", not "The New York Times"
        inside = [i for i, w in enumerate(found) if quote.start(1) <= w.start < quote.end(1)]
        longer = [found[i] for i in inside if len(found[i].text) >= 4 and not found[i].acronym]
        lowercase = [found[i] for i in inside if not found[i].capitalised]
        if len(longer) >= 2 and all(w.capitalised for w in longer) and lowercase and all(fold(w.text) in rules.stopwords for w in lowercase):
            for i in inside:
                w = found[i]
                found[i] = Word(w.text, w.start, w.parts, w.capitalised, w.acronym, True, True)
    return tuple(found)


def _is_name_word(word: Word, rules: _Conventions) -> bool:
    folded = fold(word.text)
    return (
        word.capitalised
        and folded not in rules.stopwords
        and folded not in rules.calendar
        and folded not in rules.not_names
        and not all(p in rules.not_names for p in word.parts)  # 'les Vingt-Sept' is a number
        and not roman_ordinal(word.text, rules.language)
    )


def _key(word: Word, part: str) -> str:
    return ACRONYM + fold(latin(part)) if word.acronym else spelling_key(part)


def _significant(word: Word, rules: _Conventions) -> list[str]:
    return [key for key, _ in _significant_forms(word, rules)]


def _significant_forms(word: Word, rules: _Conventions) -> list[tuple[str, str]]:
    """(spelling key, word piece as written) of each piece of `word` that can carry a name."""
    pieces = [p for p in re.split(r"-", word.text) if p]
    return [
        (_key(word, p), piece)
        for p, piece in zip(word.parts, pieces)
        if p not in rules.stopwords and p not in rules.particles and p not in rules.calendar and (len(p) >= 3 or word.acronym)
        and not (piece[:1].islower() and len(pieces) > 1)  # 'Frankfurt-based', 'Dax-listed': the lowercase tail is no name
    ]


def known_name_words(texts: Iterable[str], language: str | None = DEFAULT_LANGUAGE) -> set[str]:
    """Capitalised words seen inside a sentence somewhere in `texts`: proper names, so a
    sentence that starts with one ('Moscou a nié') still counts it, unlike 'Interrogé sur'."""
    rules = conventions(language)
    return {fold(w.text) for text in texts for w in words(text, language) if _is_name_word(w, rules) and not w.initial}


def common_words(texts: Iterable[str], language: str | None = DEFAULT_LANGUAGE, stems: bool = False) -> set[str]:
    """Words written in lowercase somewhere in `texts`: no names, even where a sentence opens with
    them. With `stems` (a source language whose words change with case), their stems too
    ('~всемирн' covers 'Всемирной')."""
    found = {fold(w.text) for text in texts for w in words(text, language) if not w.capitalised}
    return found | {"~" + stem(w) for w in found} if stems else found


def _is_common(word: Word, common: set[str] | frozenset[str], rules: _Conventions) -> bool:
    folded = fold(word.text)
    return folded in common or (rules.cases and "~" + stem(folded) in common)


def find_names(text: str, known: set[str], language: str | None = DEFAULT_LANGUAGE, common: set[str] | frozenset[str] = frozenset()) -> list[Name]:
    """Runs of capitalised words, joined across particles ('Corée du Nord'). A word the text
    also writes in lowercase (`common`: 'the president', 'foster care') is no name. A capitalised
    word that opens a sentence (or stands in a title-case line) counts when it is a known name or
    an acronym, or when it leads a run of names ('Tom Sullivan said')."""
    rules = conventions(language)
    tokens = words(text, language)
    names: list[Name] = []
    run: list[Word] = []

    def close() -> None:
        while run and not run[-1].capitalised:  # a particle that led nowhere
            run.pop()
        name_words = [w for w in run if _is_name_word(w, rules) and (w.acronym or not _is_common(w, common, rules))]
        name_words = [
            w
            for w in name_words
            if not w.initial or fold(w.text) in known or w.text.isupper() or (len(name_words) > 1 and not w.in_title)
        ]
        significant = [pair for w in name_words for pair in _significant_forms(w, rules)]
        if significant:
            keys, forms = zip(*significant)
            names.append(Name(text[name_words[0].start : run[-1].start + len(run[-1].text)], keys, forms))
        run.clear()

    for i, word in enumerate(tokens):
        joined = run and _JOINING_GAP.fullmatch(text[tokens[i - 1].start + len(tokens[i - 1].text) : word.start])
        if _is_name_word(word, rules) and (not run or joined):
            run.append(word)
        elif run and joined and (word.capitalised or fold(word.text) in rules.particles):
            run.append(word)  # 'Kim Jong Un', 'Corée du Nord', 'Marine Le Pen'; a trailing particle is dropped
        else:
            close()
            if _is_name_word(word, rules):
                run.append(word)
    close()
    return names


@lru_cache(maxsize=16384)
def word_keys(text: str, language: str | None = DEFAULT_LANGUAGE) -> frozenset[str]:
    """Spelling keys of every word piece of `text`, names or not ('président' backs 'President'),
    and of hyphenated words written as one ('Wi-Fi' backs 'WiFi')."""
    found = words(text, language)
    return frozenset(_key(w, p) for w in found for p in w.parts) | {
        spelling_key("".join(w.parts)) for w in found if len(w.parts) > 1
    }


def _backed(key: str, vocabulary: frozenset[str] | set[str]) -> bool:
    return key in vocabulary or any(similar(key, other) for other in vocabulary)


# --- names that translate by convention ----------------------------------------------------


@lru_cache(maxsize=32)
def _group_forms(language: str | None) -> tuple[dict[str, list[tuple[str, ...]]], dict[str, list[tuple[str, str]]]]:
    """Conventional names (summarize.lexicon.name_groups) as spelling keys: group -> forms, and
    an index from a key's first two letters to (key, group) for every word of every form."""
    rules = conventions(language)
    forms: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for group, names in name_groups(language).items():
        for name in names:
            keys = tuple(k for w in words(name, language) for k in _significant(w, rules) or [_key(w, p) for p in w.parts])
            if keys:
                forms[group].append(keys)
                for key in keys:
                    index[key[:2]].append((key, group))
    return dict(forms), dict(index)


@lru_cache(maxsize=65536)
def groups_of(key: str, language: str | None) -> frozenset[str]:
    """Conventional names one of whose words `key` spells ('allemande' -> the group of Germany)."""
    _, index = _group_forms(language)
    return frozenset(group for other, group in index.get(key[:2], ()) if similar(key, other))


@lru_cache(maxsize=16384)
def groups_in(vocabulary: frozenset[str], language: str | None) -> frozenset[str]:
    """Conventional names written in full in a text with these word keys ('États-Unis', 'US')."""
    forms, _ = _group_forms(language)
    candidates = {group for key in vocabulary for group in groups_of(key, language)}
    return frozenset(
        group for group in candidates if any(all(_backed(k, vocabulary) for k in form) for form in forms[group])
    )


@lru_cache(maxsize=65536)
def places_or_peoples(key: str, language: str | None) -> frozenset[str]:
    """Conventional names that `key` is by itself or is derived from: a country, city or body, or
    its people ('Allemagne', 'japonaise' from 'Japon', 'Swedish'), not only a word of one ('Orient'
    of 'Moyen-Orient'); a derived word shares the name's stem ('pays' is no 'Paris')."""
    forms, _ = _group_forms(language)
    return frozenset(
        group
        for group in groups_of(key, language)
        for form in forms[group]
        if len(form) == 1 and len(prefix := _common_prefix(key, form[0])) >= 4 and len(prefix) > 0.8 * min(len(key), len(form[0]))
    )


def _conventional(key: str, language: str | None, other_vocabulary: frozenset[str], other_language: str | None) -> bool:
    """`key` is a word of a name the other side writes in its own way ('German' for 'allemand')."""
    groups = groups_of(key, language)
    return bool(groups) and bool(groups & groups_in(other_vocabulary, other_language))


# --- checking translations -------------------------------------------------------------------


@dataclass
class _PairNames:
    """One sentence pair's names and which of their words the other side backs."""

    source_names: list[Name]
    target_names: list[Name]
    source_vocabulary: frozenset[str]
    target_vocabulary: frozenset[str]
    unmatched_target: set[str]
    unmatched_source: set[str]


@dataclass(frozen=True)
class _Known:
    """What the whole text says about its words: names seen inside sentences, words seen in lowercase."""

    names: set[str]
    common: set[str]
    recurring: set[str]  # spelling keys of names written inside sentences of two texts or more

    @classmethod
    def of(cls, texts: Sequence[str], language: str | None, source: bool = False) -> _Known:
        stems = source and conventions(language).cases
        rules = conventions(language)
        seen = Counter(
            key
            for text in texts
            for key in {_key(w, p) for w in words(text, language) if _is_name_word(w, rules) and not w.initial for p in w.parts}
        )
        recurring = {key for key, count in seen.items() if count >= 2}
        return cls(known_name_words(texts, language), common_words(texts, language, stems), recurring)


def _match_pair(source: str, target: str, known_source: _Known, known_target: _Known, language: str | None) -> _PairNames:
    source_names = find_names(source, known_source.names, language, known_source.common)
    target_names = find_names(target, known_target.names, language, known_target.common)
    source_vocabulary, target_vocabulary = word_keys(source, language), word_keys(target, language)
    unmatched_target = {
        k
        for n in target_names
        for k in n.keys
        if not _backed(k, source_vocabulary) and not _conventional(k, TARGET, source_vocabulary, language)
    }
    unmatched_source = {
        k
        for n in source_names
        for k in n.keys
        if not _backed(k, target_vocabulary) and not _conventional(k, language, target_vocabulary, TARGET)
    }
    unmatched_target -= {k for k in unmatched_target if k[0] == ACRONYM and _spelled_out(k, source, language)}
    unmatched_source -= {k for k in unmatched_source if k[0] == ACRONYM and _spelled_out(k, target, language)}
    loose = {(t, s) for t in unmatched_target for s in unmatched_source if _loosely_similar(t, s)}
    unmatched_target -= {t for t, _ in loose}
    unmatched_source -= {s for _, s in loose}
    return _PairNames(source_names, target_names, source_vocabulary, target_vocabulary, unmatched_target, unmatched_source)


def _spelled_out(key: str, text: str, language: str | None) -> bool:
    """The other side writes the acronym's words out ('PA' / 'Autorité palestinienne', 'DNF' /
    'Did Not Finish'): as many consecutive words as it has letters, the first capitalised, their
    initials its letters in any order; lowercase function words in between do not count."""
    letters = sorted(key[1:])
    rules = conventions(language)
    tokens = [(fold(latin(w.text))[:1], w.capitalised, fold(w.text) in rules.stopwords) for w in words(text, language)]
    for start, (_, capitalised, _) in enumerate(tokens):
        if not capitalised:
            continue
        initials = [initial for initial, upper, function in tokens[start:] if upper or not function][: len(letters)]
        if sorted(initials) == letters:
            return True
    return False


def stem(key: str) -> str:
    """A source word key without its last two letters, so the cases of an inflected name count
    together ('feisbuke', 'feisbuka' -> 'feisbu'); short keys stay whole."""
    return key if len(key) <= 5 or key[0] == ACRONYM else key[:-2]


def learn_variants(pairs: Sequence[_PairNames]) -> set[tuple[str, str]]:
    """(target word, source stem) left unmatched together in at least MIN_LEARNED sentence
    pairs and in at least half of the pairs where either appears unmatched."""
    together: Counter = Counter()
    target_seen: Counter = Counter()
    source_seen: Counter = Counter()
    for pair in pairs:
        source_stems = {stem(s) for s in pair.unmatched_source}
        target_seen.update(pair.unmatched_target)
        source_seen.update(source_stems)
        together.update((t, s) for t in pair.unmatched_target for s in source_stems)
    return {
        (t, s)
        for (t, s), count in together.items()
        if count >= MIN_LEARNED and 2 * count >= target_seen[t] and 2 * count >= source_seen[s]
    }


def _carried_over(matched: Sequence[_PairNames]) -> Iterable[str]:
    """Source name keys that the translations write as names of their own in at least half the
    sentence pairs where they appear: names (Merkel), not nouns a name now and then shares (Auto)."""
    seen: Counter = Counter()
    carried: Counter = Counter()
    for names in matched:
        source_keys = {k for n in names.source_names for k in n.keys}
        target_keys = _KeyIndex(k for n in names.target_names for k in n.keys)
        seen.update(source_keys)
        carried.update(k for k in source_keys if k in target_keys)
    return (k for k, count in carried.items() if 2 * count >= seen[k])


class _KeyIndex:
    """Spelling keys bucketed by their first two letters, looked up with `match`: by default
    strictly, equal or one an inflection of the other (Merkels/Merkel)."""

    def __init__(self, keys: Iterable[str], match: Callable[[str, str], bool] | None = None) -> None:
        self._buckets: dict[str, set[str]] = defaultdict(set)
        self._match = match or _same_stem
        for key in keys:
            self._buckets[key[:2]].add(key)

    def __contains__(self, key: str) -> bool:
        return any(self._match(key, other) for other in self._buckets.get(key[:2], ()))


def _same_stem(a: str, b: str) -> bool:
    """Equal, or the longer one is the shorter one with an ending of at most three letters."""
    shorter, longer = sorted((a, b), key=len)
    return a == b or (len(shorter) >= 4 and len(longer) - len(shorter) <= 3 and longer.startswith(shorter))


@dataclass(frozen=True)
class TranslationPair:
    """One source sentence and its English translation, and where it sits in the cluster."""

    article: str
    index: int
    source: str
    translation: str


def check_translations(pairs: Sequence[TranslationPair], source_language: str | None = DEFAULT_LANGUAGE) -> list[CheckItem]:
    """Numbers and names of each translation that its source sentence (in `source_language`,
    ISO 639-1) does not back, and digits and names of the source sentence that the translation lost."""
    language = source_language
    known_source = _Known.of([p.source for p in pairs], language, source=True)
    known_target = _Known.of([p.translation for p in pairs], language)
    matched = [_match_pair(p.source, p.translation, known_source, known_target, language) for p in pairs]
    variants = learn_variants(matched)
    # Where every noun is capitalised (German), a source word is a name only where some other
    # translation carries it over as it is (Merkel, Merkels).
    carried = set(_carried_over(matched)) if conventions(language).nouns_capitalised else None
    named = _KeyIndex((k for names in matched for n in names.target_names for k in n.keys), similar)
    full_names: dict[str, dict[str, list[Name]]] = {}  # article -> first two letters of a word -> source names
    for pair, names in zip(pairs, matched):
        for name in names.source_names:
            for key in set(name.keys):
                full_names.setdefault(pair.article, {}).setdefault(key[:2], []).append(name)
    items: list[CheckItem] = []
    for pair, names in zip(pairs, matched):
        found = _number_findings(pair.source, pair.translation, language)
        losses = [
            (name, [k for k in name.keys if k in names.unmatched_source and not _variant_present(k, names, variants) and (carried is None or k in carried)])
            for name in names.source_names
        ]
        # A common noun the source capitalises in a name ('Chambre', 'Fédération') that no translation
        # in the text writes as a name: rendered as a common noun or by the body's own name, it is no loss.
        firm = [(name, [k for k, form in zip(name.keys, name.forms) if k in lost and not _common_noun(k, form, language, named)]) for name, lost in losses]
        # A common noun the English capitalises in a name ('Queen', 'Hurricane') renders a common noun
        # of the source, unless a name of the source went missing: then it may stand in its place.
        lenient = not any(lost for _, lost in firm)
        unsupported = []
        for name in names.target_names:
            unbacked = [
                k
                for k, form in zip(name.keys, name.forms)
                if not _target_word_backed(k, name, names, variants, full_names.get(pair.article, {}))
                and not (lenient and _descriptive(k, form))
            ]
            if not _tolerable(name, unbacked, known_target.recurring):
                unsupported.append(("name", "unsupported", name.text))
        found += unsupported
        for name, lost in losses if unsupported else firm:  # beside an invented name, a lost common noun is lost too
            # 'Sullivan' for 'Jake Sullivan' is no loss; 'Minister' for 'Défense Sergueï Choïgou' and 'Larry Ohio' for 'Larry Nassar' are
            if 2 * len(lost) > len(name.keys) or (len(name.keys) == 2 and name.keys[-1] in lost):
                found.append(("name", "missing", name.text))
        items.extend(
            CheckItem(kind, problem, text, "translation", pair.article, pair.index, pair.translation, pair.source)
            for kind, problem, text in dict.fromkeys(found)
        )
    return items


def _descriptive(key: str, form: str) -> bool:
    """A common English noun capitalised by convention inside a name ('Queen', 'Hurricane',
    'Gulf'), not a place or people the conventional names know."""
    return form[:1].isupper() and not form.isupper() and generic(form, TARGET) and not places_or_peoples(key, TARGET)


def generic(form: str, language: str | None) -> bool:
    """`form` is one of the common nouns `language` capitalises inside names (its table's generic_words)."""
    return fold(form) in lexicon(language).generic_words


def _common_noun(key: str, form: str, language: str | None, named: _KeyIndex) -> bool:
    """A common noun of the source language capitalised at the head of a name ('Chambre',
    'Fédération') that no translation in the text writes as a name, nor a place or people the
    conventional names know."""
    return not form.isupper() and generic(form, language) and key not in named and not places_or_peoples(key, language)


def _tolerable(name: Name, unbacked: list[str], recurring: set[str] | frozenset[str] = frozenset()) -> bool:
    """A long name may word one of its descriptive words differently ('National Security
    Adviser Jake Sullivan' for 'conseiller ... Jake Sullivan'); its last word, the surname or
    head noun, must be backed, and the odd word must be no name the text uses elsewhere
    (`recurring`: 'Prime Harper Stephen Harper' is a swap, not a rewording) nor a place or people
    ('Munich-based Deutsche Bank' for the bank 'de Francfort')."""
    if not unbacked:
        return True
    odd = unbacked[0]
    return len(name.keys) >= 3 and len(unbacked) == 1 and odd != name.keys[-1] and odd not in recurring and not places_or_peoples(odd, TARGET)


def _number_findings(source: str, translation: str, language: str | None) -> list[tuple[str, str, str]]:
    source_numbers, target_numbers = find_numbers(source, language), find_numbers(translation, TARGET)
    source_support, target_support = support_of(source_numbers), support_of(target_numbers)
    unsupported = [m for m in target_numbers if m.checked and not m.readings & source_support]
    missing = [m for m in source_numbers if m.checked and m.digits and not (m.support & target_support)]
    if unsupported or missing:  # a metric quantity the translation gives in imperial units: '450 kg', '1,000 pounds'
        measures = imperial_measures(translation)
        converted_source, converted_measures = converted(source_numbers, measures)
        converted_target = {measures[j][0] for j in converted_measures}
        unsupported = [m for m in unsupported if m not in converted_target]
        missing = [m for i, m in enumerate(source_numbers) if m in missing and i not in converted_source]
    return [("number", "unsupported", m.text) for m in unsupported] + [("number", "missing", m.text) for m in missing]


def _variant_present(source_key: str, names: _PairNames, variants: set[tuple[str, str]]) -> bool:
    return any(s == stem(source_key) and t in names.target_vocabulary for t, s in variants)


def _target_word_backed(
    key: str, name: Name, names: _PairNames, variants: set[tuple[str, str]], article_names: dict[str, list[Name]]
) -> bool:
    if key not in names.unmatched_target:
        return True
    source_stems = {stem(k) for k in names.source_vocabulary}
    if any(t == key and s in source_stems for t, s in variants):
        return True
    # A name the source sentence shortens ('M. Sullivan'), given in full in another sentence of the article.
    partners = [k for k in name.keys if k != key and k not in names.unmatched_target]
    return bool(partners) and any(
        any(similar(key, k) for k in other.keys) and any(similar(p, k) for p in partners for k in other.keys)
        for other in article_names.get(key[:2], ())
    )


def check_summary(sentences: Sequence[str], sources: Sequence[str], where: str, article: str) -> list[CheckItem]:
    """Numbers and names of a brief or of the cluster summary that appear in none of the
    English translations it was made from."""
    number_support = support_of([m for text in sources for m in find_numbers(text, TARGET)])
    vocabulary = {k for text in sources for k in word_keys(text, TARGET)}
    known = _Known.of([*sources, *sentences], TARGET)
    items = []
    for index, sentence in enumerate(sentences):
        found = [("number", m.text) for m in find_numbers(sentence, TARGET) if m.checked and not m.readings & number_support]
        found += [
            ("name", n.text)
            for n in find_names(sentence, known.names, TARGET, known.common)
            if not _tolerable(n, [k for k in n.keys if not _backed(k, vocabulary)])
        ]
        items.extend(CheckItem(kind, "unsupported", text, where, article, index, sentence) for kind, text in dict.fromkeys(found))
    return items


def read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file, without trailing blank lines."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").split("\n")  # only newlines end a line, not U+2028
    except UnicodeDecodeError:
        raise VerifyError(f"{path}: not UTF-8 text; convert it (e.g. iconv -t UTF-8) and retry") from None
    except OSError as err:
        raise VerifyError(f"{path}: cannot read ({err.strerror}); pass a readable text file, one sentence per line") from None
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def verify_files(source_path: Path, translation_path: Path, source_language: str | None = DEFAULT_LANGUAGE) -> list[CheckItem]:
    """Check a translation file against its source file (in `source_language`), line by line."""
    sources, translations = read_lines(source_path), read_lines(translation_path)
    if len(sources) != len(translations):
        raise VerifyError(
            f"{translation_path}: {len(translations)} lines but {source_path} has {len(sources)}; "
            "the files must be aligned, one sentence per line"
        )
    return verify_lines(sources, translations, source_language)


def verify_lines(sources: Sequence[str], translations: Sequence[str], source_language: str | None = DEFAULT_LANGUAGE) -> list[CheckItem]:
    """Check aligned lines as one text, as `summarize verify` does; blank pairs keep their place."""
    pairs = [TranslationPair("", i, s, t) for i, (s, t) in enumerate(zip(sources, translations)) if s.strip() or t.strip()]
    return check_translations(pairs, source_language)
