"""Worst-case inputs for the text stages (issue 6): how long segmentation and a whole stub run take
on huge or punctuation-free articles, with the guards in place and (for pysbd) without them.

Prints the figures and writes benchmarks/results/bad_input.json. Needs no ../shared.

    python benchmarks/bench_bad_input.py
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "bad_input.json"
WORDS = ("le président de la république a déclaré que les négociations avancent rapidement dans la région "
         "avec nos partenaires européens depuis mardi selon plusieurs sources").split()


def prose(rng: random.Random, chars: int, punctuated: bool = True) -> str:
    """French-looking words; sentences of 8-25 words when `punctuated`, else one endless sentence."""
    parts: list[str] = []
    while sum(map(len, parts)) < chars:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 25)))
        parts.append(sentence.capitalize() + ". " if punctuated else sentence + " ")
    return "".join(parts)[:chars].strip()


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return round(time.perf_counter() - start, 3)


def main() -> None:
    from summarize.segment import _segmenter, split_sentences

    rng = random.Random(6)
    figures: dict[str, dict] = {"load_before": os.getloadavg()[0], "segment_s": {}, "pysbd_unguarded_s": {}, "run_s": {}}
    for label, chars, punctuated in [("20k no punctuation", 20_000, False), ("100k prose", 100_000, True),
                                     ("100k no punctuation", 100_000, False), ("2M prose", 2_000_000, True)]:
        text = prose(rng, chars, punctuated)
        figures["segment_s"][label] = timed(split_sentences, text)
        if chars <= 100_000:  # unguarded pysbd on 2 MB would take many minutes (quadratic)
            figures["pysbd_unguarded_s"][label] = timed(_segmenter("fr").segment, text)
        print(f"{label:>22}: split_sentences {figures['segment_s'][label]:7.3f} s, "
              f"pysbd alone {figures['pysbd_unguarded_s'].get(label, float('nan')):7.3f} s", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        cluster = Path(tmp) / "fr-huge"
        cluster.mkdir()
        (cluster / "huge.txt").write_text("Un document énorme\n\n" + "\n\n".join(prose(rng, 2000) for _ in range(1000)), "utf-8")
        (cluster / "mega.txt").write_text("Sans ponctuation\n\n" + prose(rng, 20_000, punctuated=False), "utf-8")
        command = [sys.executable, "-m", "summarize", "run", str(cluster), "--backend", "stub", "--no-cache", "-q",
                   "--out", str(Path(tmp) / "out")]
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=REPO)
        figures["run_s"]["stub run: 2 MB article + 20k-char unpunctuated paragraph"] = round(time.perf_counter() - start, 2)
    figures["load_after"] = os.getloadavg()[0]
    print(f"stub CLI run, 2 MB + 20k-char articles: {list(figures['run_s'].values())[0]:.2f} s "
          f"(load {figures['load_before']:.1f} -> {figures['load_after']:.1f} on {os.cpu_count()} cores)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
