"""Comparing secrets (tokens, signatures, session ids) in constant time, whatever text a client sends.

hmac.compare_digest raises TypeError on a str with non-ASCII characters, so a request carrying "é" in a
token would be a 500 instead of a refusal; text from JSON ("\\ud800") or from a header with invalid UTF-8
(Sanic keeps those bytes as surrogates) cannot even be encoded strictly. Both sides are compared as
UTF-8 bytes, surrogates passed through, so any such input is simply unequal."""
from __future__ import annotations

import hmac


def as_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def secrets_equal(presented: str, expected: str) -> bool:
    return hmac.compare_digest(as_bytes(presented), as_bytes(expected))
