"""How quiet `summarize verify` is on correct human translations, and what it catches.

For FLORES-200 devtest (French -> English) and newstest2012 (French, German, Spanish, Czech and
Russian -> English, aligned by docid and seg id), the real check code reads each corpus as
`summarize verify SOURCE TRANSLATION` reads two aligned files, and reports:

- the share of lines flagged on the professional translations (each flag there is a false alarm),
  with its causes and examples;
- recall on injected errors: on every line that has one, one number of the English side is
  changed (a digit, a magnitude, a spelled-out number) or one name is swapped for another name of
  the corpus, and the line counts as caught when the check reports a finding of that kind the
  clean line did not have. Injections go in five interleaved batches (a fifth of the lines at a
  time), so the rest of the file stays correct, as in real use.

The injection does not use the checker's own number or name finders, so it cannot only plant
errors where the checker already looks: numbers are digit runs and English number words; names
are words the English corpus always capitalises (never lowercase anywhere) and writes capitalised
mid-sentence at least once. Every injection is a real error: a changed digit or word changes the
value; a swapped-in name appears nowhere in the line's source or English sentence, nor shares its
first four letters with the name it replaces.

Prints the figures with the machine's load and writes benchmarks/results/verify.json. Needs
../shared/data; without it, it says so and measures nothing.

    flock /work/bench.lock .venv/bin/python benchmarks/bench_verify.py [--languages fr,de] [--examples 3]
"""

from __future__ import annotations

import argparse
import bisect
import html
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
RESULTS = REPO / "benchmarks" / "results" / "verify.json"
LANGUAGES = ("fr", "de", "es", "cs", "ru")
BATCHES = 5
TARGET_FLAGGED = 0.03
TARGET_RECALL = 0.95

_SEG = re.compile(r'<doc[^>]*\bdocid="([^"]+)"|<seg id="?(\d+)"?>(.*?)</seg>')


def read_sgm(path: Path) -> dict[tuple[str, str], str]:
    """(docid, seg id) -> segment text."""
    segments: dict[tuple[str, str], str] = {}
    docid = ""
    for match in _SEG.finditer(path.read_text(encoding="utf-8")):
        if match.group(1):
            docid = match.group(1)
        else:
            segments[(docid, match.group(2))] = html.unescape(match.group(3)).strip()
    return segments


def corpora(languages: list[str]) -> dict[str, tuple[str, list[str], list[str]]]:
    """name -> (source language, source lines, English lines)."""
    found = {}
    flores = DATA / "flores200-devtest"
    if "fr" in languages:
        found["flores-devtest fr-en"] = (
            "fr",
            (flores / "fra_Latn.devtest").read_text("utf-8").splitlines(),
            (flores / "eng_Latn.devtest").read_text("utf-8").splitlines(),
        )
    english = read_sgm(DATA / "newstest2012" / "newstest2012-ref.en.sgm")
    for language in languages:
        source = read_sgm(DATA / "newstest2012" / f"newstest2012-src.{language}.sgm")
        keys = [k for k in english if k in source]
        found[f"newstest2012 {language}-en"] = (language, [source[k] for k in keys], [english[k] for k in keys])
    return found


# --- injection (independent of the checker's finders) ----------------------------------------

UNITS = "two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = ["thousand", "million", "billion", "trillion"]
NUMBER_WORD = re.compile(r"\b(" + "|".join(UNITS + TEENS + TENS) + r")\b", re.IGNORECASE)
SCALED = re.compile(r"\d[\d.,]*(?:[ -]|\xa0)?(thousand|million|billion|trillion|bn|m)\b", re.IGNORECASE)
DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
NAME_TOKEN = re.compile(r"\b[A-Z][^\W\d_]{2,}\b")
# Day and month names are capitalised in English but name no one: a changed date is no name swap.
CALENDAR = set(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december".split()
)


def _same_case(new: str, old: str) -> str:
    return new.capitalize() if old[:1].isupper() else new


