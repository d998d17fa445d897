"""Signatures: the fields that drive a computation, as one value (sacrebleu's idea).

A `Signature` is an ordered list of `name:value` fields rendered as `name:value|name:value`. A
signature given as a field value renders in brackets (`translate:[engine:ct2|…]`); one given
positionally is spliced in place. Two computations with equal renderings give equal results, so
the rendering is what the cache keys hash and what every output records. Build each stage's
signature from exactly the settings and component versions that change its output.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata

from summarize.cache import cache_key


class Signature(str):
    """Ordered `name:value` fields, and their rendering (a Signature *is* that string, so it compares,
    hashes and serialises as one); positional parts (other signatures, or rendered strings) are spliced in."""

    fields: tuple[tuple[str | None, str], ...]

    def __new__(cls, *parts: str, **fields: object) -> Signature:
        items: list[tuple[str | None, str]] = []
        for part in parts:
            items.extend(part.fields if isinstance(part, Signature) else [(None, str(part))])
        items.extend((name, _render(value)) for name, value in fields.items())
        self = super().__new__(cls, "|".join(value if name is None else f"{name}:{value}" for name, value in items))
        self.fields = tuple(items)
        return self

    def extend(self, *parts: str, **fields: object) -> Signature:
        """This signature followed by more parts and fields."""
        return Signature(self, *parts, **fields)

    def key(self, text: str) -> str:
        """The cache key of `text` computed under this signature."""
        return cache_key(self, text)


def _render(value: object) -> str:
    return f"[{value}]" if isinstance(value, Signature) else str(value)


@lru_cache(maxsize=None)
def version_of(distribution: str) -> str:
    """The installed version of a distribution ("absent" when it is not installed), without importing it."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def versions(*distributions: str) -> Signature:
    """`name:version` for each distribution: the libraries whose upgrade can change a stage's output."""
    return Signature(**{name: version_of(name) for name in distributions})
