"""A small SQLite store of the current conversation per pseudonym, with idle expiry and erasure.

It stores what the caller gives it (already minimised events, see privacy.redaction) under a key
that is itself a keyed hash. Expired rows are invisible at once and deleted by purge()."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable

Clock = Callable[[], float]

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS conversation ("
    " key TEXT PRIMARY KEY, events TEXT NOT NULL, updated_at REAL NOT NULL)"
)


class ConversationStore:
    def __init__(self, path: str, ttl_seconds: float, clock: Clock = time.time) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        # Deleted rows are overwritten, not left readable in free pages.
        self._connection.execute("PRAGMA secure_delete=ON")
        self._connection.execute(SCHEMA)
        self._lock = threading.Lock()
        self._ttl = ttl_seconds
        self._clock = clock

    def put(self, key: str, events_json: str) -> None:
        with self._lock:
            self._connection.execute(
                "INSERT INTO conversation (key, events, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET events = excluded.events, updated_at = excluded.updated_at",
                (key, events_json, self._clock()),
            )

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT events FROM conversation WHERE key = ? AND updated_at >= ?",
                (key, self._clock() - self._ttl),
            ).fetchone()
        return row[0] if row else None

    def delete(self, key: str) -> None:
        with self._lock:
            self._connection.execute("DELETE FROM conversation WHERE key = ?", (key,))

    def purge_expired(self) -> int:
        with self._lock:
            cursor = self._connection.execute(
                "DELETE FROM conversation WHERE updated_at < ?", (self._clock() - self._ttl,)
            )
        return cursor.rowcount

    def keys(self) -> list[str]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT key FROM conversation WHERE updated_at >= ?", (self._clock() - self._ttl,)
            ).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        self._connection.close()
