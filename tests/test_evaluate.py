"""`summarize eval` (summarize/evaluate.py): reading parallel sets, scoring translations and briefs, the CLI report."""

from __future__ import annotations

import json

import pytest
from fakes import WordEngine
from typer.testing import CliRunner

from summarize.cli import app
from summarize.errors import UsageError
from summarize.provenance import split_summary
from summarize.evaluate import evaluate_summaries, evaluate_translation, parallel_lines, parallel_sgm, read_summaries

SOURCE_SGM = """<srcset setid="test" srclang="any">
<doc docid="one.html" genre="news" origlang="fr">
<h1>
<seg id="1">Le Parlement rejette l&apos;amendement</seg>
</h1>
<p>
<seg id="2">Le vote a eu lieu mardi.</seg>
<seg id="3">Il fallait 226 voix.</seg>
</p>
</doc>
<doc docid="two.html" genre="news" origlang="de">
<p>
<seg id="1">La Bourse de Paris a fini en hausse de 2 %.</seg>
</p>
</doc>
</srcset>
"""
REFERENCE_SGM = """<refset setid="test" srclang="any" trglang="en">
<doc sysid="ref" docid="one.html" genre="news" origlang="fr">
<h1>
<seg id="1">Parliament rejects the amendment</seg>
</h1>
<p>
<seg id="2">The vote took place on Tuesday.</seg>
<seg id="3">226 votes were needed.</seg>
</p>
</doc>
<doc sysid="ref" docid="two.html" genre="news" origlang="de">
<p>
<seg id="1">The Paris stock exchange closed 2% higher.</seg>
</p>
</doc>
</refset>
"""


@pytest.fixture
def sgm(tmp_path):
    (tmp_path / "src.fr.sgm").write_text(SOURCE_SGM, "utf-8")
    (tmp_path / "ref.en.sgm").write_text(REFERENCE_SGM, "utf-8")
    return tmp_path / "src.fr.sgm", tmp_path / "ref.en.sgm"


def test_sgm_documents_keep_their_paragraphs_and_pair_sentences_by_docid_and_seg_id(sgm):
    one, two = parallel_sgm(*sgm)
    assert one.id == "one.html" and two.id == "two.html"
    assert one.paragraphs == (
        (("Le Parlement rejette l'amendement", "Parliament rejects the amendment"),),
        (("Le vote a eu lieu mardi.", "The vote took place on Tuesday."), ("Il fallait 226 voix.", "226 votes were needed.")),
    )


def test_a_reference_of_another_set_is_refused(sgm, tmp_path):
    other = tmp_path / "other.sgm"
    other.write_text(REFERENCE_SGM.replace('seg id="3"', 'seg id="9"'), "utf-8")
    with pytest.raises(UsageError, match="one.html has no seg 3"):
        parallel_sgm(sgm[0], other)


def test_line_files_group_consecutive_lines_of_one_document(tmp_path):
    (tmp_path / "src").write_text("Un.\nDeux.\nTrois.\nQuatre.\n", "utf-8")
    (tmp_path / "ref").write_text("One.\nTwo.\nThree.\nFour.\n", "utf-8")
    (tmp_path / "docs.tsv").write_text("URL\tdomain\nhttp://a\twiki\nhttp://a\twiki\nhttp://b\twiki\nhttp://a\twiki\n", "utf-8")
    documents = parallel_lines(tmp_path / "src", tmp_path / "ref", tmp_path / "docs.tsv")
    assert [[len(p) for p in d.paragraphs] for d in documents] == [[2], [1], [1]]
    assert [d.id for d in documents] == ["http://a#0", "http://b#2", "http://a#3"]
    assert [len(d.paragraphs[0]) for d in parallel_lines(tmp_path / "src", tmp_path / "ref")] == [1, 1, 1, 1]
    (tmp_path / "ref").write_text("One.\n", "utf-8")
    with pytest.raises(UsageError, match="4 lines .* 1"):
        parallel_lines(tmp_path / "src", tmp_path / "ref")


