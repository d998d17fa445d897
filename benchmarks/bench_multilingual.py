"""Multilingual clusters on WMT newstest2012: the same 99 news documents in French, German, Spanish,
Czech and Russian (and the English reference), as article files.

Measures, per source language:
- language identification of every article, on the ingested text before cleaning (what the
  pipeline routes by), and whether identifying the cleaned text would have said the same; the
  identifier on single paragraphs and sentences too (short news text);
- cleaning: prose paragraphs lost (the documents are clean prose, so a good cleaner removes
  nothing), with the cleaner as it is on this branch;
- segmentation: it runs on every article, and its sentence boundaries against newstest's segments
  (which keep runs of quoted sentences, '"A." "B."', in one segment: precision is a floor);
- stub runs of the 99 mixed clusters (one document in all five languages): one brief each, whose
  provenance should cite all five articles;
- with `--translation-model M` (and `--backend`), chrF of each translated document against the
  English reference, document by document, and per language (sacrebleu's corpus chrF over the
  documents). Without it, that part is left empty.

Prints the figures with the machine's load and writes benchmarks/results/multilingual.json (or
--out). Needs ../shared/data/newstest2012; without it, measures nothing and writes nothing. Re-run
it after the cleaning rules change: `flock /work/bench.lock .venv/bin/python benchmarks/bench_multilingual.py`.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "newstest2012"
RESULTS = REPO / "benchmarks" / "results" / "multilingual.json"
LANGUAGES = ("fr", "de", "es", "cs", "ru")
_DOC = re.compile(r"<doc ([^>]*)>(.*?)</doc>", re.S)
_BLOCK = re.compile(r"<(h1|p)>(.*?)</\1>", re.S)
_SEG = re.compile(r'<seg id="(\d+)">(.*?)</seg>', re.S)


def read_sgm(language: str) -> dict[str, dict]:
    """docid -> {"title": [segs], "paragraphs": [[segs], ...]} of one newstest2012 file."""
    name = "newstest2012-ref.en.sgm" if language == "en" else f"newstest2012-src.{language}.sgm"
    documents: dict[str, dict] = {}
    for match in _DOC.finditer((DATA / name).read_text("utf-8")):
        docid = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))["docid"]
        document: dict = {"title": [], "paragraphs": []}
        for kind, body in _BLOCK.findall(match.group(2)):
            segs = [html.unescape(text).strip() for _, text in _SEG.findall(body)]
            if kind == "h1":
                document["title"].extend(segs)
            else:
                document["paragraphs"].append(segs)
        documents[docid] = document
    return documents


def article_text(document: dict) -> str:
    """An article file as people save one: the headline, then one paragraph per line block."""
    return "\n\n".join([" ".join(document["title"]), *(" ".join(segs) for segs in document["paragraphs"])]) + "\n"


def write_articles(root: Path, corpus: dict[str, dict[str, dict]]) -> tuple[dict[str, Path], list[Path]]:
    """One folder of 99 articles per language, and 99 mixed clusters of one document in every language."""
    by_language = {}
    for language, documents in corpus.items():
        folder = root / f"newstest-{language}"
        folder.mkdir(parents=True)
        for number, document in enumerate(documents.values()):
            (folder / f"{number:03d}.txt").write_text(article_text(document), "utf-8")
        by_language[language] = folder
    mixed = []
    for number, docid in enumerate(corpus[LANGUAGES[0]]):
        folder = root / "mixed" / f"doc-{number:03d}"
        folder.mkdir(parents=True)
        for language in LANGUAGES:
            (folder / f"{language}.txt").write_text(article_text(corpus[language][docid]), "utf-8")
        mixed.append(folder)
    return by_language, mixed


def share(right: int, total: int) -> float:
    return round(right / total, 4) if total else 0.0


def identification(by_language: dict[str, Path], corpus: dict[str, dict[str, dict]]) -> dict:
    """Per language: articles identified right on the raw text; agreement with the cleaned text; paragraphs and sentences."""
    from summarize.backends.stub import StubTranslator
    from summarize.cache import Cache
    from summarize.clean import clean_article
    from summarize.ingest import ingest_cluster
    from summarize.language import MIN_LETTERS, _identifier, identify, language_shares

    figures: dict = {}
    translator = StubTranslator()  # reads every language: the verdict is the identified language
    for language, folder in by_language.items():
        started = time.perf_counter()
        wrong, disagree = [], []
        articles = ingest_cluster(folder).articles
        for item in articles:
            verdict = identify(item, translator, Cache(None))
            if verdict.language != language:
                wrong.append(f"{item.id}: {verdict.language}")
            cleaned = language_shares(clean_article(item, language=verdict.language).paragraphs)
            if cleaned and max(cleaned, key=cleaned.get) != verdict.language:
                disagree.append(item.id)
        seconds = time.perf_counter() - started
        units = {"paragraphs": [" ".join(segs) for d in corpus[language].values() for segs in d["paragraphs"]],
                 "sentences": [seg for d in corpus[language].values() for segs in d["paragraphs"] for seg in segs]}
        short = {}
        for unit, texts in units.items():
            texts = [t for t in texts if sum(c.isalpha() for c in t) >= MIN_LETTERS]
            right = sum(_identifier().classify(t)[0] == language for t in texts)
            short[unit] = {"total": len(texts), "right": right, "accuracy": share(right, len(texts))}
        figures[language] = {
            "articles": len(articles), "right": len(articles) - len(wrong), "accuracy": share(len(articles) - len(wrong), len(articles)),
            "wrong": wrong, "cleaned_text_disagrees": disagree, "ms_per_article": round(1000 * seconds / max(1, len(articles)), 1),
            **short,
        }
        print(f"identify {language}: {figures[language]['right']}/{len(articles)} articles; paragraphs "
              f"{short['paragraphs']['accuracy']:.4f}, sentences {short['sentences']['accuracy']:.4f}; "
              f"cleaned text disagrees on {len(disagree)}", flush=True)
    total = sum(f["articles"] for f in figures.values())
    right = sum(f["right"] for f in figures.values())
    return {"min_letters": MIN_LETTERS, "overall": {"articles": total, "right": right, "accuracy": share(right, total)}, **figures}


def cleaning_and_segmentation(by_language: dict[str, Path], corpus: dict[str, dict[str, dict]]) -> tuple[dict, dict]:
    """Per language: prose paragraphs the cleaner lost; sentences and boundary agreement with newstest's segments."""
    from summarize.clean import clean_article
    from summarize.ingest import ingest_cluster
    from summarize.segment import segment_article, split_sentences
    from summarize.text import fingerprint

    cleaning: dict = {}
    segmentation: dict = {}
    for language, folder in by_language.items():
        documents = list(corpus[language].values())
        lost, paragraphs, lost_chars, rules, failed, sentences = [], 0, 0, Counter(), [], 0
        for item in ingest_cluster(folder).articles:
            document = documents[int(Path(item.path).stem)]
            cleaned = clean_article(item, language=language)
            kept = fingerprint(" ".join(cleaned.paragraphs))
            for segs in document["paragraphs"]:
                paragraphs += 1
                if fingerprint(" ".join(segs)) not in kept:
                    lost.append(f"{item.id}: {' '.join(segs)[:80]}")
                    lost_chars += len(" ".join(segs))
            rules.update(rule for rule, _ in cleaned.removed)
            try:
                sentences += len(segment_article(cleaned).sentences)
            except Exception as error:  # counted: the done-criterion is that it runs on all
                failed.append(f"{item.id}: {type(error).__name__}: {error}")
        cleaning[language] = {"articles": len(documents), "paragraphs": paragraphs, "lost_paragraphs": len(lost),
                              "lost_chars": lost_chars, "removed_by_rule": dict(rules), "lost": lost[:20]}
        found = gold = agreed = 0
        for document in documents:
            for segs in document["paragraphs"]:
                predicted = _boundaries(split_sentences(" ".join(segs), language))
                reference = _boundaries(segs)
                found, gold, agreed = found + len(predicted), gold + len(reference), agreed + len(predicted & reference)
        segmentation[language] = {
            "articles": len(documents), "failed": failed, "sentences": sentences,
            "reference_segments": sum(len(segs) for d in documents for segs in d["paragraphs"]),
            "boundary_precision": share(agreed, found), "boundary_recall": share(agreed, gold),
        }
        print(f"clean {language}: {len(lost)}/{paragraphs} prose paragraphs lost; segment: {sentences} sentences, "
              f"{len(failed)} failures, boundaries P {segmentation[language]['boundary_precision']:.3f} "
              f"R {segmentation[language]['boundary_recall']:.3f}", flush=True)
    return cleaning, segmentation


