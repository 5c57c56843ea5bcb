"""When one message is evidence enough to change the conversation's language."""
from __future__ import annotations

from i18n.languages import is_supported

# A short message ("ok", "1", "salam") must be this sure to switch languages; a longer one less so.
SWITCH_CONFIDENCE_SHORT = 0.85
SWITCH_CONFIDENCE_LONG = 0.6
SHORT_MESSAGE_WORDS = 2


def sets_conversation_language(detected: str | None, confidence: float, word_count: int) -> bool:
    """True when the message's language should become (or stay) the conversation's language; otherwise
    the conversation keeps the language it had (emoji, "ok", an unsupported language, a weak guess)."""
    if not is_supported(detected):
        return False
    needed = SWITCH_CONFIDENCE_SHORT if word_count <= SHORT_MESSAGE_WORDS else SWITCH_CONFIDENCE_LONG
    return confidence >= needed
