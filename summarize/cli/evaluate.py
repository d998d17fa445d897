"""`summarize eval translation|summaries`: score the configured models on reference data (summarize/evaluate.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from summarize.cli.settings import pipeline_settings
from summarize.errors import UsageError
from summarize.options import Options

eval_app = typer.Typer(
    help="Measure the configured models on reference data: translation (chrF, BLEU) or summaries (ROUGE); JSON report.",
    no_args_is_help=True,
)

Report = Annotated[Optional[Path], typer.Option(help="Write the JSON report here too (it is always printed).")]
Outputs = Annotated[Optional[Path], typer.Option(help="Write every output with its source and reference here (JSON lines).")]
Limit = Annotated[Optional[int], typer.Option(min=1, help="Only the first N documents (translation) or articles (summaries).")]


@eval_app.command("translation")
@pipeline_settings
def eval_translation(
    source: Annotated[Path, typer.Argument(help="Source text: a WMT SGM file (<doc docid>, <p>, <seg id>) or one sentence per line.", show_default=False)],
    reference: Annotated[Path, typer.Argument(help="English reference: the SGM file of the same set, or lines aligned with SOURCE.", show_default=False)],
    options: Options,
    language: Annotated[str, typer.Option(help="The source language's code (fr, de, es, ...), for an LLM's prompt.")] = "fr",
    docs: Annotated[
        Optional[Path],
        typer.Option(help="For line files: one document id per line (first tab-separated column, e.g. FLORES's metadata); consecutive lines of one document are translated as one paragraph."),
    ] = None,
    limit: Limit = None,
    report: Report = None,
    outputs: Outputs = None,
) -> None:
    """Translate a parallel set document by document as a run would (no cache) and score it: sacrebleu chrF and BLEU
    with their signatures, tokens per second, passages an LLM retried, and the number/name checks."""
    from summarize.backends import make_backends
    from summarize.evaluate import evaluate_translation, parallel_lines, parallel_sgm

    if source.suffix.lower() == ".sgm" or reference.suffix.lower() == ".sgm":
        if docs is not None:
            raise UsageError("--docs is for line files; SGM files name their documents. Fix: leave out --docs")
        documents = parallel_sgm(source, reference)
    else:
        documents = parallel_lines(source, reference, docs)
    translator = make_backends(options).translator
    result, rows = evaluate_translation(documents[:limit], translator, language, progress=_progress("translated"))
    _finish(result, rows, report, outputs)


@eval_app.command("summaries")
@pipeline_settings
def eval_summaries(
    data: Annotated[Path, typer.Argument(help='Articles with reference summaries: JSON lines {"id", "article", "reference"}.', show_default=False)],
    options: Options,
    limit: Limit = None,
    report: Report = None,
    outputs: Outputs = None,
) -> None:
    """Brief each article (--brief-words) and score the briefs: ROUGE-1/2/L against the references beside lead-3's,
    lengths against the budget, and the number/name checks."""
    from summarize.backends import make_backends
    from summarize.evaluate import evaluate_summaries, read_summaries

    items = read_summaries(data)[:limit]
    summarizer = make_backends(options).summarizer
    result, rows = evaluate_summaries(items, summarizer, options.brief_words, progress=_progress("briefed"))
    _finish(result, rows, report, outputs)


def _progress(verb: str):
    def show(done: int, total: int) -> None:
        typer.echo(f"{verb} {done}/{total}", err=True)

    return show


def _finish(result: dict, rows: list[dict], report: Path | None, outputs: Path | None) -> None:
    from summarize.write import atomic_write_text

    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if report is not None:
        atomic_write_text(report, text)
    if outputs is not None:
        atomic_write_text(outputs, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    typer.echo(text, nl=False)
