"""The shared token that the Rasa server presents to the action server and the NLG endpoint, so that
nothing else on the machine can run actions or read replies."""
from __future__ import annotations

import hmac

HEADER = "Authorization"
SCHEME = "Bearer "


def is_authorised(header_value: str | None, token: str) -> bool:
    if not token:
        return False
    presented = (header_value or "").removeprefix(SCHEME)
    return hmac.compare_digest(presented.encode(), token.encode())
