"""Instruct LLMs as translator and summariser (summarize/backends/causal.py) on both engines.

The passage parser and its sentence-by-sentence retry, and the summary length rules, are driven by
scripted answers (an engine whose `_generate` answers from a script, through the real prompts,
chat template and tokenizer); the engines by a tiny random Qwen2 built at test time, through the
same from_pretrained / CTranslate2 conversion paths as a real model.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarize.backends import make_backends
from summarize.backends.answers import numbered
from summarize.backends.base import BackendError, Passage, PassageTranslator, SourcesSummarizer, translator_for
from summarize.backends.causal import CausalSummarizer, CausalTranslator, length_bounds
from summarize.backends.ct2 import CT2CausalSummarizer, CT2CausalTranslator, plan_engine
from summarize.backends.transformers import TransformersCausalSummarizer, TransformersCausalTranslator
from summarize.cli import app
from summarize.convert import Source
from summarize.models import CAUSAL, SEQ2SEQ, ModelChoice, choose_model, family_of, model_family, read_checkpoint_json
from summarize.options import Options
from summarize.prompts import load_prompts
from tiny_models import build_tiny_qwen2, english_sentences, french_sentences

runner = CliRunner()


@pytest.fixture(autouse=True)
def offline_hub(tmp_path, monkeypatch):
    """No network and an empty Hugging Face cache: only the tiny local checkpoints exist."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))


# ---- scripted answers -----------------------------------------------------------------------------

FRENCH = [
    "Le gouvernement a présenté mardi un plan de 12 milliards d'euros pour les hôpitaux.",
    "Les syndicats ont salué une première étape, tout en réclamant davantage de postes.",
    "L'opposition a dénoncé un effet d'annonce avant les élections régionales.",
]
ENGLISH = [
    "The government on Tuesday presented a 12 billion euro plan for hospitals.",
    "The unions welcomed a first step, while calling for more posts.",
    "The opposition denounced an announcement effect before the regional elections.",
]
TRANSLATIONS = dict(zip(FRENCH, ENGLISH))
_NUMBERED_LINE = re.compile(r"^(\d+)\. (.*)$", re.M)


class Scripted:
    """The engine hooks with answers from `script(user message) -> answer`, through the real chat template and tokenizer."""

    engine = "scripted"
    precision_label = "dtype"

    def __init__(self, directory: Path, script):
        super().__init__(ModelChoice(self.task, str(directory)), Options(device="cpu"))
        self.directory = directory
        self.script = script
        self.users: list[str] = []

    model_dir = property(lambda self: self.directory)
    revision = property(lambda self: "scripted")
    model_name = property(lambda self: "scripted")
    placement = property(lambda self: ("cpu", "float32"))
    _config = property(lambda self: read_checkpoint_json(self.directory / "config.json"))

    def describe(self) -> dict:
        return {"engine": self.engine}

    def _load_tokenizer(self, transformers):
        return transformers.AutoTokenizer.from_pretrained(str(self.directory))

    def _generate(self, encoded, max_new_tokens, **settings):
        answers = []
        for ids in encoded:
            turns = self.tokenizer.decode(ids).split("<|im_start|>user\n")
            self.users.append(turns[-1].split("<|im_end|>")[0])
            answers.append(self.tokenizer(self.script(self.users[-1], len(turns) - 1), add_special_tokens=False).input_ids)
        return answers


class ScriptedTranslator(Scripted, CausalTranslator):
    task = "translation"


class ScriptedSummarizer(Scripted, CausalSummarizer):
    task = "summary"


def translator_answering(passage_answer):
    """A scripted translator: numbered prompts get `passage_answer(sources)`, single sentences their translation."""

    def script(user: str, turn: int) -> str:
        lines = _NUMBERED_LINE.findall(user)
        return passage_answer([text for _, text in lines]) if lines else TRANSLATIONS[user]

    return script


