"""Numbers in French and English news text, normalised so that equal quantities compare equal.

"3 000" = "3,000" = "3000", "37,5 %" = "37.5%", "1,5 milliard" = "1.5 billion", "14h30" =
"2:30 pm", "1er" = "1st", "XXe" = "20th", "deux" = "two" = "2". One scanner reads both
languages: French and English formats do not contradict each other on what news text uses, and
a text scanned as source and as translation (the stub backend's identity 'translation') always
agrees with itself.

Each mention has a canonical `value` and a `support` set: every value under which it backs a
number on the other side (a time also backs its hour, a month name backs its number, a French
"billion" also means 10^12). Only `checked` mentions must themselves be backed: digits and
English number words, not ambiguous words such as "one" or "first" (pronoun, adverb), nor
French words (the checked side is always English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Iterable

from summarize.lexicon import TARGET, lexicon
from summarize.text import fold

SPACES = " \u00a0\u202f\u2009\u2007"  # thin and figure spaces group digits too ("6\u2009000")


@dataclass(frozen=True)
class NumberMention:
    """A number as written in a text, its canonical value and the values it backs."""

    text: str
    value: str
    start: int
    support: frozenset[str]
    checked: bool
    digits: bool
    readings: frozenset[str] = frozenset()  # the values it may stand for ('90s': 90, 1990, 2090); any backed one will do


def canonical(number: Decimal) -> str:
    """'3000', '37.5': one spelling per quantity."""
    return format(number.normalize(), "f")


@dataclass(frozen=True)
class _Vocabulary:
    """The number words a text is read with: its language's and English's (the checked side)."""

    words: dict[str, int]  # number words, ambiguous ones included
    prefixes: dict[str, int]  # words starting with a number back it: 'dvouměsíční', 'zweijährig'
    checked: frozenset[str]  # English words that must themselves be backed
    ambiguous: frozenset[str]
    scales: dict[str, int]  # 'hundred', 'mille', 'Millionen'
    digit_scales: dict[str, int]  # after digits: 'bn', 'Mrd', 'млн', and the scale words
    currency_scales: dict[str, int]  # beside a currency sign only: 'M$', '$5m', 'k€'
    lone_scales: frozenset[str]
    long_scale: frozenset[str]
    scale_joiners: frozenset[str]  # between two scales: 'miles de millones' (10^9)
    fractions: dict[str, Decimal]  # before 'a' and a scale: 'half a million'
    months: dict[str, int]
    checked_months: frozenset[str]  # English month names, in English text: a changed month is a changed date
    connectors: frozenset[str]
    articles: frozenset[str]
    compound: bool
    decimal_comma: bool
    hours: re.Pattern | None
    roman_ordinal: re.Pattern  # 'XIXe', 'Ve République', 'XXth': a numeral of two letters or more, or V or X, and a suffix

    def is_number(self, word: str) -> bool:
        return word in self.words or word in self.scales

    def value(self, word: str) -> int:
        return self.words.get(word, self.months.get(word, 0))


@lru_cache(maxsize=32)
def vocabulary(language: str | None) -> _Vocabulary:
    """Number words of `language` (ISO 639-1) together with English's."""
    english, own = lexicon(TARGET), lexicon(language)
    tables = (english,) if own.code in ("", TARGET) else (own, english)
    merged = lambda name: {k: v for table in tables for k, v in getattr(table, name).items()}  # noqa: E731 English wins
    hours = own.hours
    return _Vocabulary(
        words={**merged("number_words"), **merged("ambiguous_numbers")},
        prefixes=dict(sorted(own.number_prefixes.items(), key=lambda item: -len(item[0]))),
        checked=frozenset(english.number_words) | frozenset(english.scales) | english.articles,
        ambiguous=frozenset(k for t in tables for k in t.ambiguous_numbers),
        scales=merged("scales"),
        digit_scales={**merged("digit_scales"), **merged("scales")},
        currency_scales=merged("currency_scales"),
        lone_scales=frozenset(k for t in tables for k in t.lone_scales),
        long_scale=frozenset(k for t in tables for k in t.long_scale),
        scale_joiners=frozenset(k for t in tables for k in t.scale_joiners),
        fractions={k: Decimal(v) for t in tables for k, v in t.fractions.items()},
        months=merged("months"),
        checked_months=frozenset(english.months) - {"may"} if own.code in ("", TARGET) else frozenset(),  # 'may' is a verb
        connectors=frozenset(k for t in tables for k in t.connectors),
        articles=frozenset(k for t in tables for k in t.articles),
        compound=own.compound_numbers,
        decimal_comma=own.decimal_comma,
        hours=re.compile(
            rf"(?<![\d.,:])(\d{{1,2}})(?:[.:](\d{{2}}))?[{SPACES}]?(?:{'|'.join(map(re.escape, sorted(hours, key=len, reverse=True)))})\b"
            rf"(?:[{SPACES}](\d{{2}})(?!\d|[.,]\d))?",  # '23 heures 30'

            re.IGNORECASE,
        ) if hours else None,
        roman_ordinal=re.compile(
            rf"\b([IVXLC]{{2,}}|[VX])(?:{'|'.join(sorted({s for t in tables for s in t.roman_suffixes}, key=len, reverse=True))})\b"
        ),
    )


