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

from summarize.text import fold

SPACES = " \u00a0\u202f"


@dataclass(frozen=True)
class NumberMention:
    """A number as written in a text, its canonical value and the values it backs."""

    text: str
    value: str
    start: int
    support: frozenset[str]
    checked: bool
    digits: bool


def canonical(number: Decimal) -> str:
    """'3000', '37.5': one spelling per quantity."""
    return format(number.normalize(), "f")


def _table(spec: str) -> dict[str, int]:
    """'two:2 three:3' -> {'two': 2, 'three': 3} (keys folded)."""
    return {fold(word): int(value) for word, value in (item.split(":") for item in spec.split())}


ENGLISH_WORDS = _table(
    "zero:0 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 twelve:12 "
    "thirteen:13 fourteen:14 fifteen:15 sixteen:16 seventeen:17 eighteen:18 nineteen:19 twenty:20 "
    "thirty:30 forty:40 fifty:50 sixty:60 seventy:70 eighty:80 ninety:90 dozen:12 "
    "third:3 fourth:4 fifth:5 sixth:6 seventh:7 eighth:8 ninth:9 tenth:10 eleventh:11 twelfth:12 "
    "thirteenth:13 fourteenth:14 fifteenth:15 sixteenth:16 seventeenth:17 eighteenth:18 nineteenth:19 "
    "twentieth:20 thirtieth:30 fortieth:40 fiftieth:50 hundredth:100"
)
# Number words that are as often something else ("one of them", "first, he said", "a second").
ENGLISH_AMBIGUOUS = _table("one:1 first:1 second:2")
AMBIGUOUS_WORDS = {**ENGLISH_AMBIGUOUS, **_table("un:1 une:1 neuf:9 premier:1 première:1 premiers:1 premières:1 seconde:2 unième:1")}
FRENCH_WORDS = _table(
    "zéro:0 deux:2 trois:3 quatre:4 cinq:5 sept:7 huit:8 dix:10 onze:11 douze:12 treize:13 quatorze:14 "
    "quinze:15 seize:16 vingt:20 vingts:20 trente:30 quarante:40 cinquante:50 soixante:60 "
    "douzaine:12 dizaine:10 quinzaine:15 vingtaine:20 trentaine:30 centaine:100 millier:1000 "
    "deuxième:2 troisième:3 quatrième:4 cinquième:5 sixième:6 septième:7 huitième:8 neuvième:9 "
    "dixième:10 onzième:11 douzième:12 treizième:13 quatorzième:14 quinzième:15 seizième:16 "
    "vingtième:20 trentième:30 centième:100 millième:1000 tiers:3 quart:4 quarts:4"
)
ENGLISH_MULTIPLIERS = {"hundred", "thousand", "million", "billion", "trillion"}
MULTIPLIERS = _table(
    "hundred:100 cent:100 cents:100 thousand:1000 mille:1000 million:1000000 millions:1000000 milliard:1000000000 "
    "milliards:1000000000 billion:1000000000 billions:1000000000 trillion:1000000000000 trillions:1000000000000"
)
# After digits: "3 millions", "1.5bn", "2 Mds". 'm'/'M' only next to a currency sign ("$5m", "5 M€").
DIGIT_SCALES = {**{w: v for w, v in MULTIPLIERS.items() if v >= 1000}, "bn": 10**9, "md": 10**9, "mds": 10**9, "mrd": 10**9, "mrds": 10**9}
# A French 'billion' is 10^12 (an English 'billion' is a 'milliard'): either reading backs the other side.
LONG_SCALE = {"billion", "billions"}
MONTHS = _table(
    "janvier:1 février:2 mars:3 avril:4 mai:5 juin:6 juillet:7 août:8 septembre:9 octobre:10 novembre:11 "
    "décembre:12 january:1 february:2 march:3 april:4 may:5 june:6 july:7 august:8 september:9 "
    "october:10 november:11 december:12"
)
CONNECTORS = {"et", "and"}
ARTICLES = {"a", "an"}  # 'a million', 'a dozen'
ARTICLE_TARGETS = set(ENGLISH_MULTIPLIERS) | {"dozen"}
LONE_MULTIPLIERS = {"mille", "cent"}  # 'mille personnes' is 1000; 'millions of', 'hundreds' are no quantity

