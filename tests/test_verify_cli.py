"""`summarize verify SOURCE TRANSLATION`: audit any MT output into English, line by line, in any source language."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from summarize.cli import app

runner = CliRunner()

FRENCH = [
    "Le train devrait mettre deux jours pour arriver dans la ville russe de Vladivostok, à la frontière nord-coréenne, "
    "un trajet de 683 milles qui sera effectué à seulement 37 milles à l’heure.",
    "Plus tôt, le 4 septembre, la porte-parole Adrienne Watson avait déclaré que le dirigeant Kim et le président "
    "Vladimir Poutine pourraient envisager de se rencontrer.",
    "Au cours de sa visite, Choïgou a transmis à Kim une proposition visant à organiser une série d’exercices militaires "
    "conjoints avec la Chine.",
]
ENGLISH = [
    "The train is expected to take two days to reach the Russian city of Vladivostok, on the North Korean border, a "
    "683-mile journey that will be made at only 37 miles per hour.",
    "Earlier, on September 4, spokeswoman Adrienne Watson said leader Kim and President Vladimir Putin could consider meeting.",
    "During his visit, Shoigu passed on to Kim a proposal to organise a series of joint military exercises with China.",
]


def write_lines(path, lines, trailing="\n"):
    path.write_text("\n".join(lines) + trailing, encoding="utf-8")
    return str(path)


def verify(*args):
    return runner.invoke(app, ["verify", *map(str, args)], catch_exceptions=False)


def test_clean_translation_exits_0(tmp_path):
    result = verify(write_lines(tmp_path / "fr.txt", FRENCH), write_lines(tmp_path / "en.txt", ENGLISH, trailing="\n\n\n"))
    assert result.exit_code == 0, result.output
    assert "no unsupported numbers or names" in result.output


def test_identity_translation_exits_0(tmp_path):
    source = write_lines(tmp_path / "fr.txt", FRENCH)
    assert verify(source, source).exit_code == 0


def test_corrupted_translation_lists_items_and_exits_1(tmp_path):
    corrupted = [
        ENGLISH[0].replace("683-mile", "1,100 km"),
        ENGLISH[1].replace("Adrienne Watson", "Adrienne Johnson"),
        ENGLISH[2].replace("with China", "with Japan"),
    ]
    result = verify(write_lines(tmp_path / "fr.txt", FRENCH), write_lines(tmp_path / "en.txt", corrupted))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert lines == [
        "line 1: number “1,100” is not in the French source",
        "line 1: number “683” of the French source is missing from the translation",
        "line 2: name “Adrienne Johnson” is not in the French source",
        "line 2: name “Adrienne Watson” of the French source is missing from the translation",
        "line 3: name “Japan” is not in the French source",
        "line 3: name “Chine” of the French source is missing from the translation",
    ]


def test_blank_lines_keep_alignment(tmp_path):
    source = write_lines(tmp_path / "fr.txt", [FRENCH[0], "", FRENCH[2]])
    target = write_lines(tmp_path / "en.txt", [ENGLISH[0], "", ENGLISH[2].replace("China", "Japan")])
    result = verify(source, target)
    assert result.exit_code == 1 and "line 3: name “Japan”" in result.output


def test_only_newlines_separate_lines(tmp_path):
    """A Unicode line separator inside a sentence must not shift the alignment."""
    source = write_lines(tmp_path / "fr.txt", [FRENCH[0].replace(", à la frontière", ",\u2028à la frontière"), *FRENCH[1:]])
    assert verify(source, write_lines(tmp_path / "en.txt", ENGLISH)).exit_code == 0


def test_line_count_mismatch_exits_2_naming_both_files(tmp_path):
    source = write_lines(tmp_path / "fr.txt", FRENCH)
    target = write_lines(tmp_path / "en.txt", ENGLISH[:2])
    result = verify(source, target)
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "en.txt: 2 lines but" in line and "fr.txt has 3" in line and "Traceback" not in result.output


@pytest.mark.parametrize("problem", ["missing", "directory", "latin-1"])
def test_unreadable_file_exits_2_naming_it(tmp_path, problem):
    source = write_lines(tmp_path / "fr.txt", FRENCH)
    target = tmp_path / "bad.txt"
    if problem == "directory":
        target.mkdir()
    elif problem == "latin-1":
        target.write_bytes("Il a parlé à la Chine.\n".encode("latin-1"))
    result = verify(source, target)
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error:") and str(target) in line


def test_bad_usage_exits_2(tmp_path):
    assert runner.invoke(app, ["verify", str(tmp_path / "only-one.txt")]).exit_code == 2


GERMAN = [
    "Die Bahn will bis 2025 rund 3,5 Milliarden Euro in das Netz investieren, sagte Richard Lutz am Dienstag in Berlin.",
    "Nach Angaben der Polizei wurden bei dem Unfall 14 Menschen verletzt.",
]
GERMAN_IN_ENGLISH = [
    "The railway wants to invest around 3.5 billion euros in the network by 2025, Richard Lutz said in Berlin on Tuesday.",
    "According to the police, 41 people were injured in the accident.",
]


@pytest.mark.parametrize("language_option", [[], ["--source-language", "de"], ["-l", "DE"]])
def test_other_source_languages_are_identified_or_named(tmp_path, language_option):
    source = write_lines(tmp_path / "de.txt", GERMAN)
    result = verify(source, write_lines(tmp_path / "en.txt", GERMAN_IN_ENGLISH), *language_option)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[:2] == [
        "line 2: number “41” is not in the German source",
        "line 2: number “14” of the German source is missing from the translation",
    ]
