"""Webhook messages answered at most once: Twilio's MessageSid and Meta's message id are remembered for a
window, so a captured, correctly signed request that is sent again gets no answer (otherwise whoever
replays it receives the user's reply). Rasa-free.

Only a keyed hash of each id is kept, in memory, oldest first; past `max_entries` the oldest are
forgotten early (only genuinely signed messages are recorded, so that takes real traffic, not forgeries)."""
from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from typing import Callable

Clock = Callable[[], float]
DEFAULT_MAX_ENTRIES = 100_000
DIGEST_BYTES = 16


class ReplayGuard:
    def __init__(self, key: bytes, window_seconds: float, max_entries: int = DEFAULT_MAX_ENTRIES,
                 clock: Clock = time.monotonic) -> None:
        self._key = key
        self._window = window_seconds
        self._max_entries = max(1, max_entries)
        self._clock = clock
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def first_time(self, channel: str, message_id: str) -> bool:
        """True the first time `message_id` of `channel` is seen within the window (and records it)."""
        now = self._clock()
        self._expire(now)
        digest = hmac.new(self._key, f"replay:{channel}:{message_id}".encode("utf-8", "surrogatepass"), hashlib.sha256)
        token = digest.digest()[:DIGEST_BYTES]
        if token in self._seen:
            return False
        self._seen[token] = now
        while len(self._seen) > self._max_entries:
            self._seen.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._seen)

    def _expire(self, now: float) -> None:
        # Insertion order is time order, so the expired entries are all at the front.
        while self._seen:
            oldest = next(iter(self._seen.values()))
            if now - oldest < self._window:
                break
            self._seen.popitem(last=False)


def is_recent(sent_unix_seconds: object, window_seconds: float, now: float | None = None) -> bool:
    """True when a webhook's own send time (Meta's `timestamp`, unix seconds) is within the window.
    A missing or unreadable time counts as old: Meta always sends one, and only a replay would lack it."""
    text = str(sent_unix_seconds)
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        return False
    sent = int(text)
    current = time.time() if now is None else now
    return current - sent <= window_seconds