_TIME_FR = re.compile(r"(?<![\d.,:])(\d{1,2})[ \u00a0\u202f]?h(?:[ \u00a0\u202f]?(\d{2}))?(?![^\W\d_])")
_TIME_AMPM = re.compile(r"(?<![\d.,:])(\d{1,2})(?:[:.](\d{2}))?[ \u00a0\u202f]?([ap])\.?m\b\.?", re.IGNORECASE)
_TIME_CLOCK = re.compile(r"(?<![\d.,:])(\d{1,2}):(\d{2})(?![\d:])")
_ORDINAL = re.compile(r"(?<![\d.,])(\d+)(?:er|re|ère|ème|eme|è|e|st|nd|rd|th)\b")
_TIME_MILITARY = re.compile(r"(?<![\d.,:])([01]\d|2[0-3])([0-5]\d)[ \u00a0]?(?:GMT|UTC|Z|hrs|hours)\b")  # '1200 GMT'

_DECADE = re.compile(r"(?<![\d.,])['’]?(\d{2}|1[0-9]{2}0|20[0-9]0)['’]?s\b")  # '1930s', '90s', "'60s"
_THOUSANDS_REST = re.compile(r"[ \u00a0\u202f](\d{1,3})(?!\d|[.,]\d|[^\W\d_])")  # after 'mille': '9 mille 200'
_DIGITS = re.compile(rf"(?<!\d)\d+(?:[.,]\d+)*(?:[{SPACES}]\d+(?:[.,]\d+)*)*")
_SCALE_AFTER = re.compile(r"[ \u00a0\u202f-]?([^\W\d_]+)\b")
_SHORT_YEAR = re.compile(r"['’/]\d{2}$")  # '’98', 'T1/15', '12/09/15'
_CURRENCY = "$€£¥₽"
_RANGE = re.compile(r"\s*(?:to|and|or|-|–|—)\s*", re.IGNORECASE)  # '328 to 820 feet'

_CURRENCY_CODES = re.compile(r"[ \u00a0\u202f]?(?:[A-Z]{3}|[A-Z]{1,2}\$)(?![^\W\d_])")  # '5 M USD', '5 M CA$'
_WORD = re.compile(r"[^\W\d_]+")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _mention(text: str, start: int, value: Decimal | str, *, checked: bool, digits: bool, also=(), readings=()) -> NumberMention:
    """`also`: further values it backs (a time backs its hour); `readings`: other values it may
    itself mean ('T1/15' 2015, '60' in 'the 60s' 1960), which it backs too."""
    value = value if isinstance(value, str) else canonical(value)
    read = {value} | {canonical(Decimal(r)) for r in readings}
    support = read | {a if isinstance(a, str) else canonical(Decimal(a)) for a in also}
    return NumberMention(text, value, start, frozenset(support), checked, digits, frozenset(read))


