"""Reading an LLM's answers (summarize/backends/answers.py): scripted answers of the kinds small models give."""

from __future__ import annotations

import pytest

from summarize.backends.answers import clean_prose, clean_sentence, drop_last_sentence, drop_unfinished, numbered, parse_numbered
from summarize.backends.causal import _shorten, length_bounds

FRENCH = [
    "Le Premier ministre a présenté mardi un plan de 12 milliards d'euros pour les hôpitaux publics.",
    "Les syndicats de soignants ont salué une « première étape », tout en réclamant davantage de postes.",
    "L'opposition a dénoncé un effet d'annonce à quelques mois des élections régionales.",
]
ENGLISH = [
    "The Prime Minister on Tuesday presented a 12 billion euro plan for public hospitals.",
    "Health workers' unions welcomed a \"first step\", while calling for more posts.",
    "The opposition denounced an announcement effect a few months before the regional elections.",
]
WELL_FORMED = "\n".join(f"{n}. {s}" for n, s in enumerate(ENGLISH, 1))


def test_the_prompt_numbers_one_sentence_per_line():
    assert numbered(["Un  deux.", "Trois\nquatre."]) == "1. Un deux.\n2. Trois quatre."


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(WELL_FORMED, id="well-formed"),
        pytest.param("Here is the translation:\n\n" + WELL_FORMED, id="chatter-before"),
        pytest.param("Sure! Here are the three sentences in English\n" + WELL_FORMED, id="chatter-line-without-colon"),
        pytest.param(WELL_FORMED + "\n\nNote: I kept the quotation as it stands.", id="note-after"),
        pytest.param("```\n" + WELL_FORMED + "\n```", id="code-fence"),
        pytest.param("\n".join(f"**{n}.** {s}" for n, s in enumerate(ENGLISH, 1)), id="bold-numbers"),
        pytest.param("\n".join(f"{n}) {s}" for n, s in enumerate(ENGLISH, 1)), id="parenthesis-numbers"),
        pytest.param("\n\n".join(f"{n}. {s}" for n, s in enumerate(ENGLISH, 1)), id="blank-lines-between"),
        pytest.param("\n".join(f'{n}. "{s}"' for n, s in enumerate(ENGLISH, 1)), id="quoted-items"),
    ],
)
def test_answers_that_align_give_one_translation_per_sentence(answer):
    assert parse_numbered(answer, FRENCH) == ENGLISH


def test_a_wrapped_line_continues_its_item():
    answer = f"1. {ENGLISH[0]}\n2. Health workers' unions welcomed a \"first step\",\nwhile calling for more posts.\n3. {ENGLISH[2]}"
    assert parse_numbered(answer, FRENCH) == ENGLISH


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(f"1. {ENGLISH[0]} {ENGLISH[1]}\n2. {ENGLISH[2]}", id="merged-lines"),
        pytest.param(f"1. {ENGLISH[0]}\n3. {ENGLISH[2]}", id="missing-line"),
        pytest.param(WELL_FORMED + "\n4. The government did not react.", id="extra-line"),
        pytest.param(f"1. {ENGLISH[0]}\n3. {ENGLISH[2]}\n2. {ENGLISH[1]}", id="out-of-order"),
        pytest.param(f"1. {ENGLISH[0]}\n2.\n3. {ENGLISH[2]}", id="empty-item"),
        pytest.param(" ".join(ENGLISH), id="no-numbers"),
        pytest.param("\n".join(ENGLISH), id="lines-without-numbers"),
        pytest.param("I cannot translate this text.", id="refusal"),
        pytest.param("", id="empty"),
        # two sentences merged into line 1, the third moved up, an invented line 3: the count is right, the alignment is not
        pytest.param(f"1. {ENGLISH[0]} {ENGLISH[1]}\n2. {ENGLISH[2]}\n3. Elections.", id="merged-and-shifted"),
    ],
)
def test_answers_that_do_not_align_are_rejected(answer):
    assert parse_numbered(answer, FRENCH) is None


