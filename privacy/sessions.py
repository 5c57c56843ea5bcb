"""Session ids for the REST channel, issued by the server and signed, so that nobody can take over
another conversation by sending its id: an id the server did not issue is refused."""
from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_CHARS = 32


def _signature(nonce: str, key: bytes) -> str:
    return hmac.new(key, f"rest-session:{nonce}".encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def issue_session(key: bytes) -> str:
    nonce = secrets.token_hex(16)
    return f"{nonce}.{_signature(nonce, key)}"


def is_genuine(session: str, key: bytes) -> bool:
    nonce, _, signature = session.partition(".")
    return bool(nonce) and len(signature) == SIGNATURE_CHARS and hmac.compare_digest(signature, _signature(nonce, key))
