"""Where the current conversation of each pseudonym lives, with idle expiry and erasure.

It stores what the caller gives it (already minimised events, see privacy.redaction) under a key that
is itself a keyed hash. Three backends behind one interface, chosen by CONVERSATION_STORE_URL:
sqlite:///path (embedded default), postgresql://... and redis://... (several Rasa replicas)."""
from __future__ import annotations

import time
from typing import Callable, Protocol

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from privacy.files import private_sqlite_file

Clock = Callable[[], float]
# Times are kept to the minute: exact ones, next to a provider's records of who wrote when, would tell
# which pseudonym is which number without the key.
TIME_RESOLUTION_SECONDS = 60


def coarse_time(timestamp: float) -> float:
    return float(int(timestamp // TIME_RESOLUTION_SECONDS) * TIME_RESOLUTION_SECONDS)


def coarse_time_up(timestamp: float) -> float:
    """Rounded up, for the last-activity time: a conversation may outlive its idle limit by up to a
    minute, but is never cut short."""
    return -coarse_time(-timestamp)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS conversation ("
    " key TEXT PRIMARY KEY, events TEXT NOT NULL, updated_at DOUBLE PRECISION NOT NULL)"
)
UPSERT = (
    "INSERT INTO conversation (key, events, updated_at) VALUES (:key, :events, :now) "
    "ON CONFLICT(key) DO UPDATE SET events = excluded.events, updated_at = excluded.updated_at"
)


class ConversationStore(Protocol):
    def put(self, key: str, events_json: str) -> None: ...

    def get(self, key: str) -> str | None: ...

    def delete(self, key: str) -> None: ...

    def purge_expired(self) -> int: ...

    def keys(self) -> list[str]: ...

    def close(self) -> None: ...


class SqlConversationStore:
    """SQLite or PostgreSQL. Expired rows are invisible at once and deleted by purge_expired()."""

    def __init__(self, url: str, ttl_seconds: float, clock: Clock | None = None) -> None:
        private_sqlite_file(url)
        options: dict[str, object] = {}
        if url.startswith("sqlite:///") and not url.endswith(":memory:"):
            # SQLAlchemy 1.4 would open (and set up) a new SQLite connection for every read and write of a
            # message; keep a few open. The Rasa tracker store calls us from worker threads, one connection
            # each at a time.
            options = {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
        self._engine: Engine = create_engine(url, future=True, pool_pre_ping=True, **options)
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", _sqlite_pragmas)
        with self._engine.begin() as connection:
            connection.execute(text(SCHEMA))
        self._ttl = ttl_seconds
        # Looked up at each call, so that a test (or a time-travelling drill) can move the clock.
        self._clock: Clock = clock or (lambda: time.time())

    def _oldest_alive(self) -> float:
        return self._clock() - self._ttl

    def put(self, key: str, events_json: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(text(UPSERT), {"key": key, "events": events_json, "now": coarse_time_up(self._clock())})

    def get(self, key: str) -> str | None:
        with self._engine.connect() as connection:
            return connection.execute(
                text("SELECT events FROM conversation WHERE key = :key AND updated_at >= :oldest"),
                {"key": key, "oldest": self._oldest_alive()},
            ).scalar_one_or_none()

    def delete(self, key: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(text("DELETE FROM conversation WHERE key = :key"), {"key": key})
        self._truncate_journal()

    def purge_expired(self) -> int:
        with self._engine.begin() as connection:
            result = connection.execute(
                text("DELETE FROM conversation WHERE updated_at < :oldest"), {"oldest": self._oldest_alive()}
            )
        deleted = int(result.rowcount or 0)
        if deleted:
            self._truncate_journal()
        return deleted

    def _truncate_journal(self) -> None:
        """SQLite's write-ahead log still holds the old pages of a deleted row until a checkpoint: copy it
        back into the (securely deleted) database file and empty it now."""
        if self._engine.dialect.name == "sqlite":
            with self._engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def keys(self) -> list[str]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                text("SELECT key FROM conversation WHERE updated_at >= :oldest"), {"oldest": self._oldest_alive()}
            )
            return [row[0] for row in rows]

    def close(self) -> None:
        self._engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Deleted rows are overwritten, not left readable in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class RedisConversationStore:
    """Redis expires keys itself (EXPIRE), so purging has nothing to do."""

    PREFIX = "conversation:"

    def __init__(self, url: str, ttl_seconds: float) -> None:
        import redis  # only deployments that use Redis need the client

        self._redis = redis.Redis.from_url(url)
        self._ttl = max(1, int(ttl_seconds))

    def put(self, key: str, events_json: str) -> None:
        self._redis.set(self.PREFIX + key, events_json.encode("utf-8"), ex=self._ttl)

    def get(self, key: str) -> str | None:
        value = self._redis.get(self.PREFIX + key)
        return value.decode("utf-8") if value is not None else None

    def delete(self, key: str) -> None:
        self._redis.delete(self.PREFIX + key)

    def purge_expired(self) -> int:
        return 0

    def keys(self) -> list[str]:
        return [k.decode()[len(self.PREFIX):] for k in self._redis.scan_iter(match=self.PREFIX + "*")]

    def close(self) -> None:
        self._redis.close()


def open_conversation_store(url: str, ttl_seconds: float) -> ConversationStore:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisConversationStore(url, ttl_seconds)
    return SqlConversationStore(url, ttl_seconds)