def test_alignment_judges_shares_not_lengths_so_any_language_pair_passes():
    chinese = ["总理周二提出了一项计划。", "工会对此表示欢迎，但要求增加更多的职位和更高的工资以及更好的工作条件。"]
    english = ["The Prime Minister presented a plan on Tuesday.", "The unions welcomed it but called for more posts, higher pay and better working conditions."]
    assert parse_numbered(numbered(english), chinese) == english


def test_a_quoted_source_keeps_its_quotes():
    source = ["« Nous ne céderons pas », a-t-il dit.", "Il a ajouté qu'il resterait en poste jusqu'à la fin du mandat."]
    answer = '1. "We will not give in," he said.\n2. He added that he would stay in office until the end of the term.'
    assert parse_numbered(answer, source)[0] == '"We will not give in," he said.'
    assert parse_numbered('1. "We will not give in."\n2. He added that he would stay in office until the end of the term.', ["« Nous ne céderons pas. »", source[1]])[0] == '"We will not give in."'


@pytest.mark.parametrize(
    "answer, expected",
    [
        (ENGLISH[0], ENGLISH[0]),
        (f"Here is the translation:\n\n{ENGLISH[0]}", ENGLISH[0]),
        (f"Translation:\n{ENGLISH[0]}", ENGLISH[0]),
        (f"English translation: {ENGLISH[0]}", ENGLISH[0]),
        (f'"{ENGLISH[0]}"', ENGLISH[0]),
        (f"{ENGLISH[0]}\n\nNote: 12 milliards is 12 billion.", ENGLISH[0]),
        (f"1. {ENGLISH[0]}", ENGLISH[0]),
        (f"**{ENGLISH[0]}**", ENGLISH[0]),
        ("", ""),
    ],
)
def test_one_sentence_answers_lose_their_chatter(answer, expected):
    assert clean_sentence(answer, FRENCH[0]) == expected


def test_a_label_or_number_in_the_source_is_kept():
    assert clean_sentence("Translation: a new word for it.", "Traduction : un mot nouveau.") == "Translation: a new word for it."
    assert clean_sentence("1. Reform the pensions.", "1. Réformer les retraites.") == "1. Reform the pensions."


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("The minister resigned. Her deputy takes over.", "The minister resigned. Her deputy takes over."),
        ("Here is a 60-word brief:\n\nThe minister resigned.", "The minister resigned."),
        ("**Brief:** The minister resigned.", "The minister resigned."),
        ("# Minister resigns\nThe minister resigned.", "The minister resigned."),
        ("- The minister resigned.\n- Her deputy takes over.", "The minister resigned. Her deputy takes over."),
        ("The **minister** resigned\non Tuesday.", "The minister resigned on Tuesday."),
        ("The minister resigned [1]. Her deputy takes over [2][3]. Unions object [1, 3].", "The minister resigned. Her deputy takes over. Unions object."),
    ],
)
def test_summaries_become_one_plain_paragraph(answer, expected):
    assert clean_prose(answer) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The minister resigned. Her deputy", "The minister resigned."),
        ("The minister resigned. Her deputy takes over.", "The minister resigned. Her deputy takes over."),
        ('He said "no." Then he', 'He said "no."'),
        ("No sentence ends here", "No sentence ends here"),
    ],
)
def test_a_cut_off_last_sentence_is_dropped(text, expected):
    assert drop_unfinished(text) == expected


def test_last_sentence_dropped_whole():
    assert drop_last_sentence("One. Two three. Four") == "One. Two three."
    assert drop_last_sentence("One.") == ""


@pytest.mark.parametrize(
    "words, text, expected_words",
    [
        (8, "One two three four five. Six seven eight nine ten. Eleven twelve.", 10),  # 12 > 10: drop the last sentence
        (8, "One two three four five six seven eight nine ten eleven twelve.", 12),  # one sentence: never cut inside it
        (8, "One two three four five six seven. Eight nine ten eleven twelve.", 7),
        (8, "One two three. Four five six seven eight nine ten eleven twelve.", 12),  # dropping would leave 3 < 6
    ],
)
def test_a_long_summary_loses_whole_sentences_only_while_it_stays_long_enough(words, text, expected_words):
    low, high = length_bounds(words)
    assert (low, high) == (6, 10)
    shortened = _shorten(text, low, high)
    assert text.startswith(shortened)
    assert len(shortened.split()) == expected_words
