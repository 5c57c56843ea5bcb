"""Sender ids are keyed hashes of the channel's id (a phone number, a socket id): the raw id never
reaches Rasa, a store or a log. Rotating SENDER_HASH_KEY simply starts everyone afresh."""
from __future__ import annotations

import hashlib
import hmac


def pseudonymise(channel: str, raw_sender_id: str, key: bytes) -> str:
    # surrogatepass: an id from a JSON body may hold a lone surrogate; it must hash, not raise.
    digest = hmac.new(key, f"{channel}:{raw_sender_id}".encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return f"{channel}-{digest[:40]}"
