"""The causal-LM family: one instruct LLM as translator and summariser, driven through its chat template.

An engine (transformers.py, ct2.py) supplies the hooks of `ModelEngine`; this module owns what
the stages can observe of a decoder-only chat model, once: prompts (package data, hashed into the
signature) rendered with the model's own chat template, greedy decoding, length-sorted batches,
stop tokens, output limits proportional to the input, the repetition-loop guard, and reading the
answers back (answers.py).

Translation reads a passage (consecutive sentences of one paragraph) per prompt, numbered one per
line, so the model sees the context, and parses the answer back into exactly those sentences; an
answer that does not align (wrong count, merged or missing lines, a loop, cut at its limit) is
retried sentence by sentence, never used misaligned. `counters` says how often.

Summaries are written to a word budget: the output limit allows the budget plus the tolerance;
a summary outside budget ± LENGTH_TOLERANCE gets one follow-up turn asking for the right length,
and the closer of the two is kept; one still too long loses whole trailing sentences while that
keeps it within the tolerance (never a cut mid-sentence). The cluster prompt gets each article's
sentences under its own marker. What the model writes is checked downstream (provenance.py) like
any other summary.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import cached_property
from typing import Sequence

from summarize.backends.answers import (
    clean_prose,
    clean_sentence,
    drop_last_sentence,
    drop_unfinished,
    numbered,
    parse_numbered,
    word_count,
)
from summarize.backends.base import Extract, Passage
from summarize.backends.engine import LOOP_MAX_NGRAM, LOOP_REPEATS, LOOP_RETRY_NO_REPEAT_NGRAM, ModelEngine, has_repetition_loop
from summarize.errors import BackendError
from summarize.models import read_checkpoint_json
from summarize.prompts import Prompt, PromptSet, load_prompts
from summarize.signature import Signature

# A batch holds at most this many (prompt + new) tokens, and at most _MAX_ROWS prompts.
_TOKEN_BUDGET = {"cpu": 16384, "cuda": 262144, "mps": 65536}
_MAX_ROWS = {"cpu": 32, "cuda": 128, "mps": 32}
# Text per prompt, in model tokens: what the stages pack and split to (max_input_tokens).
_TRANSLATION_INPUT_TOKENS = 1024
_SUMMARY_INPUT_TOKENS = 2048
# Passages the translate stage cuts paragraphs into.
PASSAGE_SENTENCES = 5
PASSAGE_CHARS = 1500
# A translation may grow to this many tokens per token of its (numbered) input, plus a margin.
_OUTPUT_PER_INPUT_TOKEN = 1.6
_OUTPUT_MARGIN_TOKENS = 8
# English summaries: model tokens per word, for the output limit; the length a summary must hold.
_TOKENS_PER_WORD = 1.5
_SUMMARY_MARGIN_TOKENS = 16
LENGTH_TOLERANCE = 0.25
# translate() has no passage to name the language: the Translator protocol's sentences are French.
DEFAULT_LANGUAGE = "French"
_SIGNATURE_VERSION = 1


class CausalEngine(ModelEngine):
    """One instruct (chat) checkpoint behind some engine: prompts, chat template, greedy batched completion."""

    token_budget = _TOKEN_BUDGET
    prompt_file: str  # the package prompt file (summarize/prompts/<name>.toml) of this role
    input_tokens: int  # the text budget of one prompt

    def __init__(self, choice, options):
        super().__init__(choice, options)
        self.counters: Counter[str] = Counter()

    @property
    def beams(self) -> int:
        """Instruct models decode greedily (reproducible, and beams cost their width in time on CPU)."""
        return 1

    @cached_property
    def prompts(self) -> PromptSet:
        return load_prompts(self.prompt_file)

    @cached_property
    def max_input_tokens(self) -> int:
        """The text one prompt carries: the role's budget, within half the model's context."""
        context = int(self._config.get("max_position_embeddings") or 2048)
        return min(self.input_tokens, context // 2)

    @cached_property
    def _generation(self) -> dict:
        return read_checkpoint_json(self.model_dir / "generation_config.json")

    @cached_property
    def end_token_ids(self) -> list[int]:
        """Tokens that end an answer: the generation config's EOS ids, the tokenizer's EOS, and its padding
        (Qwen2.5's `<|endoftext|>`: never a legitimate part of an answer)."""
        configured = self._generation.get("eos_token_id", self._config.get("eos_token_id"))
        ids = configured if isinstance(configured, list) else [configured]
        tokenizer = self.tokenizer
        return list(dict.fromkeys(i for i in [*ids, tokenizer.eos_token_id, tokenizer.pad_token_id] if i is not None))

    def _decoding(self, **overrides) -> dict:
        """Greedy settings: the checkpoint's repetition penalty and banned n-grams, then `overrides`."""
        settings = {
            "repetition_penalty": float(self._generation.get("repetition_penalty") or 1.0),
            "no_repeat_ngram_size": int(self._generation.get("no_repeat_ngram_size") or 0),
        }
        return {**settings, **overrides}

    def _family_description(self) -> dict:
        return {"family": "causal", "decoding": "greedy", "prompts": f"{self.prompts.name}:{self.prompts.fingerprint}"}

    def _family_signature(self) -> Signature:
        return self._engine_signature().extend(prompts=f"{self.prompts.name}:{self.prompts.fingerprint}")

    # ---- tokens and prompts ---------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        """Length of `text` in model tokens, as it sits inside a prompt (no special tokens)."""
        return len(self.tokenizer(text, add_special_tokens=False).input_ids)

    def _chat_ids(self, prompt: Prompt, history: Sequence[dict] = (), **fields) -> list[int]:
        """The prompt's token ids through the model's chat template, ready for the assistant's answer."""
        tokenizer = self.tokenizer
        if not getattr(tokenizer, "chat_template", None):
            raise BackendError(
                f"{self.task} model {self.model_name} has no chat template (a base model, not an instruct one). "
                f"Fix: pass an instruct/chat model to {self.choice.option}"
            )
        messages = prompt.messages(**fields) + list(history)
        try:
            text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        except Exception as error:  # jinja's TemplateError: some templates refuse a system turn
            if messages[0]["role"] != "system" or "system" not in str(error).lower():
                raise BackendError(f"the chat template of {self.model_name} failed: {error}. Fix: use another instruct model") from None
            merged = [{"role": "user", "content": f"{messages[0]['content']}\n\n{messages[1]['content']}"}, *messages[2:]]
            text = tokenizer.apply_chat_template(merged, add_generation_prompt=True, tokenize=False)
        return tokenizer(text + prompt.answer_prefix, add_special_tokens=False).input_ids

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True).strip()

    def _complete(self, prompts: list[list[int]], limits: list[int], **overrides) -> list[tuple[list[int], bool]]:
        """Greedy answers to `prompts`, each within its own token limit: (ids, whether the limit cut it).

        A batch runs to its longest limit and each row is then cut to its own, which is what the
        prompt gives alone (greedy).
        """
        results: list[tuple[list[int], bool]] = [([], False)] * len(prompts)
        settings = self._decoding(**overrides)
        for batch in self._batches([len(prompt) + limit for prompt, limit in zip(prompts, limits)]):
            longest = max(limits[i] for i in batch)
            generated = self._generate([prompts[i] for i in batch], max_new_tokens=longest, **settings)
            for i, ids in zip(batch, generated):
                results[i] = (ids[: limits[i]], len(ids) >= limits[i])
        return results

    def _max_batch_rows(self) -> int | None:
        return _MAX_ROWS.get(self.placement[0].split(":")[0], _MAX_ROWS["cpu"])


