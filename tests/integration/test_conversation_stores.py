"""The conversation store behaves the same on SQLite, PostgreSQL and Redis: erasure, expiry, no leftovers."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from privacy.conversation_store import ConversationStore, RedisConversationStore, SqlConversationStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_store(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = (f"sqlite:///{tmp_path / 'c.sqlite3'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    clock = Clock()
    store = SqlConversationStore(url, ttl_seconds=1800, clock=clock)
    for key in store.keys():
        store.delete(key)
    yield store, clock
    store.close()


def test_sql_store_round_trip_erasure_and_expiry(sql_store) -> None:  # type: ignore[no-untyped-def]
    store, clock = sql_store
    store.put("alice", '[{"event": "user"}]')
    store.put("alice", '[{"event": "user"}, {"event": "bot"}]')
    store.put("bob", "[]")
    assert store.get("alice") == '[{"event": "user"}, {"event": "bot"}]'
    assert sorted(store.keys()) == ["alice", "bob"]
    store.delete("bob")
    assert store.get("bob") is None
    clock.now += 1800 + 61  # last activity is kept to the minute, rounded up
    assert store.get("alice") is None and store.keys() == []
    assert store.purge_expired() == 1


def test_redis_store_expires_by_itself(redis_url: str) -> None:
    store: ConversationStore = RedisConversationStore(redis_url, ttl_seconds=1)
    store.put("carol", "[1]")
    assert store.get("carol") == "[1]" and "carol" in store.keys()
    store.put("dave", "[2]")
    store.delete("dave")
    assert store.get("dave") is None
    time.sleep(1.6)
    assert store.get("carol") is None and store.keys() == []
    store.close()