class DictTranslator(WordEngine):
    """Translates by looking the sentence up; a sentence it does not know comes back as "?"."""

    def __init__(self, table: dict[str, str]):
        super().__init__(200)
        self.table = table
        self.counters = {"passages": 0}

    def translate(self, sentences):
        return [self.table.get(s, "?") for s in sentences]


def test_a_perfect_translation_scores_100_and_a_lost_number_is_flagged(sgm):
    documents = parallel_sgm(*sgm)
    table = {source: reference for d in documents for p in d.paragraphs for source, reference in p}
    report, outputs = evaluate_translation(documents, DictTranslator(table), "fr")
    assert (report["chrF"], report["BLEU"]) == (100.0, 100.0)
    assert report["sentences"] == 4 and report["documents"] == 2 and report["checks"]["flag_rate"] == 0.0
    assert report["signatures"]["chrF"].startswith("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:")
    assert report["signatures"]["BLEU"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert report["signatures"]["translate"].startswith("stage:translate|engine:fake")
    assert report["alignment"] == {"passages": 0} and report["output_tokens"] > 0
    assert outputs[2] == {"document": "one.html", "source": "Il fallait 226 voix.", "reference": "226 votes were needed.",
                          "translation": "226 votes were needed."}

    table["Il fallait 226 voix."] = "Many votes were needed."
    report, _ = evaluate_translation(documents, DictTranslator(table), "fr")
    assert report["chrF"] < 100 and report["checks"]["missing_numbers"] == 1 and report["checks"]["flagged_sentences"] == 1


ARTICLE = ("The council approved the plan on Monday. It will cost 40 million dollars. Work starts in May. "
           "Residents were divided. The mayor said the city needed it.")


class FirstSentences(WordEngine):
    def __init__(self, answer=None):
        super().__init__(500)
        self.answer = answer

    def summarize(self, texts, max_words):
        return [self.answer or " ".join(split_summary(t)[:3]) for t in texts]


def test_briefs_are_scored_beside_lead3_with_lengths_and_flags(tmp_path):
    items = [{"id": "x", "article": ARTICLE, "reference": "Council approves 40 million dollar plan.\nWork starts in May."}] * 2
    report, outputs = evaluate_summaries(items, FirstSentences(), 15)
    assert report["rouge"]["brief"] == report["rouge"]["lead3"] and report["rouge"]["brief"]["ROUGE-2"] > 20
    assert report["length"]["within_tolerance"] == 2 and report["checks"]["flag_rate"] == 0.0
    assert report["signatures"]["rouge"].startswith("rouge-score:") and report["words_asked"] == 15

    report, outputs = evaluate_summaries(items, FirstSentences("The council approved the 90 million dollar plan on Monday."), 15)
    assert report["checks"]["unsupported_numbers"] == 2 and report["checks"]["flagged_briefs"] == 2
    assert outputs[0]["flags"][0]["item"].startswith("90") and report["length"]["within_tolerance"] == 0


def test_summaries_file_must_hold_articles_and_references(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"id": "a", "article": "Text.", "reference": "Ref."}\n\n{"article": "Text."}\n', "utf-8")
    with pytest.raises(UsageError, match=r"data.jsonl:3: needs \"article\" and \"reference\""):
        read_summaries(path)


def test_cli_eval_writes_the_report_and_the_outputs(sgm, tmp_path):
    report, outputs = tmp_path / "report.json", tmp_path / "outputs.jsonl"
    result = CliRunner().invoke(
        app, ["eval", "translation", str(sgm[0]), str(sgm[1]), "--backend", "stub", "--report", str(report), "--outputs", str(outputs)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text("utf-8"))
    assert data["task"] == "translation" and data["model"]["engine"] == "stub" and 0 < data["chrF"] < 100
    assert len(outputs.read_text("utf-8").splitlines()) == 4
    refused = CliRunner().invoke(app, ["eval", "translation", str(sgm[0]), str(sgm[1]), "--docs", str(sgm[0]), "--backend", "stub"])
    assert refused.exit_code == 2 and "--docs is for line files" in refused.output
