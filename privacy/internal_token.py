"""The shared token that the Rasa server presents to the action server and the NLG endpoint, so that
nothing else on the machine can run actions or read replies."""
from __future__ import annotations

from privacy.constant_time import secrets_equal

HEADER = "Authorization"
SCHEME = "Bearer "


def is_authorised(header_value: str | None, token: str) -> bool:
    if not token:
        return False
    presented = (header_value or "").removeprefix(SCHEME)
    return secrets_equal(presented, token)