_TIME_FR = re.compile(r"(?<![\d.,:])(\d{1,2})[ \u00a0\u202f]?h(?:[ \u00a0\u202f]?(\d{2}))?(?![^\W\d_])")
_TIME_HOURS_FR = re.compile(r"(?<![\d.,:])(\d{1,2})[ \u00a0\u202f]?heures?\b", re.IGNORECASE)
_TIME_AMPM = re.compile(r"(?<![\d.,:])(\d{1,2})(?:[:.](\d{2}))?[ \u00a0\u202f]?([ap])\.?m\b\.?", re.IGNORECASE)
_TIME_CLOCK = re.compile(r"(?<![\d.,:])(\d{1,2}):(\d{2})(?![\d:])")
_ORDINAL = re.compile(r"(?<![\d.,])(\d+)(?:er|re|ère|ème|eme|è|e|st|nd|rd|th)\b")
_ROMAN_ORDINAL = re.compile(r"\b([IVXLC]{2,})(?:e|er|ère|ème)\b")
_DIGITS = re.compile(r"(?<!\d)\d+(?:[.,]\d+)*(?:[ \u00a0\u202f]\d+(?:[.,]\d+)*)*")
_SCALE_AFTER = re.compile(r"[ \u00a0\u202f]?([^\W\d_]+)\b")
_CURRENCY = "$€£¥"
_WORD = re.compile(r"[^\W\d_]+")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _mention(text: str, start: int, value: Decimal | str, *, checked: bool, digits: bool, also=()) -> NumberMention:
    value = value if isinstance(value, str) else canonical(value)
    support = {value} | {a if isinstance(a, str) else canonical(Decimal(a)) for a in also}
    return NumberMention(text, value, start, frozenset(support), checked, digits)


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


def _space_groups(match: re.Match) -> list[tuple[int, int]]:
    """Spans of the numbers in a run such as '2019 3 000,5': a space groups thousands only
    between a 1-3 digit head and exactly three digits ('3 000'), otherwise it separates numbers."""
    spans: list[tuple[int, int]] = []
    for part in re.finditer(r"\d+(?:[.,]\d+)*", match.group()):
        start, end = match.start() + part.start(), match.start() + part.end()
        if spans and re.fullmatch(r"\d{3}(?:[.,]\d+)?", part.group()):
            head = match.string[spans[-1][0] : spans[-1][1]]
            if re.fullmatch(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})*", head):
                spans[-1] = (spans[-1][0], end)
                continue
        spans.append((start, end))
    return spans


def _scale_after(text: str, start: int, end: int) -> tuple[int, int] | None:
    """('3', ' millions') -> (10**6, end of the scale word), or None when no scale follows."""
    match = _SCALE_AFTER.match(text, end)
    if not match:
        return None
    word = fold(match.group(1))
    if word in DIGIT_SCALES:
        return DIGIT_SCALES[word], match.end()
    beside_currency = text[start - 1 : start] in _CURRENCY or re.match(f"[{SPACES}]?[{_CURRENCY}]", text[match.end() :])
    if word == "m" and beside_currency:
        return 10**6, match.end()
    return None


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


def _times(text: str) -> list[NumberMention]:
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
    for match in _TIME_CLOCK.finditer(text):
        add(match, int(match.group(1)), int(match.group(2)), extra=(int(match.group(2)),))
    for match in _TIME_HOURS_FR.finditer(text):  # '15 heures' is a time or a duration: back both
        hour = int(match.group(1))
        found.append(_mention(match.group(1), match.start(), Decimal(hour), checked=True, digits=True,
                              also=(f"{hour}:00", f"{hour % 12 or 12}:00")))
    return found


def _ordinals(text: str) -> list[NumberMention]:
    found = [_mention(m.group(), m.start(), Decimal(m.group(1)), checked=True, digits=True) for m in _ORDINAL.finditer(text)]
    for match in _ROMAN_ORDINAL.finditer(text):
        value = _roman(match.group(1))
        if value:
            found.append(_mention(match.group(), match.start(), Decimal(value), checked=True, digits=True))
    return found


def _digit_numbers(text: str) -> list[NumberMention]:
    found = []
    for run in _DIGITS.finditer(text):
        for start, end in _space_groups(run):
            written = text[start:end]
            number = parse_digits(re.sub(f"[{SPACES}]", "", written))
            scale = _scale_after(text, start, end)
            also = ()
            if scale:
                multiplier, word_end = scale
                number, written = number * multiplier, text[start:word_end]
                also = (number * 1000,) if fold(text[end:word_end].strip()) in LONG_SCALE else ()
            found.append(_mention(written, start, number, checked=True, digits=True, also=also))
    return found