@pytest.mark.parametrize(
    "answer, retried",
    [
        pytest.param(lambda src: "\n".join(f"{n}. {TRANSLATIONS[s]}" for n, s in enumerate(src, 1)), False, id="well-formed"),
        pytest.param(lambda src: "Here is the translation:\n\n" + "\n".join(f"{n}. {TRANSLATIONS[s]}" for n, s in enumerate(src, 1)), False, id="chatter"),
        pytest.param(lambda src: f"1. {TRANSLATIONS[src[0]]} {TRANSLATIONS[src[1]]}\n2. {TRANSLATIONS[src[2]]}", True, id="merged-lines"),
        pytest.param(lambda src: f"1. {TRANSLATIONS[src[0]]}\n2. {TRANSLATIONS[src[2]]}", True, id="missing-line"),
        pytest.param(lambda src: "\n".join(f"{n}. {TRANSLATIONS[s]}" for n, s in enumerate(src, 1)) + "\n4. And more.", True, id="extra-line"),
        pytest.param(lambda src: "1. The the the the the the the the the the the the the the the the the", True, id="loop"),
        pytest.param(lambda src: " ".join([ENGLISH[0]] * 20), True, id="cut-at-the-limit"),
    ],
)
def test_passages_align_or_are_retried_sentence_by_sentence(tiny_qwen_dir, answer, retried):
    translator = ScriptedTranslator(tiny_qwen_dir, translator_answering(answer))
    [result] = translator.translate_passages([Passage("French", tuple(FRENCH))])
    assert result == ENGLISH  # never misaligned, whatever the answer
    assert translator.counters["passages"] == 1
    assert translator.counters["passages_retried"] == (1 if retried else 0)
    assert translator.counters["sentences_alone"] == (3 if retried else 0)
    assert translator.users[0].startswith("1. Le gouvernement") and translator.users[0].count("\n") == 2
    assert sorted(translator.users[1:]) == (sorted(FRENCH) if retried else [])  # batched longest first


def test_a_passage_prompt_names_the_language_and_a_single_sentence_goes_alone(tiny_qwen_dir):
    translator = ScriptedTranslator(tiny_qwen_dir, translator_answering(None))
    assert translator.translate_passages([Passage("German", (FRENCH[0],)), Passage("French", ("", FRENCH[1], " "))]) == [
        [ENGLISH[0]], ["", ENGLISH[1], ""]
    ]
    assert sorted(translator.users) == sorted([FRENCH[0], FRENCH[1]])
    system = translator.tokenizer.decode(translator._chat_ids(translator.prompts["sentence"], language="German", sentence="x"))
    assert "German news text" in system


def test_an_over_long_passage_is_halved_to_fit_the_prompt(tiny_qwen_dir, monkeypatch):
    translator = ScriptedTranslator(tiny_qwen_dir, translator_answering(lambda src: "\n".join(f"{n}. {TRANSLATIONS[s]}" for n, s in enumerate(src, 1))))
    monkeypatch.setattr(ScriptedTranslator, "max_input_tokens", translator.count_tokens(numbered(FRENCH[1:])))
    assert translator.translate_passages([Passage("French", tuple(FRENCH))]) == [ENGLISH]
    assert sorted(u.count("\n") + 1 for u in translator.users) == [1, 2]  # a sentence alone and a passage of two


def summarizer_answering(*answers):
    """A scripted summariser answering each prompt in turn (turn 1: the brief, turn 2: the length follow-up)."""
    queue = list(answers)
    return lambda user, turn: queue.pop(0)


VOCABULARY = sorted({w.strip(".,;").lower() for s in english_sentences() for w in s.split()} - {""})


def words(n: int) -> str:
    """A text of `n` words (ones the tiny tokenizer knows) in sentences of five."""
    tokens = [VOCABULARY[i % len(VOCABULARY)] for i in range(n)]
    return " ".join(" ".join(tokens[i : i + 5]).capitalize() + "." for i in range(0, n, 5))


@pytest.mark.parametrize(
    "answers, expected_words, retries",
    [
        pytest.param([words(60)], 60, 0, id="right-length"),
        pytest.param([f"Here is a 60-word brief:\n\n{words(50)}"], 50, 0, id="chatter-within-tolerance"),
        pytest.param([words(25), words(55)], 55, 1, id="too-short-then-right"),
        pytest.param([words(30), words(40)], 40, 1, id="too-short-twice-keeps-the-closer"),
        # over the output limit (75 words and a margin): cut there, then back to the last whole sentence
        pytest.param([words(120)], range(45, 76), 0, id="too-long-stops-at-the-limit-on-a-whole-sentence"),
    ],
)
def test_briefs_hold_their_length_by_a_retry_never_by_a_cut_sentence(tiny_qwen_dir, answers, expected_words, retries):
    summarizer = ScriptedSummarizer(tiny_qwen_dir, summarizer_answering(*answers))
    [brief] = summarizer.summarize(["The government presented a plan. The unions welcomed it."], 60)
    assert len(brief.split()) in (expected_words if isinstance(expected_words, range) else [expected_words])
    assert brief.endswith(".") and words(120).startswith(brief[:-1])
    assert summarizer.counters["length_retries"] == retries
    assert "about 60 words" in summarizer.users[0] and "The government presented a plan." in summarizer.users[0]
    if retries:
        low, high = length_bounds(60)
        assert summarizer.users[1] == load_prompts("summarise")["length"].user.format(
            actual=len(answers[0].split()), words=60, low=low, high=high
        ).strip()


