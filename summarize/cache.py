"""Persistent result cache: SQLite in WAL mode, keyed by sha256 of a signature string.

Like sacrebleu's signatures, every cached value is stored with the human-readable signature that
produced it (stage, engine, model, revision, generation parameters), so a change of any of them is
a cache miss and `cluster.json` can say exactly what produced each result.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

SCHEMA_VERSION = 1
DB_NAME = "cache.sqlite3"


def cache_key(signature: str, text: str) -> str:
    """sha256 over the signature and the input text (NUL-separated so the parts cannot blur)."""
    return hashlib.sha256(f"{signature}\x00{text}".encode("utf-8", "surrogatepass")).hexdigest()


class Cache:
    """A key-value store of stage results. `Cache(None)` is the no-op cache for --no-cache."""

    def __init__(self, directory: Path | None):
        self.path = directory / DB_NAME if directory is not None else None
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, stage TEXT NOT NULL,"
                " signature TEXT NOT NULL, value TEXT NOT NULL, created REAL NOT NULL)"
            )
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._db = db
        return self._db

    def get_many(self, keys: list[str]) -> dict[str, str]:
        db = self._connect()
        if db is None or not keys:
            return {}
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT key, value FROM results WHERE key IN ({marks})", chunk)
            found.update(rows.fetchall())
        return found

    def get(self, key: str) -> str | None:
        return self.get_many([key]).get(key)

    def put_many(self, stage: str, signature: str, items: dict[str, str]) -> None:
        """Store results in one transaction: after a crash a result is either fully there or not."""
        db = self._connect()
        if db is None or not items:
            return
        now = time.time()
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                [(key, stage, signature, value, now) for key, value in items.items()],
            )

    def put(self, stage: str, signature: str, key: str, value: str) -> None:
        self.put_many(stage, signature, {key: value})

    def stats(self) -> dict:
        db = self._connect()
        if db is None:
            return {"path": None, "entries": 0, "bytes": 0, "stages": {}}
        stages = dict(db.execute("SELECT stage, COUNT(*) FROM results GROUP BY stage").fetchall())
        size = sum(p.stat().st_size for p in self.path.parent.glob(DB_NAME + "*") if p.exists())
        return {"path": str(self.path), "entries": sum(stages.values()), "bytes": size, "stages": stages}

    def clear(self) -> int:
        db = self._connect()
        if db is None:
            return 0
        with db:
            count = db.execute("DELETE FROM results").rowcount
        db.execute("VACUUM")
        return count

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