def _boundaries(sentences: list[str]) -> set[int]:
    """Sentence ends as offsets in the text without whitespace (comparable across segmentations)."""
    ends, position = set(), 0
    for sentence in sentences[:-1]:
        position += len("".join(sentence.split()))
        ends.add(position)
    return ends


def stub_mixed_clusters(mixed: list[Path], cluster_words: int) -> dict:
    """Each mixed cluster through the stub pipeline: one brief, five articles in five languages; how
    many articles its pooled sentences and its cited sources come from.

    The stub's cluster brief is the lead of the pooled sentences, most salient first, within
    `cluster_words`: at a small budget it holds a few sentences, so it cannot cite five articles.
    """
    from summarize.backends import make_backends
    from summarize.cache import Cache
    from summarize.options import Options
    from summarize.pipeline import run_cluster

    options = Options(backend="stub", use_cache=False, cluster_words=cluster_words)
    backends = make_backends(options)
    complete, pooled_all, cites_all, cited_counts, problems = 0, 0, 0, Counter(), []
    started = time.perf_counter()
    for folder in mixed:
        result = run_cluster(folder, options, backends, Cache(None))
        languages = {a.article.language for a in result.articles}
        complete += len(result.articles) == len(LANGUAGES) and languages == set(LANGUAGES) and bool(result.brief.summary)
        pooled_all += len({p.article for p in result.brief.pooled}) == len(LANGUAGES)
        cited = {ref.article for sentence in result.provenance.summary_sentences for ref in sentence.sources}
        cited_counts[len(cited)] += 1
        cites_all += len(cited) == len(LANGUAGES)
        problems += [f"{folder.name}/{p}" for p in result.problems]
    figures = {
        "clusters": len(mixed), "cluster_words": cluster_words, "five_languages_one_brief": complete,
        "pooled_from_all_five": pooled_all, "brief_cites_all_five": cites_all,
        "clusters_by_articles_cited": {str(k): v for k, v in sorted(cited_counts.items())}, "skipped": problems[:20],
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(f"stub mixed clusters, {cluster_words} words: {complete}/{len(mixed)} with one brief of five languages; "
          f"pooled from all five {pooled_all}/{len(mixed)}; brief cites all five {cites_all}/{len(mixed)}", flush=True)
    return figures


def chrf_by_language(by_language: dict[str, Path], corpus: dict[str, dict[str, dict]], args) -> dict:
    """Each document translated by `--translation-model` (or the registry's models), chrF against the reference."""
    try:
        import sacrebleu
    except ImportError:
        print("chrF: sacrebleu is not installed (pip install sacrebleu); skipped", flush=True)
        return {"skipped": "sacrebleu not installed"}
    from summarize.backends import make_backends
    from summarize.cache import Cache
    from summarize.clean import clean_article
    from summarize.ingest import ingest_cluster
    from summarize.language import identify
    from summarize.options import Options
    from summarize.records import RunStats
    from summarize.segment import segment_article
    from summarize.translate import translate_articles

    settings = {"cache_dir": Path(args.cache_dir)} if args.cache_dir else {}
    options = Options(backend=args.backend, translation_model=args.translation_model, languages="*", device=args.device,
                      beams=args.beams, model_dir=args.model_dir, **settings)
    backends = make_backends(options)
    cache = Cache(options.cache_dir if args.cache_dir else None)
    references = [" ".join(seg for segs in d["paragraphs"] for seg in segs) for d in corpus["en"].values()]
    chrf = sacrebleu.CHRF()
    figures: dict = {"model": args.translation_model or "registry", "backend": args.backend, "languages": {}}
    for language in args.chrf_languages:
        started, stats = time.perf_counter(), RunStats()
        documents, hypotheses = [], []
        for item in ingest_cluster(by_language[language]).articles[: args.docs]:
            number = int(Path(item.path).stem)
            verdict = identify(item, backends.translator, cache)
            segmented = segment_article(clean_article(item, language=verdict.language))
            [translated] = translate_articles([segmented], backends.translator, cache, stats)
            hypothesis = " ".join(s.translation for s in translated.segments)
            hypotheses.append(hypothesis)
            documents.append({"doc": number, "identified": verdict.language,
                              "chrf": round(chrf.sentence_score(hypothesis, [references[number]]).score, 2)})
        corpus_chrf = chrf.corpus_score(hypotheses, [[references[d["doc"]] for d in documents]])
        figures["languages"][language] = {
            "documents": len(documents), "chrf": round(corpus_chrf.score, 2), "by_document": documents,
            "seconds": round(time.perf_counter() - started, 1),
            "model": translator_description(backends.translator, language),
        }
        print(f"chrF {language}: {corpus_chrf.score:.2f} over {len(documents)} documents "
              f"({figures['languages'][language]['seconds']} s)", flush=True)
    figures["signature"] = str(chrf.get_signature())
    return figures


def translator_description(translator, language: str) -> dict:
    from summarize.backends.base import translator_for

    return translator_for(translator, language).describe()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--translation-model", help="translate with this model (for every language it reads), and report chrF")
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--model-dir")
    parser.add_argument("--cache-dir", help="cache translations here (default: none)")
    parser.add_argument("--docs", type=int, default=99, help="documents per language for chrF (all 99 by default)")
    parser.add_argument("--chrf-languages", nargs="+", default=list(LANGUAGES))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"bench_multilingual: needs {DATA} (../shared beside the checkout); nothing measured, no result file touched")
        return
    load_before = os.getloadavg()
    print(f"load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}", flush=True)
    corpus = {language: read_sgm(language) for language in (*LANGUAGES, "en")}
    with tempfile.TemporaryDirectory() as tmp:
        by_language, mixed = write_articles(Path(tmp), {language: corpus[language] for language in LANGUAGES})
        figures = {"data": "newstest2012: 99 documents in fr, de, es, cs, ru; reference en", "load_before": load_before}
        figures["identification"] = identification(by_language, corpus)
        figures["cleaning"], figures["segmentation"] = cleaning_and_segmentation(by_language, corpus)
        figures["stub_mixed_clusters"] = [stub_mixed_clusters(mixed, words) for words in (120, 400)]
        if args.translation_model or args.backend != "auto":
            figures["chrf"] = chrf_by_language(by_language, corpus, args)
        else:
            figures["chrf"] = {"skipped": "no --translation-model given (e.g. the instruct LLM of the llm branch)"}
    figures["load_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
