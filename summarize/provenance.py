"""Provenance stage (after cluster, before write): which source sentences back each summary
sentence, and which numbers and names nothing backs.

Each sentence of the cluster summary and of every article brief is aligned to the translated
sentences it draws on by lexical overlap, ROUGE-style: the share of the summary sentence's
content words (and word pairs) that a source sentence contains. Sources are picked greedily, the
best first and then any that covers a good share of what is still uncovered, so a sentence
fused from two sources cites both. A source is (article, segment): the segment holds the source
sentence it translates and the article its file, so every claim leads back to the original.
Pure Python and fast; nothing is cached.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from summarize.checks import METHOD as CHECKS_METHOD
from summarize.checks import STOPWORDS, TranslationPair, check_summary, check_translations
from summarize.records import BriefedArticle, CheckItem, ClusterBrief, Provenance, SourceRef, TracedSentence
from summarize.text import fold

METHOD = f"provenance:overlap-greedy-v2|{CHECKS_METHOD}"
MAX_SOURCES = 3
MIN_EXTRA_SHARE = 0.2  # a further source must cover this share of the sentence's words not yet covered
_WORD = re.compile(r"\w+", re.UNICODE)
_INITIAL_END = re.compile(r"(?:^|[\s(-])[A-ZÀ-Ý]\.$")


@dataclass(frozen=True)
class _Source:
    article: str
    segment: int
    order: int
    words: frozenset[str]
    pairs: frozenset[tuple[str, str]]


def content_words(text: str) -> list[str]:
    """Folded words that carry content, plural 's' removed ('Russia's talks' -> russia, talk)."""
    tokens = (fold(w) for w in _WORD.findall(text))
    return [t[:-1] if len(t) > 3 and t.endswith("s") else t for t in tokens if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


def _source(article: str, segment: int, order: int, text: str) -> _Source:
    found = content_words(text)
    return _Source(article, segment, order, frozenset(found), frozenset(zip(found, found[1:])))


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_summary(text: str) -> list[str]:
    """Sentences of a summary; an initial ('M.', 'J.') does not end a sentence."""
    sentences: list[str] = []
    for piece in _segmenter().segment(text):
        piece = piece.strip()
        if not piece:
            continue
        if sentences and _INITIAL_END.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def _overlap(words: list[str], pairs: set[tuple[str, str]], source: _Source) -> float:
    """Mean of word and word-pair recall of the summary sentence in the source sentence."""
    word_share = sum(w in source.words for w in set(words)) / len(set(words))
    pair_share = sum(p in source.pairs for p in pairs) / len(pairs) if pairs else word_share
    return (word_share + pair_share) / 2


def align(sentence: str, sources: Sequence[_Source]) -> tuple[SourceRef, ...]:
    """The source sentences that back `sentence`, best first."""
    words = content_words(sentence)
    if not words or not sources:
        return ()
    pairs = set(zip(words, words[1:]))
    uncovered = set(words)
    chosen: list[SourceRef] = []
    while uncovered and len(chosen) < MAX_SOURCES:
        best = max(sources, key=lambda s: (len(uncovered & s.words), _overlap(words, pairs, s), -s.order))
        gain = len(uncovered & best.words)
        if gain == 0 or (chosen and (gain < 2 or gain < MIN_EXTRA_SHARE * len(set(words)))):
            break
        chosen.append(SourceRef(best.article, best.segment, round(_overlap(words, pairs, best), 3)))
        uncovered -= best.words
    return tuple(chosen)


def trace(text: str, sources: Sequence[_Source]) -> tuple[TracedSentence, ...]:
    return tuple(TracedSentence(s, align(s, sources)) for s in split_summary(text))


def trace_cluster(articles: Sequence[BriefedArticle], brief: ClusterBrief) -> Provenance:
    """Sources of every summary sentence, and the number and name checks of the whole cluster."""
    by_article: dict[str, list[_Source]] = {}
    order = 0
    for briefed in articles:
        for index, segment in enumerate(briefed.translated.segments):
            by_article.setdefault(briefed.article.id, []).append(_source(briefed.article.id, index, order, segment.translation))
            order += 1
    everything = [s for sources in by_article.values() for s in sources]
    summary_sentences = trace(brief.summary, everything)
    brief_sentences = {a.article.id: trace(a.brief, by_article.get(a.article.id, [])) for a in articles}

    checks = translation_checks(articles)
    for a in articles:
        translations = [segment.translation for segment in a.translated.segments]
        checks += check_summary([s.text for s in brief_sentences[a.article.id]], translations, "brief", a.article.id)
    all_translations = [segment.translation for a in articles for segment in a.translated.segments]
    checks += check_summary([s.text for s in summary_sentences], all_translations, "summary", "")
    return Provenance(summary_sentences, brief_sentences, tuple(checks), METHOD)


def translation_checks(articles: Sequence[BriefedArticle]) -> list[CheckItem]:
    """The checks of every translation against its source sentence, under the conventions of the
    article's language (decimal comma, Cyrillic names): the articles of one language are checked together."""
    by_language: dict[str, list[TranslationPair]] = {}
    for a in articles:
        if a.article.language == "en":  # passed through: each sentence is its own translation
            continue
        by_language.setdefault(a.article.language, []).extend(
            TranslationPair(a.article.id, index, segment.source, segment.translation)
            for index, segment in enumerate(a.translated.segments)
        )
    return [item for language, pairs in by_language.items() for item in check_translations(pairs, source_language=language)]


def traced_json(sentences: Sequence[TracedSentence]) -> list[dict]:
    return [
        {"text": s.text, "sources": [{"article": r.article, "segment": r.segment, "score": r.score} for r in s.sources]}
        for s in sentences
    ]


def _item_json(item: CheckItem) -> dict:
    place = "segment" if item.where == "translation" else "sentence"
    data = {"kind": item.kind, "problem": item.problem, "item": item.item, "where": item.where, place: item.index, "text": item.text}
    return data | ({"source": item.source} if item.where == "translation" else {})


def checks_json(provenance: Provenance, article_ids: Sequence[str]) -> dict:
    """cluster.json `checks`: counts, then the items of the cluster summary and of each article."""
    counts = Counter(f"{i.problem}_{i.kind}s" for i in provenance.checks)
    return {
        "method": provenance.method,
        "counts": {f"{p}_{k}s": counts[f"{p}_{k}s"] for p in ("unsupported", "missing") for k in ("number", "name")},
        "cluster": [_item_json(i) for i in provenance.checks if i.where == "summary"],
        "articles": [
            {"article": a, "items": [_item_json(i) for i in provenance.checks if i.article == a]} for a in article_ids
        ],
    }


def cited_summary(provenance: Provenance, article_numbers: dict[str, int]) -> str:
    """The cluster summary with [n] after each sentence, n numbering the article it came from."""
    parts = []
    for sentence in provenance.summary_sentences:
        numbers = dict.fromkeys(article_numbers[r.article] for r in sentence.sources)
        parts.append(" ".join([sentence.text, "".join(f"[{n}]" for n in numbers)]).rstrip())
    return " ".join(parts)


ALL_SUPPORTED = (
    "Every number and name in the translations matches its source sentence, and every one in the "
    "briefs and the summary appears in the translations."
)


def check_finding(kind: str, item: str, problem: str, where: str) -> str:
    """One check item in words: 'number “3,000” is not in the source sentence'."""
    if problem == "missing":
        verdict = "of the source sentence is missing from the translation"
    elif where == "translation":
        verdict = "is not in the source sentence"
    else:
        verdict = "is in none of the translations"
    return f"{kind} “{item}” {verdict}"


def check_lines(provenance: Provenance, article_numbers: dict[str, int], limit: int = 12) -> list[str]:
    """The markdown 'Check' section's lines: a verdict, then the first `limit` items."""
    if not provenance.checks:
        return [ALL_SUPPORTED]
    lines = [f"{len(provenance.checks)} numbers or names to verify (details in cluster.json `checks`):", ""]
    for item in provenance.checks[:limit]:
        where = {
            "translation": f"[{article_numbers.get(item.article, '?')}] translation of sentence {item.index + 1}",
            "brief": f"[{article_numbers.get(item.article, '?')}] brief",
            "summary": "summary",
        }[item.where]
        lines.append(f"- {where}: {check_finding(item.kind, item.item, item.problem, item.where)}")
    if len(provenance.checks) > limit:
        lines.append(f"- … and {len(provenance.checks) - limit} more")
    return lines