def test_the_cluster_prompt_marks_each_article(tiny_qwen_dir):
    summarizer = ScriptedSummarizer(tiny_qwen_dir, summarizer_answering(words(120)))
    assert isinstance(summarizer, SourcesSummarizer)
    brief = summarizer.summarize_sources([["First article, first.", "First article, second."], [], ["Second article."]], 120)
    assert len(brief.split()) == 120
    [user] = summarizer.users
    assert "2 news articles" in user
    assert "Article 1:\nFirst article, first.\nFirst article, second.\n\nArticle 2:\nSecond article." in user


def test_output_limits_follow_the_input(tiny_qwen_dir):
    translator = ScriptedTranslator(tiny_qwen_dir, None)
    short, long = translator._output_limit(FRENCH[0]), translator._output_limit(" ".join(FRENCH))
    assert 8 < short < long and long >= 1.6 * translator.count_tokens(" ".join(FRENCH))


# ---- model family ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config, family",
    [
        ({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2"}, CAUSAL),
        ({"architectures": ["LlamaForCausalLM"], "model_type": "llama"}, CAUSAL),
        ({"architectures": ["MarianMTModel"], "model_type": "marian", "is_encoder_decoder": True}, SEQ2SEQ),
        ({"architectures": ["BartForConditionalGeneration"], "model_type": "bart"}, SEQ2SEQ),
        ({"model_type": "t5", "is_encoder_decoder": True}, SEQ2SEQ),
        ({}, SEQ2SEQ),
    ],
)
def test_the_family_is_read_from_the_config(config, family):
    assert model_family(config) == family


def test_family_of_a_model_not_on_disk_comes_from_the_registry(tmp_path):
    options = Options(preset="llm", model_dir=tmp_path)
    assert family_of(choose_model(options, "translation"), options) == CAUSAL
    assert family_of(choose_model(Options(), "translation"), Options()) == SEQ2SEQ


# ---- the engines on a tiny Qwen2 ------------------------------------------------------------------


@pytest.fixture(scope="session")
def llm_models(tmp_path_factory) -> Path:
    """A --model-dir shared by the tests, so the tiny Qwen2 is converted to CTranslate2 (float32) once."""
    return tmp_path_factory.mktemp("llm-models")


def llm_options(directory: Path, models: Path, **settings) -> Options:
    return Options(translation_model=str(directory), summary_model=str(directory), model_dir=models, device="cpu", **settings)


def test_backends_pick_the_causal_engines_from_the_config(tiny_qwen_dir, tmp_path):
    for backend, classes in (
        ("transformers", (TransformersCausalTranslator, TransformersCausalSummarizer)),
        ("ct2", (CT2CausalTranslator, CT2CausalSummarizer)),
        ("auto", (CT2CausalTranslator, CT2CausalSummarizer)),
    ):
        backends = make_backends(llm_options(tiny_qwen_dir, tmp_path, backend=backend))
        translator = translator_for(backends.translator, "fr")  # the router's translator of French
        assert isinstance(translator, classes[0]) and isinstance(backends.summarizer, classes[1])
        assert isinstance(translator, PassageTranslator)
        assert all(translator_for(backends.translator, language) is translator for language in ("de", "hu", "zh"))  # every language
        signature = translator.signature()
        assert f"prompts:translate:{load_prompts('translate').fingerprint}" in signature and "|beams:1|" in signature


def test_ct2_and_transformers_decode_the_same_ids_greedily_at_float32(tiny_qwen_dir, llm_models):
    """Prompts of different lengths in one batch: left padding (transformers) and the static prompt (ct2) change nothing."""
    options = llm_options(tiny_qwen_dir, llm_models)
    choice = choose_model(options, "translation")
    reference = TransformersCausalTranslator(choice, options)
    engine = CT2CausalTranslator(choice, options, Source.from_dir(str(tiny_qwen_dir), tiny_qwen_dir), None, "cpu", "float32")
    prompt = reference.prompts["passage"]
    prompts = [reference._chat_ids(prompt, language="French", numbered=text) for text in ("1. Un.", "1. " + FRENCH[0], "1. Oui.\n2. Non.")]
    prompts.append(prompts[0] + prompts[0][-2:])  # the batch's shortest prompt one token past the shared prefix
    for settings in ({"max_new_tokens": 24}, {"max_new_tokens": 12, "no_repeat_ngram_size": 3}):
        expected = reference._generate(prompts, **settings)
        assert engine._generate(prompts, **settings) == expected
        assert all(0 < len(ids) <= settings["max_new_tokens"] for ids in expected)
    assert engine.translate_passages([Passage("French", tuple(FRENCH))]) == reference.translate_passages([Passage("French", tuple(FRENCH))])


def test_a_base_model_without_chat_template_is_refused_with_the_fix(tmp_path):
    base = build_tiny_qwen2(tmp_path / "tiny-base", chat_template=None)
    translator = translator_for(make_backends(llm_options(base, tmp_path, backend="transformers")).translator, "fr")
    with pytest.raises(BackendError, match="no chat template.*Fix: pass an instruct/chat model to --translation-model"):
        translator.translate(["Bonjour."])


def small_cluster(root: Path) -> Path:
    cluster = root / "cluster"
    cluster.mkdir()
    sentences = french_sentences()
    for n in range(2):
        paragraphs = [" ".join(sentences[n * 40 + k * 3 : n * 40 + k * 3 + 3]) for k in range(2)]
        (cluster / f"article-{n}.txt").write_text(f"Titre de l'article {n}\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
    return cluster


@pytest.mark.parametrize("backend, engine", [("ct2", "ct2"), ("transformers", "transformers")])
def test_cli_run_with_one_llm_for_both_roles_loads_it_once(tiny_qwen_dir, llm_models, tmp_path, monkeypatch, backend, engine):
    import summarize.backends.ct2 as ct2_module
    import summarize.backends.transformers as transformers_module

    loads = []
    module = ct2_module if backend == "ct2" else transformers_module
    real_load = module._load_model
    monkeypatch.setattr(module, "_MODELS", {})
    monkeypatch.setattr(module, "_load_model", lambda *args: loads.append(args) or real_load(*args))
    cluster = small_cluster(tmp_path)
    args = ["run", str(cluster), "--backend", backend, "--translation-model", str(tiny_qwen_dir), "--summary-model", str(tiny_qwen_dir),
            "--model-dir", str(llm_models), "--cache-dir", str(tmp_path / "cache"), "--device", "cpu",
            "--out", str(tmp_path / "out"), "--quiet", "--brief-words", "20", "--cluster-words", "30"]
    args += ["--quantization", "float32"] if backend == "ct2" else []
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(loads) == 1
    data = json.loads((tmp_path / "out" / "cluster" / "cluster.json").read_text("utf-8"))
    run = data["run"]
    assert list(run["models"]["translation"]) == ["fr"]  # the model of each language translated
    for model, prompts in ((run["models"]["translation"]["fr"], "translate"), (run["models"]["summarisation"], "summarise")):
        assert model["engine"] == engine and model["model"] == tiny_qwen_dir.name and model["family"] == "causal"
        assert model["prompts"] == f"{prompts}:{load_prompts(prompts).fingerprint}" and model["beams"] == 1
        assert model["prompts"] in run["signature"]
    segments = [s for a in data["articles"] for s in a["segments"]]
    assert len(segments) == 12 and all(s["translation"] for s in segments)
    assert all(a["brief"] for a in data["articles"])
    assert "passages:paragraphs-packed-5s1500c-v2" in run["signature"]

    again = runner.invoke(app, args, catch_exceptions=False)  # warm: every result from the cache, no model loaded
    assert again.exit_code == 0 and len(loads) == 1
    assert json.loads((tmp_path / "out" / "cluster" / "cluster.json").read_text("utf-8"))["run"]["cache"]["misses"] == 0


def test_a_gguf_file_is_converted_once_into_a_checkpoint_that_runs(tiny_qwen_dir, tmp_path):
    from safetensors.numpy import load_file

    from tiny_models import build_tiny_qwen2_gguf

    gguf_file = build_tiny_qwen2_gguf(tiny_qwen_dir, tmp_path / "tiny-qwen2-f32.gguf")
    options = llm_options(gguf_file, tmp_path / "models", backend="transformers")
    assert family_of(choose_model(options, "translation"), options) == CAUSAL
    backends = make_backends(options)
    translator = translator_for(backends.translator, "fr")
    assert isinstance(translator, TransformersCausalTranslator)
    converted = translator.model_dir
    assert converted.parent == tmp_path / "models" / "gguf" and converted.name.startswith("tiny-qwen2-f32-")
    original, copy = load_file(str(tiny_qwen_dir / "model.safetensors")), load_file(str(converted / "model.safetensors"))
    assert sorted(original) == sorted(copy)
    for name, tensor in original.items():  # float16 copies of the same weights
        assert abs(copy[name].astype("float32") - tensor).max() <= 2e-3 * max(1.0, abs(tensor).max())
    reference = TransformersCausalTranslator(choose_model(llm_options(tiny_qwen_dir, tmp_path), "translation"), llm_options(tiny_qwen_dir, tmp_path))
    prompt = reference.prompts["passage"]
    assert translator._chat_ids(prompt, language="French", numbered="1. Le maire a voté.") == reference._chat_ids(
        prompt, language="French", numbered="1. Le maire a voté."
    )
    assert backends.summarizer.model_dir == converted  # the same directory for both roles: converted once, loaded once
    stamp = (converted / "model.safetensors").stat().st_mtime_ns
    assert translator_for(make_backends(options).translator, "fr").model_dir == converted and (converted / "model.safetensors").stat().st_mtime_ns == stamp
    assert isinstance(translator.translate(["Le maire a voté."])[0], str)  # it runs
