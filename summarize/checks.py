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
another source sentence (M. Sullivan ... Jake Sullivan). No dictionary is involved.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from summarize.errors import VerifyError
from summarize.numbers import find_numbers, support_of
from summarize.records import CheckItem
from summarize.text import fold

METHOD = "checks:numbers-names-v1"

STOPWORDS = frozenset(
    fold(w)
    for w in """
    a à afin ai ainsi alors après au aucun aucune aujourd auprès aussi autre autres aux avant avec avoir
    ce ceci cela celle celles celui cependant ces cet cette ceux chaque chez ci comme comment contre
    dans de depuis des dès deux donc dont du elle elles en encore entre est et été être eux il ils
    jamais je jusqu la le les leur leurs lors lorsque lui ma mais malgré me même mes moi moins mon
    ne ni nos notre nous on ont or ou où par parmi pas pendant peu plus pour pourtant puis quand que
    quel quelle quelles quels qui quoi sa sans se selon ses si sinon son sont sous sur ta tandis te
    tes toi ton tous tout toute toutes très tu un une vers vos votre vous voici voilà y ça
    cependant désormais ensuite enfin toutefois néanmoins ailleurs certes
    m mme mlle mm mr mrs ms dr prof st
    about above according across after again against all also although among an and another any are
    as at be because been before being below between both but by can could did do does during each
    either even ever every few for from had has have having he her here hers him his how however if
    in into is it its itself just last later many may meanwhile might more most much must my neither
    never next no nor not now of off on once one only or other others our out over own per perhaps
    same she should since so some still such than that the their theirs them then there these they
    this those though through thus to too under until up upon us very was we were what when where
    whether which while who whom whose why will with within without would yet you your yesterday
    today tomorrow earlier meanwhile asked speaking
    """.split()
)
CALENDAR = frozenset(
    fold(w)
    for w in """
    lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars avril mai juin juillet
    août septembre octobre novembre décembre monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    """.split()
)
PARTICLES = frozenset("de du des la le d of the van von der den al bin ben el y da di dos do".split())

_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_ELISION = re.compile(r"(?i)^(?:l|d|j|qu|n|s|c|m|t|jusqu|lorsqu|puisqu|quoiqu)['’](?=[^\W\d_])")
_POSSESSIVE = re.compile(r"['’]s$")
_JOINING_GAP = re.compile(r"[ \u00a0]+(?:[dl]['’])?|[dl]['’]|['’]s[ \u00a0]+")  # Corée du Nord, Conseil d'État, People's Republic
_SENTENCE_START = re.compile(r"[.!?…:;«\"“(—–\n'‘]")
_SPELLING = [
    (re.compile(p), r)
    for p, r in (
        ("ou", "u"), ("ch", "sh"), ("qu", "k"), ("ck", "k"), ("c(?=[eiy])", "s"), ("c", "k"), ("ph", "f"),
        ("th", "t"), ("d$", "t"), ("y", "i"), ("gu(?=[ei])", "g"), ("œ", "oe"),
    )
]
ACRONYM = "#"  # marks the spelling key of an all-capitals word of at most five letters
MIN_LEARNED = 2  # sentence pairs in which two names must be left unmatched together to count as variants


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    parts: tuple[str, ...]  # folded pieces between hyphens
    capitalised: bool
    acronym: bool
    initial: bool  # first word of a sentence, a quote or a clause after a colon


@dataclass(frozen=True)
class Name:
    text: str
    keys: tuple[str, ...]  # spelling keys of its significant words


@lru_cache(maxsize=65536)
def spelling_key(word: str) -> str:
    """Folded word with French/English spelling differences evened out: 'Choïgou' -> 'shoigu'."""
    key = fold(word)
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
    if a[0] == ACRONYM and b[0] == ACRONYM:
        short, long = sorted((set(a[1:]), set(b[1:])), key=len)
        return short <= long and abs(len(a) - len(b)) <= 1
    bare_a, bare_b = a.lstrip(ACRONYM), b.lstrip(ACRONYM)
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


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[Word, ...]:
    """Words of `text` without French elisions (l', d') and English possessives ('s); cached, as
    each sentence is read as a source, as a translation and as summary material."""
    found = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        surface, start = match.group(), match.start()
        elision = _ELISION.match(surface)
        if elision:
            surface, start = surface[elision.end() :], start + elision.end()
        surface = _POSSESSIVE.sub("", surface)
        gap = text[previous_end : match.start()]
        initial = not found or bool(_SENTENCE_START.search(gap))
        parts = tuple(fold(p) for p in re.split(r"-", surface) if p)
        acronym = surface.isupper() and 2 <= len(surface) <= 5
        found.append(Word(surface, start, parts, surface[:1].isupper(), acronym, initial))
        previous_end = match.end()
    return tuple(found)


