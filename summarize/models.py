"""Which models to run and where their weights are: the preset registry and model resolution.

A model *spec* is what the user gives: a Hugging Face hub id (optionally `id@revision`) or a
local `save_pretrained` directory. `resolve_model` turns it into a local directory, looking in
this order: the spec as a local path, `--model-dir/<name>`, the Hugging Face cache (honouring
HF_HOME / HF_HUB_CACHE and the revision), then the hub (unless HF_HUB_OFFLINE is set). When the
weights cannot be had it raises BackendError with one line naming the model, where it looked and
the command that fixes it. Nothing here imports torch or transformers, so the transformers and
CTranslate2 backends both build on it cheaply.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from summarize.errors import BackendError, UsageError, first_line
from summarize.options import Options, translation_overrides
from summarize.presets import ANY_LANGUAGE, REGISTRY_PATH, TASK_OPTIONS, Registry, load_registry

# A checkpoint directory is usable when it has config.json and one of these weight layouts.
HF_WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
# What `pull` fetches: configs, tokenizers and one weight format (never TF/Flax/Rust/ONNX copies).
_TOKENIZER_AND_CONFIG_PATTERNS = ["*.json", "*.txt", "*.spm", "*.model"]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_NETWORK_TIMEOUT_S = 10.0
_TRUE_VALUES = {"1", "on", "yes", "true"}
# The languages whose translation models a preset target of `models pull|convert` brings (add
# language codes as targets for more: `summarize models pull default de es`).
PULLED_LANGUAGES = ("fr",)


@dataclass(frozen=True)
class ModelChoice:
    """The model a run asks for, before any lookup: a hub id or local directory, and a revision."""

    task: str
    spec: str
    revision: str | None = None
    fix: str | None = None  # what to do when the weights cannot be had; None: how a run gets them
    languages: tuple[str, ...] = ()  # a translation model's source languages, when the registry or the user named them

    @property
    def option(self) -> str:
        """The CLI flag that overrides this model."""
        return TASK_OPTIONS.get(self.task, "--translation-model/--summary-model")


def choose_model(options: Options, task: str, registry: Registry | None = None) -> ModelChoice:
    """The `task` model `options` ask for: an explicit --translation/summary-model, else the preset's.

    For translation, the one model given, else the model for French (translation_routes has every
    language's). A hub id may carry a revision as `id@revision`; otherwise the registry's pinned
    revision applies.
    """
    if task == "translation":
        routes = translation_routes(options, registry)
        return next((r.choice for r in routes if r.languages is None or r.reads("fr")), routes[0].choice)
    registry = registry or load_registry()
    spec, revision = split_revision(options.summary_model or registry.preset(options.preset)[task], registry)
    return ModelChoice(task=task, spec=spec, revision=revision)


@dataclass(frozen=True)
class Route:
    """A translation model and the source languages it is for; None: the model itself says (see
    backends.base.source_languages). The fallback serves only languages the run accepts by name."""

    choice: ModelChoice
    languages: tuple[str, ...] | None
    fallback: bool = False

    def reads(self, language: str) -> bool:
        return self.languages is not None and (language in self.languages or ANY_LANGUAGE in self.languages)


def translation_routes(options: Options, registry: Registry | None = None) -> tuple[Route, ...]:
    """Translation models in the order they are tried for a language: `--translation-model LANG=MODEL`,
    `--translation-model MODEL`, the preset's own, the per-language defaults, then the fallback.

    Languages that share a model share one route, so the model is built (and loaded) once.
    """
    registry = registry or load_registry()
    explicit = translation_overrides(options.translation_model)
    preset = registry.translation_models(options.preset)
    ranked = [(language, spec) for language, spec in explicit.items() if language != ANY_LANGUAGE]
    ranked += [(ANY_LANGUAGE, spec) for language, spec in explicit.items() if language == ANY_LANGUAGE]
    ranked += [(language, spec) for language, spec in preset.items() if language not in explicit]
    routes: list[Route] = []
    for language, spec in ranked:
        model_id, revision = split_revision(spec, registry)
        languages = (language,) if language != ANY_LANGUAGE else registry.model_languages(model_id)
        same = next((i for i, r in enumerate(routes) if (r.choice.spec, r.choice.revision) == (model_id, revision)), None)
        if same is not None and languages is not None and routes[same].languages is not None:
            merged = tuple(dict.fromkeys(routes[same].languages + languages))
            routes[same] = Route(ModelChoice("translation", model_id, revision, languages=merged), merged)
        else:
            routes.append(Route(ModelChoice("translation", model_id, revision, languages=languages or ()), languages))
    if registry.fallback:
        model_id, revision = split_revision(registry.fallback, registry)
        routes.append(Route(ModelChoice("translation", model_id, revision), registry.model_languages(model_id), fallback=True))
    return tuple(routes)


def split_revision(spec: str, registry: Registry) -> tuple[str, str | None]:
    """(`spec`, revision) from `ID@REVISION`, else the registry's pinned revision for ID (None for local dirs)."""
    if "@" in spec and not Path(spec).expanduser().exists():
        spec, revision = spec.rsplit("@", 1)
        return spec, revision
    return spec, registry.models.get(spec, {}).get("revision")


def models_for_targets(targets: list[str], registry: Registry) -> list[tuple[str, str | None, str]]:
    """(model id, revision, task) for each preset name (its summariser and French model), source
    language (its translation model), hub id (ORG/NAME[@REVISION]) or local directory, in order, once each.

    A bare word that is none of these is a typo, not a hub id.
    """
    models: list[tuple[str, str | None, str]] = []
    for target in targets:
        if target in registry.presets:
            specs = registry.preset_models(target, PULLED_LANGUAGES)
        elif target in registry.languages:
            specs = [registry.languages[target]["translation"]]
        elif "/" in target or target in registry.models or Path(target).expanduser().exists():
            specs = [target]
        else:
            raise UsageError(
                f"unknown preset, language or model {target!r}. Fix: pass a preset ({', '.join(registry.presets)}), a "
                f"source language ({', '.join(registry.languages)}), a hub id ORG/NAME[@REVISION] or a local model directory"
            )
        for spec in specs:
            model_id, revision = split_revision(spec, registry)
            entry = (model_id, revision, registry.models.get(model_id, {}).get("task", "model"))
            if entry not in models:
                models.append(entry)
    return models


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, read from the environment now (HF_HUB_CACHE, HF_HOME, XDG)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg).expanduser() / "huggingface" / "hub"


