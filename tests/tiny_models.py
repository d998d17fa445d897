"""Tiny Marian (fr->en, de->en) and BART checkpoints built at test time.

They are real `save_pretrained` directories (config, generation_config, safetensors weights and
a tokenizer trained on the fly), so tests load them with the same `AutoTokenizer` /
`AutoModelForSeq2SeqLM.from_pretrained(dir)` calls that real weights use. Weights are random
with a fixed seed: the text they produce is noise, but shapes, special tokens, generation
configs and input limits behave like the real models. No network, a few seconds each.
"""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path

SEED = 1234
# Weights drawn this wide (instead of the usual 0.02) make the random models' outputs depend on
# their input, so alignment and batching tests can tell sentences apart.
INIT_STD = 0.5

# Small bilingual phrase tables; their cross product gives a few hundred sentences per side,
# enough for sentencepiece / BPE to learn a realistic subword vocabulary.
_FRENCH_SUBJECTS = (
    "Le gouvernement", "La ministre", "Le président", "Les syndicats", "La mairie de Paris",
    "Une étude récente", "Le tribunal", "Les agriculteurs", "La commission européenne", "Le maire",
)
_FRENCH_VERBS = (
    "a annoncé", "a rejeté", "prépare", "critique", "a présenté", "défend", "examine", "a voté",
)
_FRENCH_OBJECTS = (
    "une réforme des retraites.", "un nouveau budget pour l'hôpital.", "la hausse des prix de l'énergie.",
    "un accord sur le climat, après des mois de négociations.", "le projet de loi sur l'immigration.",
    "des mesures pour les écoles rurales.", "une enquête sur la pollution de la Seine.",
    "l'augmentation du salaire minimum ; les critiques sont nombreuses.",
)
_GERMAN_SUBJECTS = (
    "Die Regierung", "Die Ministerin", "Der Präsident", "Die Gewerkschaften", "Das Pariser Rathaus",
    "Eine neue Studie", "Das Gericht", "Die Landwirte", "Die Europäische Kommission", "Der Bürgermeister",
)
_GERMAN_VERBS = (
    "hat angekündigt", "hat abgelehnt", "bereitet vor", "kritisiert", "hat vorgestellt", "verteidigt", "prüft", "hat beschlossen",
)
_GERMAN_OBJECTS = (
    "eine Rentenreform.", "einen neuen Haushalt für das Krankenhaus.", "den Anstieg der Energiepreise.",
    "ein Klimaabkommen nach monatelangen Verhandlungen.", "das Einwanderungsgesetz.",
    "Maßnahmen für die Schulen auf dem Land.", "eine Untersuchung zur Verschmutzung der Seine.",
    "die Erhöhung des Mindestlohns; die Kritik ist groß.",
)
_ENGLISH_SUBJECTS = (
    "The government", "The minister", "The president", "The unions", "Paris city hall",
    "A recent study", "The court", "Farmers", "The European Commission", "The mayor",
)
_ENGLISH_VERBS = (
    "announced", "rejected", "is preparing", "criticises", "presented", "defends", "is examining", "voted",
)
_ENGLISH_OBJECTS = (
    "a pension reform.", "a new budget for the hospital.", "the rise in energy prices.",
    "a climate agreement, after months of negotiations.", "the immigration bill.",
    "measures for rural schools.", "an inquiry into pollution in the Seine.",
    "the increase in the minimum wage; criticism is widespread.",
)


def _sentences(subjects, verbs, objects) -> list[str]:
    return [f"{s} {v} {o}" for s, v, o in itertools.product(subjects, verbs, objects)]


def french_sentences() -> list[str]:
    """A few hundred grammatical French news sentences."""
    return _sentences(_FRENCH_SUBJECTS, _FRENCH_VERBS, _FRENCH_OBJECTS)


def german_sentences() -> list[str]:
    """A few hundred grammatical German news sentences."""
    return _sentences(_GERMAN_SUBJECTS, _GERMAN_VERBS, _GERMAN_OBJECTS)


SOURCE_SENTENCES = {"fr": french_sentences, "de": german_sentences}


def english_sentences() -> list[str]:
    """A few hundred English news sentences (the same phrase grid as the French ones)."""
    return _sentences(_ENGLISH_SUBJECTS, _ENGLISH_VERBS, _ENGLISH_OBJECTS)


def _train_sentencepiece(sentences: list[str], vocab_size: int) -> bytes:
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return model.getvalue()


def _pieces(spm_bytes: bytes) -> list[str]:
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_proto=spm_bytes)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_tiny_marian(directory: Path, max_position_embeddings: int = 128, source_language: str = "fr") -> Path:
    """Save a tiny random MarianMTModel `source_language`->en (fr or de) with a real MarianTokenizer into `directory`.

    Like opus-mt: separate source/target sentencepiece models, one shared vocab.json with
    `</s>`=0, `<unk>`=1 and `<pad>` last; decoding starts from `<pad>`.
    """
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    source_spm = _train_sentencepiece(SOURCE_SENTENCES[source_language](), vocab_size=200)
    target_spm = _train_sentencepiece(english_sentences(), vocab_size=200)
    (directory / "source.spm").write_bytes(source_spm)
    (directory / "target.spm").write_bytes(target_spm)

    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in _pieces(source_spm) + _pieces(target_spm):
        if piece not in vocab and piece not in ("<s>", "<pad>"):
            vocab[piece] = len(vocab)
    vocab["<pad>"] = pad_id = len(vocab)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    tokenizer = MarianTokenizer(
        source_spm=str(directory / "source.spm"),
        target_spm=str(directory / "target.spm"),
        vocab=str(directory / "vocab.json"),
        source_lang=source_language,
        target_lang="en",
        model_max_length=max_position_embeddings,
    )
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=max_position_embeddings,
        pad_token_id=pad_id,
        eos_token_id=0,
        bos_token_id=0,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
        scale_embedding=True,
        static_position_embeddings=True,
        activation_function="relu",
        init_std=INIT_STD,
    )
    torch.manual_seed(SEED)
    model = MarianMTModel(config).eval()
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad_id]],
        bos_token_id=0,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad_id,
        max_length=max_position_embeddings,
        num_beams=4,
    )
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def build_tiny_bart(directory: Path, max_position_embeddings: int = 512) -> Path:
    """Save a tiny random BartForConditionalGeneration with a byte-level BPE BART tokenizer.

    The generation config mirrors distilbart-cnn (beam 4, length penalty, no-repeat 3-grams,
    forced `<s>`). `max_position_embeddings` is small so long articles need chunking, yet not
    tiny: the random Marian's "translations" are noise of 100-800 BART tokens per sentence, and
    the cluster stage needs some of them to fit its input.
    """
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer, GenerationConfig

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(english_sentences(), vocab_size=600, min_frequency=2, special_tokens=specials, show_progress=False)
    bpe.save_model(str(directory))  # vocab.json + merges.txt, specials first: <s>=0 <pad>=1 </s>=2
    tokenizer = BartTokenizer(
        vocab=str(directory / "vocab.json"),
        merges=str(directory / "merges.txt"),
        model_max_length=max_position_embeddings,
    )
    config = BartConfig(
        vocab_size=bpe.get_vocab_size(),
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=max_position_embeddings,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        init_std=INIT_STD,
    )
    torch.manual_seed(SEED)
    model = BartForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        num_beams=4,
        length_penalty=2.0,
        max_length=60,
        min_length=10,
        no_repeat_ngram_size=3,
        early_stopping=True,
    )
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