def _is_name_word(word: Word) -> bool:
    return word.capitalised and fold(word.text) not in STOPWORDS and fold(word.text) not in CALENDAR


def _key(word: Word, part: str) -> str:
    return ACRONYM + spelling_key(part) if word.acronym else spelling_key(part)


def _significant(word: Word) -> list[str]:
    return [
        _key(word, p)
        for p in word.parts
        if p not in STOPWORDS and p not in PARTICLES and p not in CALENDAR and (len(p) >= 3 or word.acronym)
    ]


def known_name_words(texts: Iterable[str]) -> set[str]:
    """Capitalised words seen inside a sentence somewhere in `texts`: proper names, so a
    sentence that starts with one ('Moscou a nié') still counts it, unlike 'Interrogé sur'."""
    return {fold(w.text) for text in texts for w in words(text) if _is_name_word(w) and not w.initial}


def find_names(text: str, known: set[str]) -> list[Name]:
    """Runs of capitalised words, joined across particles ('Corée du Nord'); a lone capitalised
    word that opens a sentence counts only when it is a known name or an acronym."""
    tokens = words(text)
    names: list[Name] = []
    run: list[Word] = []

    def close() -> None:
        while run and not run[-1].capitalised:  # a particle that led nowhere
            run.pop()
        name_words = [w for w in run if _is_name_word(w)]
        lone_opener = len(name_words) == 1 and name_words[0].initial
        if name_words and lone_opener and not (fold(name_words[0].text) in known or name_words[0].text.isupper()):
            name_words = []
        keys = tuple(k for w in name_words for k in _significant(w))
        if keys:
            names.append(Name(text[name_words[0].start : run[-1].start + len(run[-1].text)], keys))
        run.clear()

    for i, word in enumerate(tokens):
        joined = run and _JOINING_GAP.fullmatch(text[tokens[i - 1].start + len(tokens[i - 1].text) : word.start])
        if _is_name_word(word) and (not run or joined):
            run.append(word)
        elif run and joined and (word.capitalised or fold(word.text) in PARTICLES):
            run.append(word)  # 'Kim Jong Un', 'Corée du Nord', 'Marine Le Pen'; a trailing particle is dropped
        else:
            close()
            if _is_name_word(word):
                run.append(word)
    close()
    return names


@lru_cache(maxsize=16384)
def word_keys(text: str) -> frozenset[str]:
    """Spelling keys of every word piece of `text`, names or not ('président' backs 'President')."""
    return frozenset(_key(w, p) for w in words(text) for p in w.parts)


def _backed(key: str, vocabulary: frozenset[str] | set[str]) -> bool:
    return key in vocabulary or any(similar(key, other) for other in vocabulary)


@dataclass
class _PairNames:
    """One sentence pair's names and which of their words the other side backs."""

    source_names: list[Name]
    target_names: list[Name]
    source_vocabulary: frozenset[str]
    target_vocabulary: frozenset[str]
    unmatched_target: set[str]
    unmatched_source: set[str]


def _match_pair(source: str, target: str, known_source: set[str], known_target: set[str]) -> _PairNames:
    source_names, target_names = find_names(source, known_source), find_names(target, known_target)
    source_vocabulary, target_vocabulary = word_keys(source), word_keys(target)
    unmatched_target = {k for n in target_names for k in n.keys if not _backed(k, source_vocabulary)}
    unmatched_source = {k for n in source_names for k in n.keys if not _backed(k, target_vocabulary)}
    loose = {(t, s) for t in unmatched_target for s in unmatched_source if _loosely_similar(t, s)}
    unmatched_target -= {t for t, _ in loose}
    unmatched_source -= {s for _, s in loose}
    return _PairNames(source_names, target_names, source_vocabulary, target_vocabulary, unmatched_target, unmatched_source)


def learn_variants(pairs: Sequence[_PairNames]) -> set[tuple[str, str]]:
    """(target word, source word) left unmatched together in at least MIN_LEARNED sentence
    pairs and in at least half of the pairs where either appears unmatched."""
    together: Counter = Counter()
    target_seen: Counter = Counter()
    source_seen: Counter = Counter()
    for pair in pairs:
        target_seen.update(pair.unmatched_target)
        source_seen.update(pair.unmatched_source)
        together.update((t, s) for t in pair.unmatched_target for s in pair.unmatched_source)
    return {
        (t, s)
        for (t, s), count in together.items()
        if count >= MIN_LEARNED and 2 * count >= target_seen[t] and 2 * count >= source_seen[s]
    }


