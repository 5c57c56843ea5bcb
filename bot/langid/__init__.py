"""Language identification for short chat messages. Rasa-free: the Rasa component wraps it."""
from bot.langid.core import Detection, LanguageIdentifier

__all__ = ["Detection", "LanguageIdentifier"]
