"""What both WhatsApp channels share: numbered options the user can answer with a digit, and turning a
shared location into a search that uses it once and never stores it."""
from __future__ import annotations

import time
from typing import Any

from contract import FIND_SERVICE, METADATA_LOCATION, button_payload

OPTION_MEMORY_SECONDS = 30 * 60
LOCATION_SEARCH_PAYLOAD = button_payload(FIND_SERVICE)
LOCATION_KEY = METADATA_LOCATION  # kept for the code and tests that import it from here


def numbered_options(buttons: list[dict[str, Any]], first: int = 1) -> str:
    return "\n".join(f"{number}. {button.get('title', '')}" for number, button in enumerate(buttons, start=first))


class OptionMemory:
    """The payloads of the last options shown to each pseudonym, so that "2" means the second option.
    Kept in memory only, briefly: payloads are ours (intents and categories), never user text. Still part
    of the conversation, so "delete my data" forgets it too (the channel subscribes `forget` to
    privacy.erasure)."""

    def __init__(self, ttl_seconds: float = OPTION_MEMORY_SECONDS) -> None:
        self._options: dict[str, tuple[float, list[str]]] = {}
        self._ttl = ttl_seconds

    def remember(self, sender_id: str, buttons: list[dict[str, Any]]) -> None:
        now = time.monotonic()
        self._options = {k: v for k, v in self._options.items() if now - v[0] < self._ttl}
        if buttons:
            self._options[sender_id] = (now, [str(b.get("payload", "")) for b in buttons])

    def forget(self, sender_id: str) -> None:
        self._options.pop(sender_id, None)

    def resolve(self, sender_id: str, text: str) -> str:
        """The payload of option `text` if it is the number of one, else the text itself."""
        stored = self._options.get(sender_id)
        if stored and text.strip().isdigit() and time.monotonic() - stored[0] < self._ttl:
            index = int(text.strip()) - 1
            if 0 <= index < len(stored[1]):
                return stored[1][index]
        return text


def location_message(latitude: Any, longitude: Any) -> tuple[str, dict[str, Any]] | None:
    """A shared pin becomes a service search at that point. The exact point travels only in the message
    metadata, which the conversation store never keeps (privacy.redaction), and is used for this one search."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer of 10**309
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return LOCATION_SEARCH_PAYLOAD, {LOCATION_KEY: {"latitude": lat, "longitude": lon}}
