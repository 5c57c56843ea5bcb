"""Deletes expired conversations on a timer, not only when the next message arrives: a conversation
nobody continues must still be gone CONVERSATION_TTL_MINUTES after its last message (plus this
interval), even on a quiet night."""
from __future__ import annotations

import logging
import threading

from privacy.conversation_store import ConversationStore

logger = logging.getLogger(__name__)


class Purger:
    """A daemon thread that calls store.purge_expired() at once and then every `every_seconds`."""

    def __init__(self, store: ConversationStore, every_seconds: float) -> None:
        self._store = store
        self._every = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="conversation-purger", daemon=True)

    def start(self) -> "Purger":
        self.purge_once()  # at start: what expired while the process was down goes first
        self._thread.start()
        return self

    def purge_once(self) -> int:
        try:
            return self._store.purge_expired()
        except Exception as error:  # noqa: BLE001 - a database hiccup must not kill the timer
            logger.error("Purging expired conversations failed: %s", type(error).__name__)
            return 0

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.purge_once()

    def stop(self) -> None:
        self._stop.set()