@dataclass(frozen=True)
class TranslationPair:
    """One French sentence and its English translation, and where it sits in the cluster."""

    article: str
    index: int
    source: str
    translation: str


def check_translations(pairs: Sequence[TranslationPair]) -> list[CheckItem]:
    """Numbers and names of each translation that its French sentence does not back, and
    digits and names of the French sentence that the translation lost."""
    known_source = known_name_words(p.source for p in pairs)
    known_target = known_name_words(p.translation for p in pairs)
    matched = [_match_pair(p.source, p.translation, known_source, known_target) for p in pairs]
    variants = learn_variants(matched)
    full_names: dict[str, dict[str, list[Name]]] = {}  # article -> first two letters of a word -> source names
    for pair, names in zip(pairs, matched):
        for name in names.source_names:
            for key in set(name.keys):
                full_names.setdefault(pair.article, {}).setdefault(key[:2], []).append(name)
    items: list[CheckItem] = []
    for pair, names in zip(pairs, matched):
        found = _number_findings(pair.source, pair.translation)
        for name in names.target_names:
            unbacked = [k for k in name.keys if not _target_word_backed(k, name, names, variants, full_names.get(pair.article, {}))]
            if not _tolerable(name, unbacked):
                found.append(("name", "unsupported", name.text))
        for name in names.source_names:
            lost = [k for k in name.keys if k in names.unmatched_source and not _variant_present(k, names, variants)]
            if 2 * len(lost) > len(name.keys):  # 'Sullivan' for 'Jake Sullivan' is no loss; 'Minister' for 'Défense Sergueï Choïgou' is
                found.append(("name", "missing", name.text))
        items.extend(
            CheckItem(kind, problem, text, "translation", pair.article, pair.index, pair.translation, pair.source)
            for kind, problem, text in dict.fromkeys(found)
        )
    return items


def _tolerable(name: Name, unbacked: list[str]) -> bool:
    """A long name may word one of its descriptive words differently ('National Security
    Adviser Jake Sullivan' for 'conseiller ... Jake Sullivan'); its last word, the surname or
    head noun, must be backed."""
    if not unbacked:
        return True
    return len(name.keys) >= 3 and len(unbacked) == 1 and unbacked[0] != name.keys[-1]


def _number_findings(source: str, translation: str) -> list[tuple[str, str, str]]:
    source_numbers, target_numbers = find_numbers(source), find_numbers(translation)
    source_support, target_support = support_of(source_numbers), support_of(target_numbers)
    found = [("number", "unsupported", m.text) for m in target_numbers if m.checked and m.value not in source_support]
    found += [
        ("number", "missing", m.text)
        for m in source_numbers
        if m.checked and m.digits and not (m.support & target_support)
    ]
    return found


def _variant_present(source_key: str, names: _PairNames, variants: set[tuple[str, str]]) -> bool:
    return any(s == source_key and t in names.target_vocabulary for t, s in variants)


def _target_word_backed(
    key: str, name: Name, names: _PairNames, variants: set[tuple[str, str]], article_names: dict[str, list[Name]]
) -> bool:
    if key not in names.unmatched_target:
        return True
    if any(t == key and s in names.source_vocabulary for t, s in variants):
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
    number_support = support_of([m for text in sources for m in find_numbers(text)])
    vocabulary = {k for text in sources for k in word_keys(text)}
    known = known_name_words([*sources, *sentences])
    items = []
    for index, sentence in enumerate(sentences):
        found = [("number", m.text) for m in find_numbers(sentence) if m.checked and m.value not in number_support]
        found += [
            ("name", n.text) for n in find_names(sentence, known) if not _tolerable(n, [k for k in n.keys if not _backed(k, vocabulary)])
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


def verify_files(source_path: Path, translation_path: Path) -> list[CheckItem]:
    """Check a translation file against its French source file, line by line."""
    sources, translations = read_lines(source_path), read_lines(translation_path)
    if len(sources) != len(translations):
        raise VerifyError(
            f"{translation_path}: {len(translations)} lines but {source_path} has {len(sources)}; "
            "the files must be aligned, one sentence per line"
        )
    pairs = [TranslationPair("", i, s, t) for i, (s, t) in enumerate(zip(sources, translations)) if s.strip() or t.strip()]
    return check_translations(pairs)
