"""The model registry: per-language translation models, presets and per-model settings.

models/registry.toml in a source checkout; an installed package reads its packaged copy
(summarize.registry). Plain data, read without any model library, so options can be checked
against it before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from summarize.errors import BackendError, UsageError

# models/ of a source checkout: the registry, and converted models under ct2/ (git-ignored).
CHECKOUT_MODELS = Path(__file__).resolve().parents[1] / "models"
# Running from a source checkout (its models/registry.toml is there), not from an installed package.
IN_CHECKOUT = (CHECKOUT_MODELS / "registry.toml").is_file()
TASK_OPTIONS = {"translation": "--translation-model", "summary": "--summary-model"}
# Any source language: what a model that reads them all (an instruct LLM, a many-to-many model) declares.
ANY_LANGUAGE = "*"
# The languages messages name, and the ones the language identifier chooses from (widely published
# languages, so short French paragraphs are not taken for Occitan or Luxembourgish).
LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sv": "Swedish", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}


def language_name(code: str) -> str:
    """'German (de)': a language as messages name it."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def _registry_path() -> Path:
    """models/registry.toml in a source checkout; in an installed package, its copy (summarize.registry)."""
    if IN_CHECKOUT:
        return CHECKOUT_MODELS / "registry.toml"
    from importlib import resources

    return Path(str(resources.files("summarize.registry").joinpath("registry.toml")))


REGISTRY_PATH = _registry_path()


def models_home() -> Path:
    """Where converted models go by default: models/ in a source checkout, else the user data dir.

    An installed package never writes beside itself (site-packages may even hold an unrelated `models/`).
    """
    if IN_CHECKOUT:
        return CHECKOUT_MODELS
    from platformdirs import user_data_dir

    return Path(user_data_dir("summarize"))


@dataclass(frozen=True)
class Registry:
    """Presets (name -> {"summary": id, optional "translation": id or {language: id}}), per-language
    translation models (language -> {"translation": id}), the many-to-English fallback, and per-model
    settings (id -> {revision, about, task, languages})."""

    presets: dict[str, dict]
    models: dict[str, dict]
    languages: dict[str, dict] = field(default_factory=dict)
    fallback: str | None = None

    def preset(self, name: str) -> dict:
        if name not in self.presets:
            raise UsageError(f"unknown preset {name!r}; choose one of: {', '.join(self.presets)} (see {REGISTRY_PATH})")
        return self.presets[name]

    def preset_models(self, name: str, languages: tuple[str, ...] | None = None) -> list[str]:
        """The models a preset runs: its summariser and the translation model of each of `languages`
        (None: of every language it routes; a preset's one model for all languages counts for each)."""
        routes = self.translation_models(name)
        wanted = [routes[ANY_LANGUAGE]] if ANY_LANGUAGE in routes else []
        wanted += [model for language, model in routes.items() if language != ANY_LANGUAGE and (languages is None or language in languages)]
        return list(dict.fromkeys([*wanted, self.preset(name)["summary"]]))

    def translation_models(self, preset: str) -> dict[str, str]:
        """Source language -> translation model under `preset`: its own choices over the per-language
        defaults; ANY_LANGUAGE maps a preset's one model for every language it reads."""
        own = self.preset(preset).get("translation", {})
        defaults = {language: entry["translation"] for language, entry in self.languages.items()}
        return {ANY_LANGUAGE: own, **defaults} if isinstance(own, str) else {**defaults, **own}

    def model_languages(self, model_id: str) -> tuple[str, ...] | None:
        """The source languages the registry says `model_id` reads (None: it does not say)."""
        languages = self.models.get(model_id, {}).get("languages")
        return tuple(languages) if languages else None

    def presets_using(self, model_id: str) -> list[str]:
        return [name for name in self.presets if model_id in self.preset_models(name)]


def load_registry(path: Path = REGISTRY_PATH) -> Registry:
    """Read models/registry.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise BackendError(f"cannot read the model registry {path}: {error}. Fix: restore the file (reinstall summarize)") from None
    return Registry(
        presets=data.get("presets", {}),
        models=data.get("models", {}),
        languages=data.get("languages", {}),
        fallback=data.get("translation", {}).get("fallback"),
    )
