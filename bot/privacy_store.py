"""Rasa tracker store that keeps only the last few exchanges of the current session, minimised (see
privacy.redaction), under a keyed hash of the sender id, expires it after CONVERSATION_TTL_MINUTES of
silence (a background purge deletes it, and one at start), and erases the whole conversation when the
user asks (action_forget_me), telling every per-channel memory to forget it too (privacy.erasure).

The store's calls block (SQLite, PostgreSQL, Redis clients): they run in worker threads, so that one slow
disk or database never stalls every other conversation on the event loop."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Iterable, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from privacy.conversation_store import open_conversation_store
from privacy.erasure import announce_erasure
from privacy.pseudonym import pseudonymise
from privacy.purger import Purger
from privacy.redaction import asks_for_erasure, bounded_window, current_session, minimise_event
from settings import get_settings

logger = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 60.0
KEEP_USER_TURNS = 4


class PrivacyTrackerStore(TrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker)
        settings = get_settings()
        self._settings = settings
        self._store = open_conversation_store(settings.conversation_store_url, settings.conversation_ttl_minutes * 60.0)
        self._purger = Purger(self._store, PURGE_EVERY_SECONDS).start()

    def _key(self, sender_id: Text) -> str:
        return pseudonymise("store", sender_id, self._settings.sender_hash_key)

    async def save(self, tracker: DialogueStateTracker) -> None:
        events = [event.as_dict() for event in tracker.events]
        key = self._key(tracker.sender_id)
        try:
            if asks_for_erasure(events):
                await asyncio.to_thread(self._store.delete, key)
                announce_erasure(tracker.sender_id)
            else:
                window = bounded_window(current_session(events), tracker.current_slot_values(), KEEP_USER_TURNS)
                minimal = [minimise_event(event) for event in window]
                await asyncio.to_thread(self._store.put, key, json.dumps(minimal, ensure_ascii=False))
        except Exception as error:  # noqa: BLE001 - see below
            # Not re-raised: Rasa would then keep the whole tracker, words and all, in an in-memory
            # fallback store. This turn's context is lost instead, and the log says only what failed.
            logger.error("Saving a conversation failed: %s", type(error).__name__)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        stored = await asyncio.to_thread(self._store.get, self._key(sender_id))
        if stored is None:
            return None
        return DialogueStateTracker.from_dict(sender_id, json.loads(stored), self.domain.slots)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self.retrieve(conversation_id)

    async def keys(self) -> Iterable[Text]:
        # Keys are one-way hashes: they cannot be turned back into sender ids, on purpose.
        return await asyncio.to_thread(self._store.keys)


class KeepNothingTrackerStore(TrackerStore):
    """What Rasa's fail-safe layer falls back to when ours fails (bot.channels.process_guard): nothing
    is kept, so nothing is kept outside our rules."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        return None

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return None

    async def keys(self) -> Iterable[Text]:
        return []
