"""Per-cluster batch state: what a cluster's outputs were made from, so unchanged clusters are skipped.

OUT/<cluster-id>/.manifest.json holds the run signature (pipeline.run_signature) and the sha256
of every article file. A batch removes it before rewriting cluster.json/cluster.md and writes it
(atomically) only after them, so whatever moment a crash hits, the manifest is either missing or
matches the outputs: the next batch re-runs exactly the clusters it must. A failed cluster gets a
manifest too (status "failed", with the reason), which lets --watch leave it alone until it changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from summarize.write import atomic_write_text

MANIFEST_NAME = ".manifest.json"
SCHEMA = "summarize.manifest/1"
OUTPUT_NAMES = ("cluster.json", "cluster.md", "cluster.html")


def fingerprint(files: list[Path]) -> dict[str, str]:
    """{file name: sha256 of its bytes}. An unreadable file gets its error instead, so it counts as content."""
    prints: dict[str, str] = {}
    for path in files:
        try:
            prints[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as err:
            prints[path.name] = f"unreadable: {err.strerror}"
    return prints


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Manifest:
    """One cluster's last batch outcome and the inputs and settings it was computed from."""

    status: str  # "done" or "failed"
    signature: str
    files: dict[str, str]
    source: str
    finished: str = field(default_factory=utc_now)
    title: str = ""
    articles: int = 0
    reason: str = ""

    def made_from(self, signature: str, files: dict[str, str]) -> bool:
        return self.signature == signature and self.files == files


def read_manifest(target: Path) -> Manifest | None:
    """The manifest in a cluster's output folder; None when missing or unreadable (the cluster re-runs)."""
    try:
        data = json.loads((target / MANIFEST_NAME).read_text(encoding="utf-8"))
        if data.pop("schema") != SCHEMA:
            return None
        return Manifest(**data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def write_manifest(target: Path, manifest: Manifest) -> None:
    text = json.dumps({"schema": SCHEMA, **asdict(manifest)}, ensure_ascii=False, indent=1)
    atomic_write_text(target / MANIFEST_NAME, text + "\n")


def forget(target: Path) -> None:
    """Drop the manifest and temp files a killed writer left, before outputs are rewritten."""
    (target / MANIFEST_NAME).unlink(missing_ok=True)
    for leftover in target.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def still_valid(target: Path, signature: str, files: dict[str, str], retry_failed: bool) -> Manifest | None:
    """The manifest when the cluster need not run again: same inputs and settings, outputs in place
    (or, unless retry_failed, the same inputs already failed)."""
    manifest = read_manifest(target)
    if manifest is None or not manifest.made_from(signature, files):
        return None
    if manifest.status == "done" and all((target / name).is_file() for name in OUTPUT_NAMES):
        return manifest
    if manifest.status == "failed" and not retry_failed:
        return manifest
    return None