def parse_digits(token: str) -> Decimal:
    """One number written without spaces: '3,000' and '3.000' are thousands, '37,5' and '37.5' decimals.

    With both separators the last one is the decimal mark ('1.234,5', '1,234.5'); one kind used
    twice groups thousands; used once it groups thousands only before exactly three digits
    after a non-zero integer part ('3,000' yes, '0,125' and '2,50' no).
    """
    seps = [c for c in token if c in ".,"]
    if not seps:
        return Decimal(token)
    if len(set(seps)) == 2:
        decimal_mark = seps[-1]
        whole, _, fraction = token.rpartition(decimal_mark)
        return Decimal(re.sub(r"[.,]", "", whole) + "." + fraction)
    if len(seps) > 1:
        return Decimal(re.sub(r"[.,]", "", token))
    whole, fraction = re.split(r"[.,]", token)
    if len(fraction) == 3 and len(whole) <= 3 and whole.strip("0"):
        return Decimal(whole + fraction)
    return Decimal(whole + "." + fraction)


def _other_reading(token: str, words: _Vocabulary) -> Decimal | None:
    """'2,500' in a decimal-comma language may be 2.5 as well as 2500: the reading parse_digits did not pick."""
    if words.decimal_comma and re.fullmatch(r"\d{1,3},\d{3}", token):
        return Decimal(token.replace(",", "."))
    return None


def _space_groups(match: re.Match) -> list[tuple[int, int]]:
    """Spans of the numbers in a run such as '2019 3 000,5': a space groups thousands only
    between a 1-3 digit head and exactly three digits ('3 000'), otherwise it separates numbers."""
    spans: list[tuple[int, int]] = []
    for part in re.finditer(r"\d+(?:[.,]\d+)*", match.group()):
        start, end = match.start() + part.start(), match.start() + part.end()
        if spans and re.fullmatch(r"\d{3}(?:[.,]\d+)?", part.group()):
            head = match.string[spans[-1][0] : spans[-1][1]]
            if re.fullmatch(rf"\d{{1,3}}(?:[{SPACES}]\d{{3}})*", head):
                spans[-1] = (spans[-1][0], end)
                continue
        spans.append((start, end))
    return spans


def _beside_currency(text: str, start: int, end: int) -> bool:
    return text[start - 1 : start] in _CURRENCY or bool(re.match(f"[{SPACES}]?[{_CURRENCY}]", text[end:])) or bool(
        _CURRENCY_CODES.match(text, end)
    )


def _scale_after(text: str, start: int, end: int, words: _Vocabulary) -> tuple[int, int] | None:
    """('3', ' millions') -> (10**6, end of the scale words), or None when no scale follows.
    Scales chain ('mil millones' = 10^9); a single letter counts only beside a currency
    ('5 M$', '$5m', '3 k€')."""
    multiplier, position = 1, end
    while match := _SCALE_AFTER.match(text, position):
        word = fold(match.group(1))
        joined = _SCALE_AFTER.match(text, match.end()) if multiplier > 1 and word in words.scale_joiners else None
        if joined and fold(joined.group(1)) in words.scales:  # 'miles de millones'
            match, word = joined, fold(joined.group(1))
        if word in words.digit_scales:
            scale = words.digit_scales[word]
        elif word in words.currency_scales and len(word) == 1 and _beside_currency(text, start, match.end()):
            scale = words.currency_scales[word]
        else:
            break
        multiplier *= scale
        position = match.end()
    return (multiplier, position) if multiplier > 1 else None


def _roman(numeral: str) -> int | None:
    values = [_ROMAN[c] for c in numeral]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return total if total > 0 and _to_roman(total) == numeral else None


def _to_roman(number: int) -> str:
    out = ""
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out += letters
            number -= value
    return out


def _times(text: str, words: _Vocabulary) -> list[NumberMention]:
    """Clock times as 'H:MM' (24-hour), each also backing its 12-hour reading and its hour."""
    found = []

    def add(match: re.Match, hour: int, minute: int, extra: tuple = ()) -> None:
        if hour <= 24 and minute < 60:
            value = f"{hour}:{minute:02d}"
            twelve = f"{hour - 12}:{minute:02d}" if hour > 12 else f"{hour + 12}:{minute:02d}"
            found.append(_mention(match.group(), match.start(), value, checked=True, digits=True, also=(twelve, hour, *extra)))

    for match in _TIME_AMPM.finditer(text):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour <= 12:
            hour = hour % 12 + (12 if match.group(3).lower() == "p" else 0)
            add(match, hour, minute)
    for match in _TIME_FR.finditer(text):
        add(match, int(match.group(1)), int(match.group(2) or 0), extra=(int(match.group(2) or 0),))
    for match in _TIME_MILITARY.finditer(text):
        add(match, int(match.group(1)), int(match.group(2)), extra=(int(match.group(2)),))
    for match in _TIME_CLOCK.finditer(text):
        add(match, int(match.group(1)), int(match.group(2)), extra=(int(match.group(2)),))
    for match in words.hours.finditer(text) if words.hours else ():
        hour, minutes = int(match.group(1)), match.group(2) or match.group(3)
        if minutes:  # '15.30 Uhr', '23 heures 30'
            add(match, hour, int(minutes), extra=(int(minutes),))
        else:  # '15 heures' is a time or a duration: back both
            found.append(_mention(match.group(1), match.start(), Decimal(hour), checked=True, digits=True,
                                  also=(f"{hour}:00", f"{hour % 12 or 12}:00")))
    return found


