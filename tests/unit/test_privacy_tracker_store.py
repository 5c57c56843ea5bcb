"""The Rasa tracker store: keeps a minimised window under a keyed hash, expires it, and forgets on request."""
from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CONVERSATION_STORE_URL", f"sqlite:///{tmp_path / 'conversations.sqlite3'}")
    from settings import get_settings

    get_settings.cache_clear()
    from rasa.shared.core.domain import Domain

    from bot.privacy_store import PrivacyTrackerStore

    domain = Domain.from_yaml("version: '3.1'\nslots:\n  language:\n    type: text\n    mappings: []\n")
    yield PrivacyTrackerStore(domain=domain), tmp_path / "conversations.sqlite3"
    get_settings.cache_clear()


def tracker_with(sender: str, texts: list[str]):  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for text in texts:
        events += [UserUttered(text, {"name": "greet", "confidence": 1.0}), SlotSet("language", "en"),
                   ActionExecuted("utter_greet"), BotUttered(f"Hello {text}", metadata={"utter_action": "utter_greet"}),
                   ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events(sender, events)


def test_nothing_typed_is_stored_and_the_window_is_bounded(store) -> None:  # type: ignore[no-untyped-def]
    tracker_store, db = store
    tracker = tracker_with("whatsapp:+351911111111", [f"message {i} from Amina" for i in range(50)])
    asyncio.run(tracker_store.save(tracker))
    raw = db.read_bytes() + (db.with_name(db.name + "-wal").read_bytes() if db.with_name(db.name + "-wal").exists() else b"")
    assert b"Amina" not in raw and b"351911111111" not in raw
    restored = asyncio.run(tracker_store.retrieve("whatsapp:+351911111111"))
    assert restored.get_slot("language") == "en"
    assert len([e for e in restored.events if e.type_name == "user"]) == 4


def test_a_silent_conversation_expires_and_is_purged(store, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    tracker_store, db = store
    asyncio.run(tracker_store.save(tracker_with("sender-1", ["hello"])))
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert asyncio.run(tracker_store.retrieve("sender-1")) is None
    assert tracker_store._store.purge_expired() == 1
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM conversation").fetchone()[0] == 0


def test_forget_me_erases_the_conversation(store) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import ActionExecuted

    tracker_store, _ = store
    tracker = tracker_with("sender-2", ["hello"])
    asyncio.run(tracker_store.save(tracker))
    tracker.update(ActionExecuted("action_forget_me"))
    asyncio.run(tracker_store.save(tracker))
    assert asyncio.run(tracker_store.retrieve("sender-2")) is None
    assert list(asyncio.run(tracker_store.keys())) == []


def test_a_slow_database_does_not_stall_other_conversations(store) -> None:  # type: ignore[no-untyped-def]
    """The store's blocking calls run in worker threads: while one conversation waits on a slow disk, the
    event loop keeps serving the others."""
    tracker_store, _ = store
    backend = tracker_store._store
    slow_get, slow_put = backend.get, backend.put

    def sleepy(call):  # type: ignore[no-untyped-def]
        def wrapped(*arguments):  # type: ignore[no-untyped-def]
            time.sleep(0.3)
            return call(*arguments)
        return wrapped

    backend.get, backend.put = sleepy(slow_get), sleepy(slow_put)

    async def meanwhile() -> int:
        ticks = 0
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1
        return ticks

    async def both() -> tuple[object, int, int]:
        ticker = asyncio.create_task(meanwhile())
        await tracker_store.save(tracker_with("rest-slow", ["hi"]))
        restored = await tracker_store.retrieve("rest-slow")
        return restored, ticker.done(), await ticker

    restored, ticker_finished_first, ticks = asyncio.run(both())
    assert restored is not None and restored.get_slot("language") == "en"
    assert ticker_finished_first and ticks == 20  # 0.2 s of ticks finished inside 0.6 s of database calls
