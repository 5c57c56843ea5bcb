"""Which language a conversation is in: when one message is evidence enough to change it, and which one a
reply uses."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from i18n.languages import is_supported, normalise

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


def conversation_language(slot: object, detections_newest_first: Iterable[Mapping[str, Any]]) -> str:
    """The language to answer in: the `language` slot; before any message was clear enough to set it, the
    most recent supported language detected in the conversation; else, when every message was a word
    several languages share ("hello", "no": marked `weak`), the first one's; else the default.

    `detections_newest_first` are the `language` entries of the parsed user messages (the
    LanguageDetector's output), newest first."""
    if is_supported(slot):
        return str(slot)
    detected = [detection for detection in detections_newest_first if isinstance(detection, Mapping)]
    for detection in detected:
        if is_supported(detection.get("code")) and not detection.get("weak"):
            return str(detection["code"])
    for detection in reversed(detected):
        if is_supported(detection.get("code")):
            return str(detection["code"])
    return normalise(None)
