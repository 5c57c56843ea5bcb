"""The launch languages and what we know about each of them."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale

# ISO 639-1 codes of the launch set (the contract in DESIGN.md).
SUPPORTED: tuple[str, ...] = ("en", "fr", "es", "pt", "ar", "fa", "ps", "uk", "ru", "tr", "so", "ti")
RIGHT_TO_LEFT: frozenset[str] = frozenset({"ar", "fa", "ps"})
DEFAULT_LANGUAGE = "en"


def is_supported(code: str | None) -> bool:
    return code in SUPPORTED


def normalise(code: str | None) -> str:
    """A supported code for `code`, falling back to the default language."""
    return code if code in SUPPORTED else DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def own_name(code: str) -> str:
    """The language's name written in the language itself ("العربية" for ar)."""
    return Locale.parse(code).get_display_name(code) or code


@lru_cache(maxsize=None)
def name_in(code: str, reader_language: str) -> str:
    """The name of language `code` as a reader of `reader_language` would write it."""
    locale = Locale.parse(normalise(reader_language))
    return locale.languages.get(code) or own_name(code)