def _decade(number: int) -> list[int]:
    """The years a decade written short may mean: '60' (German '60er', French 'années 60') is 1960 or 2060."""
    return [1900 + number, 2000 + number] if 10 <= number < 100 and number % 10 == 0 else []


def _ordinals(text: str, words: _Vocabulary) -> list[NumberMention]:
    found = [
        _mention(m.group(), m.start(), Decimal(m.group(1)), checked=True, digits=True, readings=_decade(int(m.group(1))))
        for m in _ORDINAL.finditer(text)
    ]
    for match in _DECADE.finditer(text):  # '1930s' is also 'the thirties' ('années trente'); "'90s" is 1990
        number = int(match.group(1))
        short = [number % 100] if number >= 1000 else _decade(number)
        found.append(_mention(match.group(), match.start(), Decimal(number), checked=True, digits=True, readings=short))
    for match in words.roman_ordinal.finditer(text):
        value = _roman(match.group(1))
        if value:
            found.append(_mention(match.group(), match.start(), Decimal(value), checked=True, digits=True))
    return found


def _digit_numbers(text: str, words: _Vocabulary) -> list[NumberMention]:
    found = []
    taken = 0  # end of the last mention: '9 mille 200' takes its '200'
    for run in _DIGITS.finditer(text):
        for start, end in _space_groups(run):
            if start < taken:
                continue
            written = text[start:end]
            token = re.sub(f"[{SPACES}]", "", written)
            number = parse_digits(token)
            readings = [number]
            other = _other_reading(token, words)
            if other is not None:
                readings.append(other)
            if len(token) == 2 and (_SHORT_YEAR.search(text[: start + 2][-3:]) or number % 10 == 0):
                readings += [1900 + number, 2000 + number]  # 'T1/15' is 2015; 'les années 60' the 1960s
            scale = _scale_after(text, start, end, words)
            if scale:
                multiplier, word_end = scale
                readings = [r * multiplier for r in readings]
                written = text[start:word_end]
                scale_words = {fold(w) for w in _WORD.findall(text[end:word_end])}
                if scale_words & words.long_scale:
                    readings.append(readings[0] * 1000)
                rest = _THOUSANDS_REST.match(text, word_end)
                if rest and multiplier == 1000 and number == number.to_integral_value():
                    readings = [number * 1000 + int(rest.group(1))]  # '630 mille 697' is 630697
                    further = _scale_after(text, start, rest.end(), words)  # '2 mil 600 millones'
                    readings = [readings[0] * further[0]] if further else readings
                    written = text[start : further[1] if further else rest.end()]
            taken = start + len(written)
            found.append(_mention(written, start, readings[0], checked=True, digits=True, readings=readings[1:]))
    return found


def _word_value(run: list[str], words: _Vocabulary) -> int:
    """'quatre vingt dix' -> 90, 'three hundred and six' -> 306, 'deux millions' -> 2000000,
    'mil millones' -> 10^9, 'vier und zwanzig' -> 24 (connectors are part of the run)."""
    total, current, last_scale = 0, 0, False
    for i, word in enumerate(run):
        following = [w for w in run[i + 1 :] if w not in words.connectors][:1]
        if word in words.connectors:
            continue
        if word in words.articles and not (words.words.get(word) == 1 and following and following[0] in words.scales):
            if following:
                last_scale = False
                continue  # 'a million', 'une douzaine': an article, not 1 + 12
        scale = words.scales.get(word)
        if scale == 100:
            current = max(current, 1) * 100
        elif scale:
            if last_scale and current == 0 and total:
                total *= scale  # 'mil millones', 'thousand million'
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            value = words.value(word)
            previous = words.value(run[i - 1]) if i else 0  # right before it, no connector between
            if 20 <= value < 100 and value % 10 == 0 and 2 <= previous <= 9 and current == previous:
                current = previous * value  # 'quatre-vingt': 4 x 20
            else:
                current += value
        last_scale = bool(scale and scale > 100)
    return total + current


