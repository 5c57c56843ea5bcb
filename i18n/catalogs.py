"""Looks up translated text in the compiled Babel catalogs (locales/<lang>/LC_MESSAGES/messages.mo)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel.support import NullTranslations, Translations

from i18n.languages import normalise
from i18n.sources import ROOT, english_by_key

LOCALES_DIR = ROOT / "locales"
DOMAIN = "messages"


class UnknownMessage(KeyError):
    """A key that no source file defines: a programming error, caught by the tests."""


@lru_cache(maxsize=None)
def translations_for(language: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), locales=[language], domain=DOMAIN)


def translate(key: str, language: str, **params: Any) -> str:
    """The message `key` in `language` (English if untranslated), with {placeholders} filled."""
    try:
        english = english_by_key()[key]
    except KeyError as error:
        raise UnknownMessage(key) from error
    text = translations_for(normalise(language)).pgettext(key, english)
    return text.format(**params) if params else text