def _word_value(words: list[str]) -> int:
    """'quatre vingt dix' -> 90, 'three hundred and six' -> 306, 'deux millions' -> 2000000."""
    total, current = 0, 0
    for i, word in enumerate(words):
        if word in ARTICLES or (word in ("un", "une", "one") and words[i + 1 : i + 2] and words[i + 1] not in MULTIPLIERS):
            continue  # 'a million', 'une douzaine': an article, not 1 + 12
        if word in MULTIPLIERS and MULTIPLIERS[word] == 100:
            current = max(current, 1) * 100
        elif word in MULTIPLIERS:
            total += max(current, 1) * MULTIPLIERS[word]
            current = 0
        elif word in ("vingt", "vingts") and i and words[i - 1] == "quatre":
            current += 80 - 4
        else:
            current += _word_number(word)
    return total + current


def _word_number(word: str) -> int:
    return ENGLISH_WORDS.get(word, FRENCH_WORDS.get(word, AMBIGUOUS_WORDS.get(word, MONTHS.get(word, 0))))


def _is_number_word(word: str) -> bool:
    return word in ENGLISH_WORDS or word in FRENCH_WORDS or word in AMBIGUOUS_WORDS or word in MULTIPLIERS


def _word_numbers(text: str) -> list[NumberMention]:
    """Runs of number words ('vingt et un', 'twenty-five', 'a million'); month names back their number."""
    tokens = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    found = []
    i = 0
    while i < len(tokens):
        start, end, word = tokens[i]
        if word in MONTHS:
            found.append(_mention(text[start:end], start, Decimal(MONTHS[word]), checked=False, digits=False))
        if not (_is_number_word(word) or (word in ARTICLES and i + 1 < len(tokens) and tokens[i + 1][2] in ARTICLE_TARGETS)):
            i += 1
            continue
        run = [i]
        j = i + 1
        while j < len(tokens):
            gap = text[tokens[j - 1][1] : tokens[j][0]]
            following = tokens[j][2]
            if gap.strip(" -\u00a0") or not (_is_number_word(following) or following in CONNECTORS):
                break
            if following in CONNECTORS and not (j + 1 < len(tokens) and _is_number_word(tokens[j + 1][2])):
                break
            run.append(j)
            j += 1
        words = [tokens[k][2] for k in run if tokens[k][2] not in CONNECTORS]
        i = j
        if all(w in MULTIPLIERS for w in words) and not (len(words) == 1 and words[0] in LONE_MULTIPLIERS):
            continue
        english = ENGLISH_WORDS.keys() | ENGLISH_AMBIGUOUS.keys() | ENGLISH_MULTIPLIERS | ARTICLES
        checked = all(w in english for w in words) and not (len(words) == 1 and words[0] in AMBIGUOUS_WORDS)
        value = _word_value(words)
        span_start, span_end = tokens[run[0]][0], tokens[run[-1]][1]
        # 'deux tiers' backs 'two-thirds': each word of a run also backs its own value
        also = [_word_value([w]) for w in words if w not in ARTICLES] if len(words) > 1 else []
        also += [value * 1000] if LONG_SCALE & set(words) else []
        found.append(_mention(text[span_start:span_end], span_start, Decimal(value), checked=checked, digits=False, also=also))
    return found


@lru_cache(maxsize=16384)
def find_numbers(text: str) -> tuple[NumberMention, ...]:
    """Every number in `text`, in order; where readings overlap the more specific one wins
    (times, then ordinals, then digits with their scale, then words). Cached: a translation is
    read again as the material of briefs and summary."""
    chosen: list[NumberMention] = []
    taken: list[tuple[int, int]] = []
    for finder in (_times, _ordinals, _digit_numbers, _word_numbers):
        for mention in finder(text):
            span = (mention.start, mention.start + len(mention.text))
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            chosen.append(mention)
            taken.append(span)
    return tuple(sorted(chosen, key=lambda m: m.start))


def support_of(mentions: Iterable[NumberMention]) -> set[str]:
    """Every value the mentions back."""
    return {value for mention in mentions for value in mention.support}
