"""Session ids for the REST channel, issued by the server and signed, so that nobody can take over
another conversation by sending its id: an id the server did not issue is refused, and so is one older
than REST_SESSION_HOURS (a leaked id stops working by itself).

An id is `nonce.issued.signature`: `issued` is the issue time in whole unix minutes, and the signature
(HMAC-SHA256 with SESSION_SIGNING_KEY, not the pseudonym key) covers both the nonce and that time, so the
age cannot be edited."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import time
from enum import Enum

from privacy.constant_time import secrets_equal

SIGNATURE_CHARS = 32
NONCE_CHARS = 32
HEX_DIGITS = frozenset(string.hexdigits)
# Replicas' clocks may differ a little; an id from further in the future than this was not ours.
CLOCK_SKEW_MINUTES = 5


class SessionCheck(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def _signature(nonce: str, issued: str, key: bytes) -> str:
    return hmac.new(key, f"rest-session:{nonce}:{issued}".encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def _minutes(now: float | None) -> int:
    return int((time.time() if now is None else now) // 60)


def issue_session(key: bytes, now: float | None = None) -> str:
    nonce = secrets.token_hex(NONCE_CHARS // 2)
    issued = str(_minutes(now))
    return f"{nonce}.{issued}.{_signature(nonce, issued, key)}"


def check_session(session: str, key: bytes, max_age_hours: float, now: float | None = None) -> SessionCheck:
    parts = session.split(".")
    if len(parts) != 3:
        return SessionCheck.UNKNOWN
    nonce, issued, signature = parts
    # ASCII digits only: int() would also read other scripts' digits, which we never issue.
    if len(nonce) != NONCE_CHARS or not HEX_DIGITS.issuperset(nonce):
        return SessionCheck.UNKNOWN
    if not (issued.isascii() and issued.isdigit() and len(issued) <= 12):
        return SessionCheck.UNKNOWN
    if not secrets_equal(signature, _signature(nonce, issued, key)):
        return SessionCheck.UNKNOWN
    age_minutes = _minutes(now) - int(issued)
    if age_minutes < -CLOCK_SKEW_MINUTES:
        return SessionCheck.UNKNOWN
    if age_minutes > max_age_hours * 60:
        return SessionCheck.EXPIRED
    return SessionCheck.VALID
