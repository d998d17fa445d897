"""Per-language word tables for the faithfulness checks: data, not code.

Each source language the checks know has a table, summarize/rules/checks-<code>.toml (ISO 639-1):
function words, number words and scale words, name particles, elisions, and whether the language
capitalises every noun. CLDR (through Babel) adds what it knows for every language: month and
weekday names, the decimal mark, and the scale abbreviations of compact numbers ('Mrd.', 'млн').
A language without a table gets only the CLDR part, and the checks fall back on what holds in
any language (digits, capitalised words inside a sentence, spelling similarity).

Table forms may carry endings: 'dritt(e|en|er)' stands for dritte, dritten, dritter, and an
empty alternative allows the bare stem. Everything is folded (summarize.text.fold) on loading.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from summarize.text import fold

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TARGET = "en"  # the checked side is always English
_FORM = re.compile(r"^([^()]*)\(([^()]*)\)([^()]*)$")


@dataclass(frozen=True)
class Lexicon:
    """What the checks know of one language."""

    code: str
    stopwords: frozenset[str] = frozenset()
    particles: frozenset[str] = frozenset()
    elisions: frozenset[str] = frozenset()
    contractions: frozenset[str] = frozenset()
    capitalised_nouns: frozenset[str] = frozenset()  # common nouns written capitalised (fr 'État')
    not_names: frozenset[str] = frozenset()  # capitalised words that name no one: titles, eras ('Rep.', 'BC')
    generic_words: frozenset[str] = frozenset()  # common nouns capitalised inside names: 'Queen', 'Gulf', 'Chambre'
    nouns_capitalised: bool = False  # every noun is capitalised (German)
    cases: bool = False  # words change their endings with case (cs, ru): compare them by stem
    compound_numbers: bool = False  # 'vierundzwanzig', 'veinticinco'
    decimal_comma: bool = False
    connectors: frozenset[str] = frozenset()
    articles: frozenset[str] = frozenset()
    number_words: dict[str, int] = field(default_factory=dict)
    ambiguous_numbers: dict[str, int] = field(default_factory=dict)
    number_prefixes: dict[str, int] = field(default_factory=dict)  # 'dvouměsíční' starts with 2
    scales: dict[str, int] = field(default_factory=dict)  # 'million', 'Milliarden'
    digit_scales: dict[str, int] = field(default_factory=dict)  # only after digits: 'bn', 'Mrd', 'млн'
    currency_scales: dict[str, int] = field(default_factory=dict)  # only beside a currency: 'M$', 'k€'
    lone_scales: frozenset[str] = frozenset()  # a quantity on their own: 'mille personnes'
    long_scale: frozenset[str] = frozenset()  # 'billion' = 10^12 here
    scale_joiners: frozenset[str] = frozenset()  # between two scales: es 'miles de millones'
    fractions: dict[str, str] = field(default_factory=dict)  # before 'a' and a scale: 'half': '0.5'
    months: dict[str, int] = field(default_factory=dict)
    weekdays: frozenset[str] = frozenset()  # and abbreviated month and day names
    hours: frozenset[str] = frozenset()  # '15 heures', '15 Uhr'
    roman_suffixes: frozenset[str] = frozenset()  # after a Roman numeral, make it an ordinal: 'XIXe', 'XXth'
    imperial_units: dict[str, float] = field(default_factory=dict)  # 'miles': 1.609344 (km per mile)


def expand(form: str) -> list[str]:
    """'dritt(e|en)' -> ['dritte', 'dritten']; 'sto' -> ['sto']."""
    match = _FORM.match(form)
    if not match:
        return [form]
    head, endings, tail = match.groups()
    return [head + ending + tail for ending in endings.split("|")]


def _words(spec: str) -> frozenset[str]:
    return frozenset(fold(w) for item in spec.split() for w in expand(item))


def _values(spec: str) -> dict[str, int]:
    """'zwei:2 dritt(e|en):3' -> {'zwei': 2, 'dritte': 3, 'dritten': 3} (folded)."""
    table: dict[str, int] = {}
    for item in spec.split():
        forms, _, value = item.rpartition(":")
        for form in expand(forms):
            table[fold(form)] = int(value)
    return table


def _factors(spec: str) -> dict[str, float]:
    """'mile(s|):1.609344' -> {'miles': 1.609344, 'mile': 1.609344}; a form may hold spaces as '_'."""
    return {fold(form).replace("_", " "): float(value) for item in spec.split() for forms, _, value in [item.rpartition(":")] for form in expand(forms)}


def _table(code: str) -> dict:
    path = resources.files("summarize.rules").joinpath(f"checks-{code}.toml")
    return tomllib.loads(path.read_text("utf-8")) if path.is_file() else {}


def _cldr(code: str) -> dict:
    """Month and weekday names, decimal mark and compact-number scale words from CLDR."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return {}
    months: dict[str, int] = {}
    weekdays: set[str] = set()
    abbreviations: set[str] = set()  # 'Oct.', 'Mon.': calendar words, not names, but too ambiguous to be numbers
    for context in ("format", "stand-alone"):
        for number, name in locale.months.get(context, {}).get("wide", {}).items():
            months[fold(name)] = number
        weekdays.update(fold(name) for name in locale.days.get(context, {}).get("wide", {}).values())
        for table in (locale.months, locale.days):
            abbreviations.update(fold(name).rstrip(".") for name in table.get(context, {}).get("abbreviated", {}).values())
    words: dict[str, int] = {}
    letters: dict[str, int] = {}
    for style in locale.compact_decimal_formats.values():
        for patterns in style.values():
            for magnitude, pattern in patterns.items():
                text = re.sub(r"'", "", str(getattr(pattern, "pattern", pattern)))
                zeros = text.count("0")
                unit = fold(re.sub(r"[0\s.\u00a0\u202f]", " ", text)).split()
                if zeros and len(unit) == 1 and unit[0].isalpha():
                    scale = int(magnitude) // 10 ** (zeros - 1)
                    (letters if len(unit[0]) == 1 else words)[unit[0]] = scale
    decimal = locale.number_symbols.get("latn", {}).get("decimal", ".")
    weekdays |= {a for a in abbreviations if len(a) >= 3}
    return {"months": months, "weekdays": frozenset(weekdays), "scales": words, "letters": letters, "decimal_comma": decimal == ","}