def number_injections(line: str, rng: random.Random) -> list[tuple[str, str]]:
    """Every way this injector can change one number of `line`: (kind, changed line)."""
    options = []
    for match in DIGITS.finditer(line):
        positions = [i for i in range(match.start(), match.end()) if line[i].isdigit()]
        i = rng.choice(positions)
        digit = line[i]
        choices = [d for d in "0123456789" if d != digit and not (d == "0" and i == match.start())]
        options.append(("digit", line[:i] + rng.choice(choices) + line[i + 1 :]))
    for match in SCALED.finditer(line):
        scale = match.group(1)
        if scale.lower() in ("bn", "m"):
            new = "m" if scale.lower() == "bn" else "bn"
        else:
            new = rng.choice([s for s in SCALES if s != scale.lower()])
        options.append(("magnitude", line[: match.start(1)] + _same_case(new, scale) + line[match.end(1) :]))
    for match in NUMBER_WORD.finditer(line):
        word = match.group(1).lower()
        family = next(f for f in (UNITS, TEENS, TENS) if word in f)
        new = rng.choice([w for w in family if w != word])
        options.append(("spelled", line[: match.start()] + _same_case(new, match.group(1)) + line[match.end() :]))
    return options


def proper_nouns(english: list[str]) -> set[str]:
    """Words the corpus always capitalises and writes capitalised inside a sentence at least once."""
    lowercase, inside = set(), set()
    for line in english:
        for match in TOKEN.finditer(line):
            word = match.group()
            if word[:1].islower():
                lowercase.add(word.lower())
            elif match.start() > 0 and line[match.start() - 2 : match.start()].strip() not in (".", "!", "?", '"', "“", ":"):
                inside.add(word)
    return {w for w in inside if w.lower() not in lowercase | CALENDAR and len(w) >= 3 and w.isalpha()}


def name_injection(source: str, line: str, names: list[str], rng: random.Random) -> str | None:
    """`line` with one of its proper nouns (`names`, sorted) swapped for another one, or None."""
    here = [m for m in NAME_TOKEN.finditer(line) if _listed(names, m.group())]
    if not here:
        return None
    match = rng.choice(here)
    folded_context = (source + " " + line).casefold()
    for _ in range(50):
        new = rng.choice(names)
        if new.casefold() not in folded_context and new[:4].casefold() != match.group()[:4].casefold():
            return line[: match.start()] + new + line[match.end() :]
    return None


def _listed(names: list[str], word: str) -> bool:
    at = bisect.bisect_left(names, word)
    return at < len(names) and names[at] == word


# --- measuring ---------------------------------------------------------------------------------


def findings_by_line(language: str, sources: list[str], english: list[str]) -> dict[int, set[tuple[str, str, str]]]:
    from summarize.checks import verify_lines

    found: dict[int, set[tuple[str, str, str]]] = {}
    for item in verify_lines(sources, english, source_language=language):
        found.setdefault(item.index, set()).add((item.kind, item.problem, item.item))
    return found


def recall(language: str, sources: list[str], english: list[str], clean: dict, injected: dict[int, tuple[str, str]], kind: str) -> dict:
    """Share of injected lines that get a new finding of `kind`, per injection type."""
    caught, total, missed = Counter(), Counter(), []
    for batch in range(BATCHES):
        lines = list(english)
        batch_lines = {i: v for i, v in injected.items() if i % BATCHES == batch}
        for i, (_, changed) in batch_lines.items():
            lines[i] = changed
        found = findings_by_line(language, sources, lines)
        for i, (how, changed) in batch_lines.items():
            total[how] += 1
            new = {f for f in found.get(i, set()) - clean.get(i, set()) if f[0] == kind}
            if new:
                caught[how] += 1
            elif len(missed) < 8:
                missed.append({"line": i + 1, "source": sources[i], "original": english[i], "injected": changed})
    count = sum(total.values())
    return {
        "injected": count,
        "caught": sum(caught.values()),
        "recall": round(sum(caught.values()) / count, 4) if count else None,
        "by_type": {how: {"injected": total[how], "caught": caught[how]} for how in sorted(total)},
        "missed_examples": missed,
    }