def _split_compound(word: str, words: _Vocabulary) -> list[str] | None:
    """'vierundzwanzig' -> ['vier', 'und', 'zwanzig']; None unless the word is number parts only."""
    if len(word) < 7:
        return None
    parts: list[str] = []
    position = 0
    while position < len(word):
        for end in range(len(word), position, -1):
            piece = word[position:end]
            if len(piece) >= 2 and (words.is_number(piece) or piece in words.connectors):
                parts.append(piece)
                position = end
                break
        else:
            return None
    return parts if len(parts) >= 2 else None


def _tokens(text: str, words: _Vocabulary) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each word; a compound number word is split into its parts."""
    tokens = []
    for match in _WORD.finditer(text):
        word = fold(match.group())
        parts = _split_compound(word, words) if words.compound and not words.is_number(word) else None
        tokens.extend((match.start(), match.end(), part) for part in parts or [word])
    return tokens


def _word_numbers(text: str, words: _Vocabulary) -> list[NumberMention]:
    """Runs of number words ('vingt et un', 'twenty-five', 'a million'); month names back their number."""
    tokens = _tokens(text, words)
    found = []
    i = 0
    while i < len(tokens):
        start, end, word = tokens[i]
        if word in words.months:
            checked = word in words.checked_months and text[start].isupper()  # 'march' is a verb
            found.append(_mention(text[start:end], start, Decimal(words.months[word]), checked=checked, digits=False))
        prefix = next((p for p in words.prefixes if word.startswith(p) and len(word) > len(p)), None)
        if prefix and not words.is_number(word):
            found.append(_mention(text[start:end], start, Decimal(words.prefixes[prefix]), checked=False, digits=False))
        # 'a million' is a number, 'a 90 million dollar plan' an article before digits
        article = (
            word in words.articles and i + 1 < len(tokens) and words.is_number(tokens[i + 1][2])
            and not text[end : tokens[i + 1][0]].strip(" -\u00a0")
        )
        if not (words.is_number(word) or article):
            i += 1
            continue
        run = [i]
        j = i + 1
        while j < len(tokens):
            gap = text[tokens[j - 1][1] : tokens[j][0]]
            following = tokens[j][2]
            if gap.strip(" -\u00a0") or not (words.is_number(following) or following in words.connectors):
                break
            if following in words.connectors and not (j + 1 < len(tokens) and words.is_number(tokens[j + 1][2])):
                break
            run.append(j)
            j += 1
        written = [tokens[k][2] for k in run]
        run_words = [w for w in written if w not in words.connectors]
        i = j
        # a scale alone ('millions of', 'hundert Jahre') backs its value but says no quantity to check
        loose = all(w in words.scales for w in run_words) and not (len(run_words) == 1 and run_words[0] in words.lone_scales)
        checked = not loose and all(w in words.checked for w in run_words) and not (len(run_words) == 1 and run_words[0] in words.ambiguous)
        value = Decimal(_word_value(written, words))
        span_start, span_end = tokens[run[0]][0], tokens[run[-1]][1]
        before = tokens[run[0] - 1] if run[0] else None
        if before and before[2] in words.fractions and (written[0] in words.articles or loose) and not text[before[1] : span_start].strip():
            value *= words.fractions[before[2]]  # 'half a million', 'eine halbe Million', 'půl milionu'
            span_start = before[0]
        # 'deux tiers' backs 'two-thirds': each word of a run also backs its own value
        also = [_word_value([w], words) for w in run_words if w not in words.articles] if len(run_words) > 1 else []
        also += [value * 1000] if words.long_scale & set(run_words) else []
        also += _decade(int(value)) if value == value.to_integral_value() else []  # 'années trente' are the 1930s
        found.append(_mention(text[span_start:span_end], span_start, value, checked=checked, digits=False, also=also))
    return found


@lru_cache(maxsize=16384)
def find_numbers(text: str, language: str | None = "fr") -> tuple[NumberMention, ...]:
    """Every number in `text`, read as `language` (ISO 639-1; English words are always read, as
    English is the checked side), in order; where readings overlap the more specific one wins
    (times, then ordinals, then digits with their scale, then words). Cached: a translation is
    read again as the material of briefs and summary."""
    words = vocabulary(language)
    chosen: list[NumberMention] = []
    taken: list[tuple[int, int]] = []
    for mentions in (_times(text, words), _ordinals(text, words), _digit_numbers(text, words), _word_numbers(text, words)):
        for mention in mentions:
            span = (mention.start, mention.start + len(mention.text))
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            chosen.append(mention)
            taken.append(span)
    return tuple(sorted(chosen, key=lambda m: m.start))


def roman_ordinal(word: str, language: str | None) -> bool:
    """`word` is a Roman numeral with an ordinal suffix of `language` or English ('XVe', 'XXth')."""
    match = vocabulary(language).roman_ordinal.fullmatch(word)
    return bool(match) and _roman(match.group(1)) is not None


@lru_cache(maxsize=1)
def _imperial_unit() -> tuple[re.Pattern, dict[str, float]]:
    units = lexicon(TARGET).imperial_units
    names = "|".join(re.escape(u).replace(r"\ ", r"[\s\u00a0-]+") for u in sorted(units, key=len, reverse=True))
    return re.compile(rf"[\s\u00a0-]*(?:{names})\b", re.IGNORECASE), units


def imperial_measures(text: str) -> list[tuple[NumberMention, float]]:
    """English numbers in an imperial unit ('17,500 miles per hour', 'six miles', '328 to 820
    feet'), each with the metric quantity one of its units stands for (km, km/h, m, kg, ha, l...)."""
    pattern, units = _imperial_unit()
    mentions = [m for m in find_numbers(text, TARGET) if _numeric(m.value) is not None]
    factors: list[float | None] = []
    for mention in mentions:
        unit = pattern.match(text, mention.start + len(mention.text))
        factors.append(units[fold(re.sub(r"[\s\u00a0-]+", " ", unit.group().strip(" \u00a0-")))] if unit else None)
    for i in range(len(mentions) - 2, -1, -1):  # the first number of a range takes the unit of the second
        gap = text[mentions[i].start + len(mentions[i].text) : mentions[i + 1].start]
        if factors[i] is None and _RANGE.fullmatch(gap):
            factors[i] = factors[i + 1]
    return [(m, f) for m, f in zip(mentions, factors) if f is not None]


def _numeric(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except ArithmeticError:
        return None


def rounds_to(rounded: Decimal, exact: float) -> bool:
    """`rounded` is `exact` as a translator rounds a converted quantity: within half a unit of its
    last significant digit ('1,000' for 992, '17,500' for 17,398 at 1%, 'six' for 6.2) or 1%."""
    precision = Decimal(1).scaleb(rounded.normalize().as_tuple().exponent)
    return abs(float(rounded) - exact) <= max(float(precision) / 2, 0.01 * abs(exact))


def converted(source: Iterable[NumberMention], measures: Iterable[tuple[NumberMention, float]]) -> tuple[set[int], set[int]]:
    """Which source numbers (by position in `source`) and which imperial measures (by position in
    `measures`) are the same quantity in metric and imperial units: '450 kg' and '1,000 pounds'."""
    source_values = [(i, _numeric(m.value)) for i, m in enumerate(source)]
    source_values = [(i, v) for i, v in source_values if v is not None and v > 0]
    backed_source, backed_measures = set(), set()
    for j, (mention, factor) in enumerate(measures):
        value = Decimal(mention.value)
        for i, metric in source_values:
            if rounds_to(value, float(metric) / factor) or rounds_to(metric, float(value) * factor):
                backed_source.add(i)
                backed_measures.add(j)
    return backed_source, backed_measures


def support_of(mentions: Iterable[NumberMention]) -> set[str]:
    """Every value the mentions back."""
    return {value for mention in mentions for value in mention.support}
