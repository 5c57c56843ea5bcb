"""Which language the conversation continues in, given what the detector says about one message."""
from __future__ import annotations

from i18n.languages import is_supported

# A short message ("ok", "1", "salam") must be this sure to switch languages; a longer one less so.
SWITCH_CONFIDENCE_SHORT = 0.85
SWITCH_CONFIDENCE_LONG = 0.6
SHORT_MESSAGE_WORDS = 2


def choose_language(
    current: str | None, detected: str | None, confidence: float, word_count: int, explicit: str | None = None
) -> str | None:
    """The conversation's language after this message (None: not known yet)."""
    if explicit and is_supported(explicit):
        return explicit
    if not is_supported(detected):
        return current  # emoji, digits, or a language we do not speak: keep going as we were
    if current is None or detected == current:
        return detected
    needed = SWITCH_CONFIDENCE_SHORT if word_count <= SHORT_MESSAGE_WORDS else SWITCH_CONFIDENCE_LONG
    return detected if confidence >= needed else current
