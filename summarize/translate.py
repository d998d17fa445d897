"""Translate stage: source sentences to English, cached per sentence, alignment kept.

Each article goes to the translator of its language (a router's choice, backends/router.py), so a
sentence's cache key is that model's signature and the sentence: two models never share an entry.
Only cache misses reach the backend (so a fully cached run loads no model), the sentences of
several articles in one language in one call. A sentence longer than the model's input limit is split at clause
boundaries (then, if a clause is still too long, between words) and its pieces' translations are
joined: nothing is ever truncated.
"""

from __future__ import annotations

import re
from typing import Sequence

from summarize.backends.base import Translator, translator_for
from summarize.cache import Cache
from summarize.records import RunStats, Segment, SegmentedArticle, TranslatedArticle
from summarize.signature import Signature

STAGE = "translate"
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+|\s+(?=[—–-]\s)|\s+(?=(?:et|mais|ou|donc|car|puis|alors que|tandis que|qui|que|dont)\s)")


def stage_signature(translator: Translator) -> Signature:
    return Signature(stage=STAGE).extend(translator.signature(), split="clause-v1")


def run_signature(translator, languages: Sequence[str] = ()) -> Signature:
    """The stage's signature in a run: each translated language's model, or (no language known yet,
    as when batch checks a cluster before running it) the translator's or router's own."""
    if not languages:
        return stage_signature(translator)
    return Signature(stage=STAGE, **{lang: stage_signature(translator_for(translator, lang)) for lang in sorted(languages)})


def _pack(parts: list[str], fits) -> list[str]:
    """Greedily join consecutive parts (with spaces) into the fewest pieces that fit."""
    pieces: list[str] = []
    for part in parts:
        if pieces and fits(f"{pieces[-1]} {part}"):
            pieces[-1] = f"{pieces[-1]} {part}"
        else:
            pieces.append(part)
    return pieces


def split_to_fit(sentence: str, translator: Translator) -> list[str]:
    """Pieces of `sentence`, each within the model's input limit, that rejoin to the sentence."""
    limit = translator.max_input_tokens

    def fits(text: str) -> bool:
        return translator.count_tokens(text) <= limit

    if fits(sentence):
        return [sentence]
    pieces: list[str] = []
    for clause in _pack(_CLAUSE_BREAK.split(sentence), fits):
        if fits(clause):
            pieces.append(clause)
        else:
            words = clause.split()
            window = max(1, len(words) * limit // (2 * translator.count_tokens(clause)))
            pieces.extend(_pack([" ".join(words[i : i + window]) for i in range(0, len(words), window)], fits))
    return pieces


def translate_articles(
    articles: Sequence[SegmentedArticle], translator, cache: Cache, stats: RunStats
) -> list[TranslatedArticle]:
    """Translate every sentence of `articles`, each by its language's translator, from the cache where possible.

    The articles of one language go to their backend in one call: batching a cluster's sentences
    together fills the backend's length-sorted batches (the seed cluster's 75 sentences translate in
    12 s on CTranslate2 instead of 19 s article by article).
    """
    by_language: dict[str, list[int]] = {}
    for index, article in enumerate(articles):
        by_language.setdefault(article.article.language, []).append(index)
    translated: dict[int, TranslatedArticle] = {}
    for language, indices in by_language.items():
        group = [articles[i] for i in indices]
        translated.update(zip(indices, _translate_one_language(group, translator_for(translator, language), cache, stats)))
    return [translated[i] for i in range(len(articles))]


def _translate_one_language(
    articles: Sequence[SegmentedArticle], translator: Translator, cache: Cache, stats: RunStats
) -> list[TranslatedArticle]:
    """Translate every sentence of `articles` (all in the language `translator` reads), from the cache where possible."""
    signature = stage_signature(translator)
    keys = [[signature.key(s.text) for s in article.sentences] for article in articles]
    found = cache.get_many([key for article_keys in keys for key in article_keys])
    missing = sorted(
        {key: s.text for article, article_keys in zip(articles, keys) for key, s in zip(article_keys, article.sentences)
         if key not in found}.items()
    )
    stats.hits += sum(1 for article_keys in keys for key in article_keys if key in found)
    stats.misses += len(missing)
    if missing:
        split = [split_to_fit(text, translator) for _, text in missing]
        outputs = iter(translator.translate([piece for pieces in split for piece in pieces]))
        new = {key: " ".join(next(outputs) for _ in pieces) for (key, _), pieces in zip(missing, split)}
        cache.put_many(STAGE, signature, new)
        found.update(new)
    return [
        TranslatedArticle(
            article=article.article,
            segments=tuple(
                Segment(paragraph=s.paragraph, source=s.text, translation=found[key])
                for s, key in zip(article.sentences, article_keys)
            ),
        )
        for article, article_keys in zip(articles, keys)
    ]
