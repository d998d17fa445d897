"""The model registry: presets (a translation and a summary model each) and per-model settings.

models/registry.toml in a source checkout; an installed package reads its packaged copy
(summarize.registry). Plain data, read without any model library, so options can be checked
against it before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
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
TASKS = ("translation", "summary")
TASK_OPTIONS = {"translation": "--translation-model", "summary": "--summary-model"}


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
    """Presets (name -> {task: model id}) and per-model settings (id -> {revision, about, task})."""

    presets: dict[str, dict[str, str]]
    models: dict[str, dict[str, str]]

    def preset(self, name: str) -> dict[str, str]:
        if name not in self.presets:
            raise UsageError(f"unknown preset {name!r}; choose one of: {', '.join(self.presets)} (see {REGISTRY_PATH})")
        return self.presets[name]

    def presets_using(self, model_id: str) -> list[str]:
        return [name for name, models in self.presets.items() if model_id in models.values()]


def load_registry(path: Path = REGISTRY_PATH) -> Registry:
    """Read models/registry.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise BackendError(f"cannot read the model registry {path}: {error}. Fix: restore the file (reinstall summarize)") from None
    return Registry(presets=data.get("presets", {}), models=data.get("models", {}))
