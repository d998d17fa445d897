"""Property-based tests (hypothesis): arbitrary Unicode or bytes in, no exception out, nothing lost.

Strategies mix fully arbitrary text with text built from the characters the code treats specially
(sentence punctuation, guillemets, capitals, abbreviations, pysbd's own marker characters), where
arbitrary text would rarely reach the interesting branches.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarize.cache import cache_key
from summarize.clean import clean_article
from summarize.ingest import IngestError, decode, markdown_to_text, normalise
from summarize.records import IngestedArticle
from summarize.segment import MAX_SENTENCE_CHARS, segment_article, split_sentences

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SPECIAL = list("ab éÉ.!?…«»\"'()-–,;:\n\t M J 0 3∯ȸ♨☏&ᓰ⎋#*_[]|<>/") + ["M. ", "J.-P. ", "janv. ", " » ", "Lire la suite »", "http://x.fr"]
any_text = st.text()
french_ish = st.lists(st.sampled_from(SPECIAL) | st.text(max_size=3), max_size=80).map("".join)
texts = any_text | french_ish
# Surrogates (category Cs) too: they reach Python strings from non-UTF-8 file names and bytes.
unicode_with_surrogates = st.text(st.characters(codec=None, exclude_categories=()))


def non_space(text: str) -> str:
    return "".join(text.split())


@FAST
@given(texts)
def test_segmentation_loses_no_character_and_bounds_sentences(paragraph):
    sentences = split_sentences(paragraph)
    assert non_space("".join(sentences)) == non_space(paragraph)
    assert all(s and s == s.strip() and len(s) <= MAX_SENTENCE_CHARS for s in sentences)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(["mot", "deux", "trois,", "fin.", "«", "»", "🙂"]), min_size=300, max_size=1500).map(" ".join))
def test_long_paragraphs_are_cut_into_bounded_sentences(paragraph):
    sentences = split_sentences(paragraph)
    assert non_space("".join(sentences)) == non_space(paragraph)
    assert all(len(s) <= MAX_SENTENCE_CHARS for s in sentences)


@FAST
@given(texts)
def test_cleaner_and_segmenter_never_raise(text):
    cleaned = clean_article(IngestedArticle("a", "c/a.txt", "0" * 64, normalise(text), "utf-8"), cluster_id="fr-03")
    assert all(p and "\n" not in p for p in cleaned.paragraphs) and isinstance(cleaned.title, str)
    segmented = segment_article(cleaned)
    assert all(s.text for s in segmented.sentences)


@FAST
@given(unicode_with_surrogates, unicode_with_surrogates, unicode_with_surrogates, unicode_with_surrogates)
def test_cache_key_total_stable_and_unambiguous(sig_a, text_a, sig_b, text_b):
    key = cache_key(sig_a, text_a)
    assert len(key) == 64 and int(key, 16) >= 0 and key == cache_key(sig_a, text_a)
    if (sig_a, text_a) != (sig_b, text_b):
        assert key != cache_key(sig_b, text_b)


def test_cache_key_parts_cannot_blur():
    assert cache_key("a\x00b", "c") != cache_key("a", "b\x00c")


@FAST
@given(st.binary(max_size=3000) | texts.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_decode_or_get_a_one_line_reason(raw):
    try:
        text, encoding, notes = decode(raw)
    except IngestError as err:
        assert str(err) and "\n" not in str(err)
        return
    assert isinstance(text, str) and encoding and all("\n" not in n for n in notes)
    normalise(text).encode("utf-8", "surrogatepass")


@FAST
@given(texts)
def test_markdown_stripper_never_raises(text):
    assert isinstance(markdown_to_text(text), str)


@FAST
@given(texts)
def test_normalise_is_idempotent_and_line_ends_are_lf(text):
    once = normalise(text)
    assert normalise(once) == once and "\r" not in once