def hub_offline() -> bool:
    """True when HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) forbids network access."""
    return any(os.environ.get(name, "").strip().lower() in _TRUE_VALUES for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def missing_weights(directory: Path, weight_files: tuple[str, ...] = HF_WEIGHT_FILES) -> str | None:
    """Why `directory` is not a usable checkpoint (missing config or weights), or None if it is."""
    if not (directory / "config.json").is_file():
        return "no config.json"
    for name in weight_files:
        if not (directory / name).is_file():
            continue
        if not name.endswith(".index.json"):
            return None
        try:
            shards = set(json.loads((directory / name).read_text(encoding="utf-8"))["weight_map"].values())
        except (OSError, ValueError, KeyError):
            return f"unreadable {name}"
        absent = sorted(shard for shard in shards if not (directory / shard).is_file())
        return f"missing weight shards {', '.join(absent)}" if absent else None
    return f"no weights ({' or '.join(weight_files)})"


def resolve_model(
    spec: str,
    revision: str | None = None,
    options: Options | None = None,
    *,
    task: str = "model",
    download: bool = True,
    weight_files: tuple[str, ...] = HF_WEIGHT_FILES,
    fix: str | None = None,
) -> Path:
    """A local directory holding `spec`'s config, tokenizer and weights, or BackendError saying how to get it.

    Looks at the spec as a path, then `options.model_dir`, then the HF cache; downloads from the hub
    only when `download` is set and HF_HUB_OFFLINE is not. `fix` replaces the advice on how a run gets
    the weights (a command that is itself fetching them needs other advice).
    """
    choice = ModelChoice(task=task, spec=spec, revision=revision, fix=fix)
    path = Path(spec).expanduser()
    if path.exists() or not _HUB_ID.match(spec):
        return _checked_local_dir(path, choice, weight_files)
    model_dir = options.model_dir if options else None
    looked = []
    if model_dir is not None:
        for candidate in _model_dir_candidates(Path(model_dir), spec):
            if candidate.is_dir():
                return _checked_local_dir(candidate, choice, weight_files)
        looked.append(f"--model-dir {model_dir}")
    cache = hub_cache_dir()
    snapshot = cached_snapshot(spec, revision, cache)
    if snapshot is not None and missing_weights(snapshot, weight_files) is None:
        return snapshot
    looked.append(f"the Hugging Face cache {cache}")
    if not download or hub_offline():
        reason = "HF_HUB_OFFLINE is set" if hub_offline() else "not downloaded"
        raise BackendError(f"{_describe(choice)} is not available ({reason}); looked in {' and '.join(looked)}. Fix: {_fixes(choice)}")
    return _download(choice, cache, looked, weight_files)


def cached_snapshot(repo_id: str, revision: str | None, cache: Path | None = None) -> Path | None:
    """The HF-cache snapshot directory of `repo_id` at `revision` (default main), without network."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo_id, "config.json", cache_dir=cache or hub_cache_dir(), revision=revision or "main")
    return Path(found).parent if isinstance(found, str) else None


def revision_label(directory: Path) -> str:
    """What identifies the weights in `directory`: the hub commit of a cache snapshot, else a content fingerprint.

    The fingerprint hashes config.json and the names and sizes of the other files: cheap (no
    weight reads) and it changes whenever a checkpoint is re-saved with other weights or settings.
    """
    if directory.parent.name == "snapshots" and directory.parent.parent.name.startswith("models--"):
        return directory.name
    digest = hashlib.sha256((directory / "config.json").read_bytes())
    for file in sorted(directory.iterdir()):
        if file.is_file() and file.name != "config.json":
            digest.update(f"{file.name}:{file.stat().st_size};".encode())
    return "local-" + digest.hexdigest()[:12]


def directory_size(directory: Path) -> int:
    """Bytes on disk of the files in `directory` (following HF-cache symlinks to their blobs)."""
    return sum(file.stat().st_size for file in directory.rglob("*") if file.is_file())


def _checked_local_dir(path: Path, choice: ModelChoice, weight_files: tuple[str, ...]) -> Path:
    if not path.is_dir():
        raise BackendError(
            f"{choice.task} model directory {path} does not exist. Fix: pass an existing save_pretrained "
            f"directory or a hub id to {choice.option} (`summarize models list` shows the configured ones)"
        )
    problem = missing_weights(path, weight_files)
    if problem:
        raise BackendError(
            f"{choice.task} model directory {path} is not a usable checkpoint ({problem}). Fix: point {choice.option} "
            f"at a directory written by save_pretrained (config.json, tokenizer files and weights)"
        )
    return path.resolve()


def _model_dir_candidates(model_dir: Path, repo_id: str) -> list[Path]:
    """Where a hub model may sit under --model-dir: DIR/org/name, DIR/name, DIR/org--name."""
    return [model_dir / repo_id, model_dir / repo_id.rsplit("/", 1)[-1], model_dir / repo_id.replace("/", "--")]


def _download(choice: ModelChoice, cache: Path, looked: list[str], weight_files: tuple[str, ...]) -> Path:
    """Fetch config, tokenizer and one weight format of `choice` into the HF cache, with bounded timeouts."""
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    where = " and ".join(looked)
    try:
        info = HfApi().model_info(choice.spec, revision=choice.revision, timeout=_NETWORK_TIMEOUT_S)
        files = [sibling.rfilename for sibling in info.siblings or []]
        weights = ["*.safetensors"] if any(f.endswith(".safetensors") for f in files) else ["pytorch_model*.bin"]
        snapshot = snapshot_download(
            choice.spec,
            revision=choice.revision or "main",
            cache_dir=cache,
            allow_patterns=_TOKENIZER_AND_CONFIG_PATTERNS + weights,
            etag_timeout=_NETWORK_TIMEOUT_S,
        )
    except RevisionNotFoundError:
        raise BackendError(
            f"{_describe(choice)}: no such revision on the Hugging Face hub. Fix: correct the revision in "
            f"{REGISTRY_PATH} or {choice.option} ID@REVISION"
        ) from None
    except RepositoryNotFoundError:
        raise BackendError(
            f"{choice.task} model {choice.spec!r} is neither a local directory nor a model on the Hugging Face hub "
            f"(typo?); looked in {where}. Fix: check the id (`summarize models list`) or pass a local directory to {choice.option}"
        ) from None
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise BackendError(
                f"{_describe(choice)}: no space left on disk while downloading into {cache}. "
                f"Fix: free space or set HF_HOME to a larger disk"
            ) from None
        raise _unreachable(choice, where, error) from None
    except Exception as error:  # network layers raise their own exception types (httpx, ssl, ...)
        raise _unreachable(choice, where, error) from None
    problem = missing_weights(Path(snapshot), weight_files)
    if problem:
        raise BackendError(f"{_describe(choice)} downloaded to {snapshot} is not usable ({problem}). Fix: {_fixes(choice)}")
    return Path(snapshot)


def _unreachable(choice: ModelChoice, where: str, error: Exception) -> BackendError:
    return BackendError(
        f"{_describe(choice)} is not available: not in {where} and the Hugging Face hub could not be reached "
        f"({first_line(error, limit=160)}). Fix: {_fixes(choice)}"
    )


def _describe(choice: ModelChoice) -> str:
    role = f"{choice.task} model" if choice.task in TASK_OPTIONS else "model"
    return f"{role} {choice.spec!r} (revision {choice.revision or 'main'})"


def _fixes(choice: ModelChoice) -> str:
    if choice.fix:
        return choice.fix
    registry = load_registry()
    presets = registry.presets_using(choice.spec)
    languages = [language for language, entry in registry.languages.items() if entry.get("translation") == choice.spec]
    if languages:  # a language's own model: pull just that language's
        pull_target = " ".join(languages)
    else:
        pull_target = "default" if "default" in presets else next(iter(presets), choice.spec)
    return (
        f"run `summarize models pull {pull_target}` where the hub is reachable, or pass a local directory with "
        f"{choice.option} DIR or --model-dir DIR, or use --backend stub for a demo without models"
    )


def read_checkpoint_json(path: Path) -> dict:
    """A checkpoint's JSON file ({} when absent); an unreadable or corrupt one is a BackendError naming the fix."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise BackendError(f"cannot read {path}: {first_line(error)}. Fix: re-save or re-download the checkpoint") from None
