"""Prompts of the instruct-LLM engines, kept as package data (translate.toml, summarise.toml).

Each file holds named prompts: a `system` and a `user` template (str.format fields such as
{language}, {words}, {text}) and, optionally, an `answer_prefix` the assistant's turn starts with.
A file's bytes are hashed into the fingerprint that the engine's signature carries, so editing a
prompt changes every cache key made with it, and outputs say exactly which prompts wrote them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class Prompt:
    """One chat prompt: optional system message, a user template, and the text the answer starts with."""

    user: str
    system: str = ""
    answer_prefix: str = ""

    def messages(self, **fields: object) -> list[dict[str, str]]:
        """Chat messages with the template's fields filled in."""
        system = [{"role": "system", "content": self.system.format(**fields).strip()}] if self.system.strip() else []
        return system + [{"role": "user", "content": self.user.format(**fields).strip()}]


@dataclass(frozen=True)
class PromptSet:
    """The prompts of one file and the fingerprint of its text."""

    name: str
    prompts: dict[str, Prompt]
    settings: dict[str, object]
    fingerprint: str

    def __getitem__(self, kind: str) -> Prompt:
        return self.prompts[kind]


@lru_cache(maxsize=None)
def load_prompts(name: str) -> PromptSet:
    """The prompt file `name`.toml of this package; top-level scalar keys are its settings."""
    data = resources.files(__name__).joinpath(f"{name}.toml").read_bytes()
    table = tomllib.loads(data.decode("utf-8"))
    prompts = {key: Prompt(**value) for key, value in table.items() if isinstance(value, dict)}
    settings = {key: value for key, value in table.items() if not isinstance(value, dict)}
    return PromptSet(name, prompts, settings, hashlib.sha256(data).hexdigest()[:12])
