"""Persistent result cache: SQLite in WAL mode, keyed by sha256 of a signature string.

Like sacrebleu's signatures, every cached value is stored with the human-readable signature that
produced it (stage, engine, model, revision, generation parameters), so a change of any of them is
a cache miss and `cluster.json` can say exactly what produced each result.

The cache only saves time, so it never stops a run: a database that is corrupt, not a database,
or locked for longer than `timeout` seconds is moved aside (cache.sqlite3.broken-N) and rebuilt;
any other failure (disk full, read-only folder) turns caching off for the rest of the run. Each
such event leaves one line in `Cache.warnings`, which the pipeline reports.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Callable, TypeVar

SCHEMA_VERSION = 1
DB_NAME = "cache.sqlite3"
_BROKEN_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_BUSY", "SQLITE_LOCKED"}
_BROKEN_MESSAGES = ("not a database", "malformed", "locked", "corrupt")
T = TypeVar("T")


def cache_key(signature: str, text: str) -> str:
    """sha256 over the signature and the input text; the signature's length is written first, so
    no two (signature, text) pairs share their bytes, whatever characters they hold."""
    return hashlib.sha256(f"{len(signature)}:{signature}\x00{text}".encode("utf-8", "surrogatepass")).hexdigest()


def _is_broken(err: Exception) -> bool:
    """Corrupt, not a database, or locked: moving the file aside and starting afresh fixes it."""
    if not isinstance(err, sqlite3.DatabaseError):
        return False
    code = getattr(err, "sqlite_errorname", "")
    return code in _BROKEN_CODES or (not code and any(m in str(err).lower() for m in _BROKEN_MESSAGES))


class Cache:
    """A key-value store of stage results. `Cache(None)` is the no-op cache for --no-cache."""

    def __init__(self, directory: Path | None, timeout: float = 30.0):
        self.path = directory / DB_NAME if directory is not None else None
        self.timeout = timeout
        self.warnings: list[str] = []
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, stage TEXT NOT NULL,"
                    " signature TEXT NOT NULL, value TEXT NOT NULL, created REAL NOT NULL)"
                )
                if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    def _run(self, operation: Callable[[sqlite3.Connection], T], fallback: T) -> T:
        """`operation` on the database; a broken database is moved aside and the operation retried
        once on a fresh one; any other failure turns the cache off. Never raises."""
        for attempt in (1, 2):
            if self.path is None:
                return fallback
            try:
                return operation(self._connect())
            except (sqlite3.Error, OSError) as err:
                self.close()
                reason = str(err) or type(err).__name__
                if attempt == 1 and _is_broken(err) and self._move_aside(reason):
                    continue
                self.warnings.append(f"cache {self.path} cannot be used ({reason}); continuing without the cache")
                self.path = None
        return fallback

    def _move_aside(self, reason: str) -> bool:
        """Rename the database (and its WAL files) to cache.sqlite3.broken-N; False if that fails."""
        number = 1
        while self.path.with_name(f"{DB_NAME}.broken-{number}").exists():
            number += 1
        aside = self.path.with_name(f"{DB_NAME}.broken-{number}")
        try:
            for suffix in ("", "-wal", "-shm"):
                source = self.path.with_name(DB_NAME + suffix)
                if source.exists():
                    source.rename(aside.with_name(aside.name + suffix))
        except OSError:
            return False
        self.warnings.append(f"cache {self.path} was unusable ({reason}); moved aside to {aside.name} and rebuilt")
        return True

    def get_many(self, keys: list[str]) -> dict[str, str]:
        if not keys:
            return {}

        def select(db: sqlite3.Connection) -> dict[str, str]:
            found: dict[str, str] = {}
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(db.execute(f"SELECT key, value FROM results WHERE key IN ({marks})", chunk).fetchall())
            return found

        return self._run(select, {})

    def get(self, key: str) -> str | None:
        return self.get_many([key]).get(key)

    def put_many(self, stage: str, signature: str, items: dict[str, str]) -> None:
        """Store results in one transaction: after a crash a result is either fully there or not."""
        if not items:
            return
        now = time.time()

        def insert(db: sqlite3.Connection) -> None:
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                    [(key, stage, str(signature), value, now) for key, value in items.items()],
                )

        self._run(insert, None)

    def put(self, stage: str, signature: str, key: str, value: str) -> None:
        self.put_many(stage, signature, {key: value})

    def stats(self) -> dict:
        def count(db: sqlite3.Connection) -> dict:
            stages = dict(db.execute("SELECT stage, COUNT(*) FROM results GROUP BY stage").fetchall())
            files = [self.path.with_name(DB_NAME + suffix) for suffix in ("", "-wal", "-shm")]
            size = sum(p.stat().st_size for p in files if p.exists())
            return {"path": str(self.path), "entries": sum(stages.values()), "bytes": size, "stages": stages}

        return self._run(count, {"path": None, "entries": 0, "bytes": 0, "stages": {}})

    def clear(self) -> int:
        def delete(db: sqlite3.Connection) -> int:
            with db:
                count = db.execute("DELETE FROM results").rowcount
            db.execute("VACUUM")
            return count

        return self._run(delete, 0)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