@lru_cache(maxsize=64)
def lexicon(code: str | None) -> Lexicon:
    """The tables of language `code` (ISO 639-1); an unknown or empty code gets none."""
    code = (code or "").lower()
    if not re.fullmatch(r"[a-z]{2,3}", code):
        return Lexicon(code)
    data, cldr = _table(code), _cldr(code)
    numbers = data.get("numbers", {})
    return Lexicon(
        code=code,
        stopwords=_words(data.get("stopwords", "")),
        particles=_words(data.get("particles", "")),
        elisions=_words(data.get("elisions", "")),
        contractions=_words(data.get("contractions", "")),
        capitalised_nouns=_words(data.get("capitalised_nouns", "")),
        not_names=_words(data.get("not_names", "")),
        generic_words=_words(data.get("generic_words", "")),
        nouns_capitalised=bool(data.get("nouns_capitalised", False)),
        cases=bool(data.get("cases", False)),
        compound_numbers=bool(data.get("compound_numbers", False)),
        decimal_comma=cldr.get("decimal_comma", False),
        connectors=_words(data.get("connectors", "")),
        articles=_words(data.get("articles", "")),
        number_words=_values(numbers.get("words", "")),
        ambiguous_numbers=_values(numbers.get("ambiguous", "")),
        number_prefixes=_values(numbers.get("prefixes", "")),
        scales={**_values(numbers.get("scales", ""))},
        digit_scales={**cldr.get("scales", {}), **_values(numbers.get("digit_scales", ""))},
        currency_scales={**cldr.get("letters", {}), "m": 10**6, "k": 1000},
        lone_scales=_words(numbers.get("lone_scales", "")),
        long_scale=_words(numbers.get("long_scale", "")),
        scale_joiners=_words(numbers.get("scale_joiners", "")),
        fractions={fold(form): value for item in numbers.get("fractions", "").split() for forms, _, value in [item.rpartition(":")] for form in expand(forms)},
        months={**cldr.get("months", {}), **_values(numbers.get("months", ""))},
        weekdays=cldr.get("weekdays", frozenset()),
        hours=_words(numbers.get("hours", "")),
        roman_suffixes=frozenset(numbers.get("roman_suffixes", "").split()),
        imperial_units=_factors(numbers.get("imperial_units", "")),
    )


def _forms(spec: str) -> list[str]:
    return [form.strip() for form in spec.split("|") if form.strip()]


@lru_cache(maxsize=1)
def _name_table() -> dict:
    return tomllib.loads(resources.files("summarize.rules").joinpath("names.toml").read_text("utf-8"))


@lru_cache(maxsize=64)
def name_groups(code: str | None) -> dict[str, tuple[str, ...]]:
    """Names that translate by convention, as they are written in language `code`: group -> forms.

    A group is one place or body; its id is the same in every language. CLDR gives each
    territory's name (and, for nationalities, the language name that doubles as its adjective);
    summarize/rules/names.toml adds English words of nationality, short forms, cities and bodies.
    """
    from babel import Locale, UnknownLocaleError

    code = (code or "").lower()
    table = _name_table()
    groups: dict[str, list[str]] = {}
    try:
        locale = Locale.parse(code) if re.fullmatch(r"[a-z]{2,3}", code) else None
    except (UnknownLocaleError, ValueError):
        locale = None
    if locale is not None:
        for territory, name in locale.territories.items():
            if territory not in ("001", "ZZ", "QO", "UN"):
                groups.setdefault(territory, []).append(name)
    for territory, spec in table.get("nationalities", {}).items():
        words, languages = [], []
        for form in _forms(spec):
            (languages if form.startswith("@") else words).append(form)
        if code == TARGET:
            groups.setdefault(str(territory), []).extend(words)
        elif locale is not None:
            groups.setdefault(str(territory), []).extend(locale.languages[l[1:]] for l in languages if l[1:] in locale.languages)
    for number, row in enumerate(table.get("names", [])):
        if code in row:
            groups.setdefault(row.get("code", f"names-{number}"), []).extend(_forms(row[code]))
    return {group: tuple(dict.fromkeys(forms)) for group, forms in groups.items()}

