"""Translation routed by source language: one translator per model, built on first use, for the
languages a cluster holds.

`TranslationRouter` holds the routes of models/registry.toml (models.translation_routes: the
user's `--translation-model`, the preset's, the per-language models, the many-to-English fallback)
and the languages the run accepts (`--languages`; by default those with a model of their own).
`for_language(code)` gives the translator of that language: an engine built by the backend's own
factory when a language first needs it (so a German model is never located, let alone loaded, for
a French cluster) and shared by every language its model reads. Each engine keeps its own
signature, so cache keys differ per model; the router's signature names the routes without
locating any model, for batch's re-run check. A router is not itself a translator: the translate
stage asks it for each language's (backends.base.translator_for).
"""

from __future__ import annotations

import hashlib
from typing import Callable

from summarize.backends.base import BackendError, Translator, source_languages
from summarize.models import ModelChoice, Route, translation_routes
from summarize.options import Options
from summarize.presets import ANY_LANGUAGE, REGISTRY_PATH, language_name
from summarize.signature import Signature

ROUTER_VERSION = 1


class TranslationRouter:
    """The translator of each source language, built lazily from the routes, one per model."""

    def __init__(
        self,
        routes: tuple[Route, ...],
        build: Callable[[ModelChoice], Translator],
        accepted: tuple[str, ...] | None,
        settings: Signature,
        engine: str,
    ):
        self.routes = routes
        self.accepted = accepted
        self.settings = settings
        self.engine = engine
        self._build = build
        self._translators: dict[tuple[str, str | None], Translator] = {}

    # ---- which model reads which language ------------------------------------------------------
    def _translator(self, route: Route) -> Translator:
        key = (route.choice.spec, route.choice.revision)
        if key not in self._translators:
            self._translators[key] = self._build(route.choice)
        return self._translators[key]

    def _languages(self, route: Route) -> tuple[str, ...]:
        """The languages `route`'s model reads: the registry's or the user's list, else what the model declares."""
        return route.languages if route.languages is not None else source_languages(self._translator(route))

    def _reads(self, route: Route, language: str) -> bool:
        languages = self._languages(route)
        return language in languages or ANY_LANGUAGE in languages

    def _own_route(self, language: str) -> Route | None:
        return next((r for r in self.routes if not r.fallback and self._reads(r, language)), None)

    def _fallback(self, language: str) -> Route | None:
        return next((r for r in self.routes if r.fallback and self._reads(r, language)), None)

    def accepts(self, language: str) -> bool:
        """Whether the run translates `language`: named in --languages (or '*'), else it has a model of its own."""
        if self.accepted is None:
            return self._own_route(language) is not None
        return language in self.accepted or ANY_LANGUAGE in self.accepted

    def route(self, language: str) -> Route | None:
        """The route that translates `language` in this run, or None (not accepted, or no model reads it)."""
        if language == "en" or not self.accepts(language):
            return None
        return self._own_route(language) or self._fallback(language)

    @property
    def source_languages(self) -> tuple[str, ...]:
        """The languages this run translates ("*" when it translates any)."""
        if self.accepted is not None and ANY_LANGUAGE not in self.accepted:
            return tuple(language for language in self.accepted if self.route(language) is not None)
        routes = [r for r in self.routes if self.accepted or not r.fallback]  # '*' accepts the fallback's languages too
        languages = {language for r in routes for language in self._languages(r)} - {"en"}
        return (ANY_LANGUAGE,) if ANY_LANGUAGE in languages else tuple(sorted(languages))

    def for_language(self, language: str) -> Translator:
        """The translator of `language` (built now if it is the first of its model)."""
        route = self.route(language)
        if route is None:
            raise BackendError(f"no translation model for {language_name(language)} in this run. Fix: {self.advice(language)}")
        return self._translator(route)

    def advice(self, language: str) -> str:
        """What to do to have `language` translated: name it in --languages, or configure a model for it."""
        listed = f"--languages {','.join((*self.accepted, language))}" if self.accepted else f"--languages {language}"
        own = self._own_route(language)
        if own is not None:
            return f"it is not among the languages of this run; pass {listed} to translate it with {own.choice.spec}"
        fallback = self._fallback(language)
        registry_key = f"add [languages.{language}] with translation = \"MODEL\" to {REGISTRY_PATH}"
        if fallback is not None:
            return (
                f"it has no translation model of its own; pass {listed} to translate it with the many-to-English "
                f"fallback {fallback.choice.spec}, or {registry_key}"
            )
        return f"no translation model for it is configured; {registry_key}, or pass --translation-model {language}=MODEL"

    # ---- identity ----------------------------------------------------------------------------------
    def signature(self) -> Signature:
        """The routes and settings, without locating any model (each engine's own signature keys the cache):
        a fingerprint of the route table, the accepted languages and the engine settings."""
        table = "; ".join(
            f"{'fallback ' if r.fallback else ''}{','.join(r.languages) if r.languages else '?'}={r.choice.spec}@{r.choice.revision or 'main'}"
            for r in self.routes
        )
        accepted = ",".join(self.accepted) if self.accepted else "own-models"
        return Signature(router=ROUTER_VERSION, routes=hashlib.sha256(table.encode()).hexdigest()[:12], languages=accepted).extend(
            self.settings
        )

    def describe(self) -> dict:
        return {"engine": self.engine, "languages": list(self.source_languages)}


def routed_translator(options: Options, build: Callable[[ModelChoice], Translator], engine: str) -> TranslationRouter:
    """The router of a backend whose `build` makes the translator of one model (cheaply: nothing loads)."""
    settings = Signature(
        engine=engine, device=options.device, beams=options.beams,
        quant=options.quantization.value if options.quantization else "default",
    )
    return TranslationRouter(translation_routes(options), build, options.languages, settings, engine)
