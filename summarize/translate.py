"""Translate stage: source sentences to English, cached per sentence, alignment kept.

The routing decides *which* translator serves a language; the translator's kind decides *how* it
translates. Each article goes to the translator of its language (a router's choice,
backends/router.py), so a sentence's cache key is that model's signature and the sentence: two
models never share an entry. Only cache misses reach the backend (so a fully cached run loads no
model), the sentences of several articles in one language in one call. A sentence longer than the
model's input limit is split at clause boundaries (then, if a clause is still too long, between
words) and its pieces' translations are joined: nothing is ever truncated.

A translator that reads passages (an instruct LLM: base.PassageTranslator) gets each article cut
into passages of a few consecutive sentences (a long paragraph split, short ones packed), so it
translates every sentence in context; it answers sentence by sentence, and each sentence is cached
under its passage (the language, the passage's sentences and its place in them), since the same
sentence may read differently in another context. Any other translator gets sentence by sentence.
"""

from __future__ import annotations

import json
import math
import re
from typing import Sequence

from summarize.backends.base import Passage, PassageTranslator, Translator, translator_for
from summarize.cache import Cache
from summarize.presets import LANGUAGE_NAMES
from summarize.records import RunStats, Segment, SegmentedArticle, TranslatedArticle
from summarize.signature import Signature

STAGE = "translate"
PASSAGES_VERSION = 2
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+|\s+(?=[—–-]\s)|\s+(?=(?:et|mais|ou|donc|car|puis|alors que|tandis que|qui|que|dont)\s)")


def stage_signature(translator: Translator) -> Signature:
    signature = Signature(stage=STAGE).extend(translator.signature(), split="clause-v1")
    if isinstance(translator, PassageTranslator):
        limits = f"{translator.max_passage_sentences}s{translator.max_passage_chars}c"
        return signature.extend(passages=f"paragraphs-packed-{limits}-v{PASSAGES_VERSION}")
    return signature


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
    12 s on CTranslate2 instead of 19 s article by article). A translator that reads passages gets
    them (by passage, cached by sentence), any other one sentences.
    """
    by_language: dict[str, list[int]] = {}
    for index, article in enumerate(articles):
        by_language.setdefault(article.article.language, []).append(index)
    translated: dict[int, TranslatedArticle] = {}
    for language, indices in by_language.items():
        group = [articles[i] for i in indices]
        chosen = translator_for(translator, language)
        translate = _translate_passages if isinstance(chosen, PassageTranslator) else _translate_sentences
        translated.update(zip(indices, translate(group, chosen, cache, stats)))
    return [translated[i] for i in range(len(articles))]


def _translate_sentences(
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
    return _aligned(articles, keys, found)


def _aligned(articles: Sequence[SegmentedArticle], keys: list[list[str]], found: dict[str, str]) -> list[TranslatedArticle]:
    """Each article with every sentence paired with its translation (looked up by its cache key)."""
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


def passages_of(article: SegmentedArticle, max_sentences: int, max_chars: int) -> list[list[int]]:
    """The article's sentence indices cut into passages of consecutive sentences, paragraph by paragraph.

    A paragraph longer than `max_sentences` is cut into near-equal parts (nine sentences: five and
    four; seven in threes: three, two and two); short paragraphs are packed together while the
    passage stays within `max_sentences` and `max_chars`, so one-sentence paragraphs (half of a web
    article's) still reach the model with their neighbours as context. A part over `max_chars` is
    cut further where the next sentence would pass them.
    """
    paragraphs: list[list[int]] = []
    for index, sentence in enumerate(article.sentences):
        if paragraphs and article.sentences[paragraphs[-1][0]].paragraph == sentence.paragraph:
            paragraphs[-1].append(index)
        else:
            paragraphs.append([index])

    def chars(indices: list[int]) -> int:
        return sum(len(article.sentences[i].text) + 1 for i in indices)

    passages: list[list[int]] = []
    for paragraph in paragraphs:
        parts = math.ceil(len(paragraph) / max_sentences)
        bounds = [math.ceil(k * len(paragraph) / parts) for k in range(parts + 1)]  # sizes differ by one at most, larger first
        for start, end in zip(bounds, bounds[1:]):
            part = paragraph[start:end]
            if passages and len(passages[-1]) + len(part) <= max_sentences and chars(passages[-1]) + chars(part) <= max_chars:
                passages[-1].extend(part)
                continue
            passages.append([])
            for index in part:
                if passages[-1] and chars(passages[-1]) + chars([index]) > max_chars:
                    passages.append([])
                passages[-1].append(index)
    return passages


def _translate_passages(
    articles: Sequence[SegmentedArticle], translator: PassageTranslator, cache: Cache, stats: RunStats
) -> list[TranslatedArticle]:
    """Translate by passage, cached by sentence: a passage with any sentence missing from the cache is translated whole.

    Identical passages (an article in the cluster twice, a repeated boilerplate paragraph) are
    translated once.
    """
    signature = stage_signature(translator)
    keys: list[list[str]] = []
    wanted: dict[tuple[str, tuple[str, ...]], list[str]] = {}  # (language, sentences) -> each sentence's key
    for article in articles:
        language = LANGUAGE_NAMES.get(article.article.language, article.article.language)
        article_keys = [""] * len(article.sentences)
        for passage in passages_of(article, translator.max_passage_sentences, translator.max_passage_chars):
            texts = tuple(article.sentences[i].text for i in passage)
            passage_keys = [signature.key(json.dumps([language, texts, k], ensure_ascii=False)) for k in range(len(texts))]
            for i, key in zip(passage, passage_keys):
                article_keys[i] = key
            wanted[language, texts] = passage_keys
        keys.append(article_keys)
    found = cache.get_many(list(dict.fromkeys(key for article_keys in keys for key in article_keys)))
    stats.hits += sum(1 for article_keys in keys for key in article_keys if key in found)
    missing = [(passage, passage_keys) for passage, passage_keys in wanted.items() if not all(key in found for key in passage_keys)]
    stats.misses += sum(len(passage_keys) for _, passage_keys in missing)
    if missing:
        split = [[split_to_fit(text, translator) for text in texts] for (_, texts), _ in missing]
        outputs = translator.translate_passages(
            [Passage(language, tuple(piece for pieces in parts for piece in pieces)) for ((language, _), _), parts in zip(missing, split)]
        )
        new = {}
        for (_, passage_keys), parts, translated in zip(missing, split, outputs):
            pieces = iter(translated)
            new.update({key: " ".join(next(pieces) for _ in sentence_pieces) for key, sentence_pieces in zip(passage_keys, parts)})
        cache.put_many(STAGE, signature, new)
        found.update(new)
    return _aligned(articles, keys, found)