def measure(language: str, sources: list[str], english: list[str], examples: int) -> dict:
    rng = random.Random(2012)
    start = time.perf_counter()
    clean = findings_by_line(language, sources, english)
    check_s = time.perf_counter() - start
    causes = Counter((kind, problem) for found in clean.values() for kind, problem, _ in found)
    items = Counter((kind, problem, item) for found in clean.values() for kind, problem, item in found)
    flagged = sorted(clean)
    sample = rng.sample(flagged, min(examples, len(flagged)))

    number_changes = {}
    for i, line in enumerate(english):
        options = number_injections(line, rng)
        if options:
            kinds = sorted({k for k, _ in options})
            kind = kinds[i % len(kinds)]  # spread the types over the lines that allow several
            number_changes[i] = rng.choice([o for o in options if o[0] == kind])
    names = sorted(proper_nouns(english))
    name_swaps = {}
    for i, (source, line) in enumerate(zip(sources, english)):
        swapped = name_injection(source, line, names, rng)
        if swapped:
            name_swaps[i] = ("swap", swapped)

    return {
        "source_language": language,
        "lines": len(english),
        "lines_flagged": len(clean),
        "flagged_share": round(len(clean) / len(english), 4),
        "check_s": round(check_s, 2),
        "causes": {f"{problem} {kind}": count for (kind, problem), count in causes.most_common()},
        "top_items": [f"{problem} {kind}: {item} ({count})" for (kind, problem, item), count in items.most_common(15)],
        "examples": [
            {"line": i + 1, "source": sources[i], "translation": english[i], "findings": sorted(map(list, clean[i]))} for i in sample
        ],
        "numbers": recall(language, sources, english, clean, number_changes, "number"),
        "names": recall(language, sources, english, clean, name_swaps, "name"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="source languages of newstest2012 (fr also runs FLORES)")
    parser.add_argument("--examples", type=int, default=5, help="flagged lines to show per corpus")
    parser.add_argument("--no-write", action="store_true", help="print only; leave verify.json as it is")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} not found: nothing measured (bench_verify needs ../shared/data)")
        return
    sys.path.insert(0, str(REPO))
    load_before = os.getloadavg()
    results = {}
    for name, (language, sources, english) in corpora(args.languages.split(",")).items():
        figures = measure(language, sources, english, args.examples)
        results[name] = figures
        numbers, names = figures["numbers"], figures["names"]
        print(
            f"{name:>22}: {figures['lines_flagged']:4d}/{figures['lines']} lines flagged ({100 * figures['flagged_share']:.1f}%), "
            f"numbers {numbers['caught']}/{numbers['injected']} ({100 * (numbers['recall'] or 0):.1f}%), "
            f"names {names['caught']}/{names['injected']} ({100 * (names['recall'] or 0):.1f}%), check {figures['check_s']} s",
            flush=True,
        )
        print("    causes:", ", ".join(f"{k} {v}" for k, v in figures["causes"].items()))
        print("    top:", "; ".join(figures["top_items"][:8]))
    summary = {
        "benchmark": "verify on correct human translations and injected errors",
        "targets": {"flagged_share_max": TARGET_FLAGGED, "recall_min": TARGET_RECALL},
        "meets_targets": {
            name: f["flagged_share"] <= TARGET_FLAGGED
            and (f["numbers"]["recall"] or 0) >= TARGET_RECALL
            and (f["names"]["recall"] or 0) >= TARGET_RECALL
            for name, f in results.items()
        },
        "corpora": results,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    print(f"load average before {load_before}, after {summary['load_average_after']}")
    if args.no_write or args.languages != ",".join(LANGUAGES):
        print("(partial or --no-write run: verify.json left as it is)")
        return
    RESULTS.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