class CausalTranslator(CausalEngine):
    """Translation by passage, aligned by sentence, with a sentence-by-sentence retry for answers that do not parse."""

    task = "translation"
    prompt_file = "translate"
    input_tokens = _TRANSLATION_INPUT_TOKENS
    source_languages = None  # any language: the prompt names it
    max_passage_sentences = PASSAGE_SENTENCES
    max_passage_chars = PASSAGE_CHARS

    def signature(self) -> Signature:
        return self._family_signature().extend(
            passage="numbered",
            max_new=f"{_OUTPUT_PER_INPUT_TOKEN}x+{_OUTPUT_MARGIN_TOKENS}",
            loop_guard=f"{LOOP_REPEATS}x{LOOP_MAX_NGRAM}->sentences,nr{LOOP_RETRY_NO_REPEAT_NGRAM}",
            v=_SIGNATURE_VERSION,
        )

    def translate(self, sentences: Sequence[str]) -> list[str]:
        """French sentences translated one per prompt (the Translator protocol has no passages)."""
        return [translated[0] for translated in self.translate_passages([Passage(DEFAULT_LANGUAGE, (s,)) for s in sentences])]

    def translate_passages(self, passages: Sequence[Passage]) -> list[list[str]]:
        results = [[""] * len(passage.sentences) for passage in passages]
        together: list[tuple[int, list[int]]] = []  # (passage, its sentences) translated in one prompt
        alone: list[tuple[int, int]] = []  # (passage, sentence) translated on its own
        for index, passage in enumerate(passages):
            todo = [k for k, sentence in enumerate(passage.sentences) if sentence.strip()]
            for part in self._fitting(passage, todo):
                if len(part) > 1:
                    together.append((index, part))
                else:
                    alone.extend((index, k) for k in part)
        prompt = self.prompts["passage"]
        requests = [
            (passages[i].language, numbered([passages[i].sentences[k] for k in part])) for i, part in together
        ]
        answers = self._complete(
            [self._chat_ids(prompt, language=language, numbered=text) for language, text in requests],
            [self._output_limit(text) for _, text in requests],
        )
        for (index, part), (ids, cut) in zip(together, answers):
            sources = [passages[index].sentences[k] for k in part]
            parsed = None if cut or has_repetition_loop(ids) else parse_numbered(prompt.answer_prefix + self._decode(ids), sources)
            self.counters["passages"] += 1
            if parsed is None:
                self.counters["passages_retried"] += 1
                self.counters["sentences_retried"] += len(part)
                alone.extend((index, k) for k in part)
                continue
            for k, text in zip(part, parsed):
                results[index][k] = text
        for (index, k), text in zip(alone, self._translate_alone([(passages[i].language, passages[i].sentences[k]) for i, k in alone])):
            results[index][k] = text
        return results

    def _fitting(self, passage: Passage, todo: list[int]) -> list[list[int]]:
        """`todo` in consecutive parts whose numbered text fits the prompt budget (halves, as often as needed)."""
        if len(todo) > 1 and self.count_tokens(numbered([passage.sentences[k] for k in todo])) > self.max_input_tokens:
            half = len(todo) // 2
            return self._fitting(passage, todo[:half]) + self._fitting(passage, todo[half:])
        return [todo] if todo else []

    def _translate_alone(self, items: list[tuple[str, str]]) -> list[str]:
        """One prompt per (language, sentence); an answer that loops is decoded again with repeated 3-grams banned."""
        if not items:
            return []
        self.counters["sentences_alone"] += len(items)
        prompt = self.prompts["sentence"]
        prompts = [self._chat_ids(prompt, language=language, sentence=" ".join(sentence.split())) for language, sentence in items]
        limits = [self._output_limit(sentence) for _, sentence in items]
        answers = [ids for ids, _ in self._complete(prompts, limits)]
        looping = [k for k, ids in enumerate(answers) if has_repetition_loop(ids)]
        if looping:
            retried = self._complete([prompts[k] for k in looping], [limits[k] for k in looping], no_repeat_ngram_size=LOOP_RETRY_NO_REPEAT_NGRAM)
            for k, (ids, _) in zip(looping, retried):
                answers[k] = ids
        return [clean_sentence(prompt.answer_prefix + self._decode(ids), sentence) for ids, (_, sentence) in zip(answers, items)]

    def _output_limit(self, text: str) -> int:
        return math.ceil(_OUTPUT_PER_INPUT_TOKEN * self.count_tokens(text)) + _OUTPUT_MARGIN_TOKENS


