"""A per-key message budget (token bucket) kept in memory: `per_minute` messages at once, then one more
every 60/per_minute seconds. Rasa-free. Keys are pseudonyms or keyed hashes of addresses, never raw ids.

Memory stays bounded: a key whose bucket has filled up again holds nothing worth keeping and is dropped,
and past `max_keys` the least recently seen key goes first (an attacker cycling through addresses can
only make us forget, never make us grow)."""
from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from typing import Callable

Clock = Callable[[], float]
DEFAULT_MAX_KEYS = 100_000
PURGE_EVERY_SECONDS = 60.0


class Verdict(Enum):
    ALLOWED = "allowed"
    # The first refusal of a flood: the sender is told once, in their language, to slow down.
    REFUSED_TELL = "refused_tell"
    # Later refusals of the same flood: answered with nothing, so a flood cannot make us flood back.
    REFUSED_QUIET = "refused_quiet"

    @property
    def allowed(self) -> bool:
        return self is Verdict.ALLOWED


@dataclass
class _Bucket:
    tokens: float
    updated: float
    told: bool = False


class RateLimiter:
    def __init__(self, per_minute: int, max_keys: int = DEFAULT_MAX_KEYS, clock: Clock = time.monotonic) -> None:
        self._capacity = float(max(1, per_minute))
        self._per_second = self._capacity / 60.0
        self._max_keys = max(1, max_keys)
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._last_purge = clock()

    def check(self, key: str) -> Verdict:
        """Spends one message of `key`'s budget if there is one left."""
        now = self._clock()
        self._purge_now_and_then(now)
        bucket = self._refilled(key, now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ALLOWED
        if bucket.told:
            return Verdict.REFUSED_QUIET
        # `told` stays set until the bucket is full again (the sender really waited), so one flood gets
        # one warning even though a token trickles back every few seconds.
        bucket.told = True
        return Verdict.REFUSED_TELL

    def exhausted(self, key: str) -> bool:
        """True when `key` has no message left right now; spends nothing."""
        bucket = self._buckets.get(key)
        return bucket is not None and self._level(bucket, self._clock()) < 1.0

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` may send again (0 if it may now)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0
        missing = 1.0 - self._level(bucket, self._clock())
        return max(0, math.ceil(missing / self._per_second))

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)

    def __len__(self) -> int:
        return len(self._buckets)

    def _level(self, bucket: _Bucket, now: float) -> float:
        return min(self._capacity, bucket.tokens + (now - bucket.updated) * self._per_second)

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self._capacity, now)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return bucket
        self._buckets.move_to_end(key)
        bucket.tokens = self._level(bucket, now)
        bucket.updated = now
        if bucket.tokens >= self._capacity:
            bucket.told = False
        return bucket

    def _purge_now_and_then(self, now: float) -> None:
        if now - self._last_purge < PURGE_EVERY_SECONDS:
            return
        self._last_purge = now
        for key in [k for k, b in self._buckets.items() if self._level(b, now) >= self._capacity]:
            del self._buckets[key]