class CausalSummarizer(CausalEngine):
    """Briefs and cluster briefs by prompt, held to their word budget by the output limit and one retry."""

    task = "summary"
    prompt_file = "summarise"
    input_tokens = _SUMMARY_INPUT_TOKENS

    def signature(self) -> Signature:
        return self._family_signature().extend(
            tokens_per_word=_TOKENS_PER_WORD, length=f"{LENGTH_TOLERANCE:.0%}+retry1", v=_SIGNATURE_VERSION
        )

    @cached_property
    def extract(self) -> Extract | None:
        """Extract-then-abstract, when the prompt file asks for it: the brief prompt then gets an article's key sentences."""
        words = int(self.prompts.settings.get("extract_words", 0))
        return Extract(words=words, lead=int(self.prompts.settings.get("extract_lead", 0))) if words else None

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        results = [""] * len(texts)
        todo = [i for i, text in enumerate(texts) if text.strip()]
        written = self._write([(self.prompts["brief"], {"text": _lines(texts[i])}) for i in todo], max_words)
        for i, text in zip(todo, written):
            results[i] = text
        return results

    def summarize_sources(self, sources: Sequence[Sequence[str]], max_words: int) -> str:
        """One brief of several articles; the prompt shows each article's sentences under its own marker."""
        kept = [[" ".join(s.split()) for s in sentences if s.strip()] for sentences in sources]
        kept = [sentences for sentences in kept if sentences]
        if not kept:
            return ""
        articles = "\n\n".join(f"Article {n}:\n" + "\n".join(sentences) for n, sentences in enumerate(kept, 1))
        return self._write([(self.prompts["cluster"], {"articles": articles, "count": len(kept)})], max_words)[0]

    def _write(self, requests: list[tuple[Prompt, dict]], max_words: int) -> list[str]:
        """A summary per (prompt, fields) within max_words ± LENGTH_TOLERANCE where the model can be brought to it."""
        if not requests:
            return []
        low, high = length_bounds(max_words)
        limit = math.ceil(high * _TOKENS_PER_WORD) + _SUMMARY_MARGIN_TOKENS
        fields = [{**request_fields, "words": max_words} for _, request_fields in requests]
        answers = self._complete([self._chat_ids(prompt, **f) for (prompt, _), f in zip(requests, fields)], [limit] * len(requests))
        raw = [self._decode(ids) for ids, _ in answers]
        texts = [_prose(text, cut) for text, (_, cut) in zip(raw, answers)]
        off = [i for i, text in enumerate(texts) if _distance(word_count(text), low, high)]
        if off:
            self.counters["length_retries"] += len(off)
            follow_up = self.prompts["length"]
            retry_prompts = []
            for i in off:
                numbers = {"actual": word_count(texts[i]), "words": max_words, "low": low, "high": high}
                history = [{"role": "assistant", "content": raw[i]}, {"role": "user", "content": follow_up.user.format(**numbers).strip()}]
                retry_prompts.append(self._chat_ids(requests[i][0], history=history, **fields[i]))
            for i, (ids, cut) in zip(off, self._complete(retry_prompts, [limit] * len(off))):
                candidate = _prose(self._decode(ids), cut)
                if _distance(word_count(candidate), low, high) < _distance(word_count(texts[i]), low, high):
                    texts[i] = candidate
        return [_shorten(text, low, high) for text in texts]


def length_bounds(max_words: int) -> tuple[int, int]:
    """The words a summary of `max_words` may have: within LENGTH_TOLERANCE of it."""
    return math.ceil(max_words * (1 - LENGTH_TOLERANCE)), math.floor(max_words * (1 + LENGTH_TOLERANCE))


def _lines(text: str) -> str:
    """`text` with its whitespace collapsed within lines and empty lines dropped (a chunk holds a sentence per line)."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _prose(answer: str, cut: bool) -> str:
    text = clean_prose(answer)
    return drop_unfinished(text) if cut else text


def _distance(words: int, low: int, high: int) -> int:
    """How many words `words` is outside [low, high] (0 within)."""
    return max(low - words, words - high, 0)


def _shorten(text: str, low: int, high: int) -> str:
    """`text` without whole trailing sentences while it is over `high` words and dropping one keeps it at `low` or more."""
    while word_count(text) > high:
        shorter = drop_last_sentence(text)
        if word_count(shorter) < low:
            break
        text = shorter
    return text
