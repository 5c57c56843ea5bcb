"""Translation quality checks that a machine can make: nothing left untranslated, placeholders kept,
plural forms valid, buttons short enough, and no English left in another language's catalog."""
from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from bot.langid.core import LanguageIdentifier
from bot.langid.training import load_or_train
from i18n.catalog_tools import _po_path, catalog_languages, check
from settings import ROOT
from tests.conftest import state_dir

BUTTON_LIMIT = 20


def catalog(language: str):  # type: ignore[no-untyped-def]
    with _po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def test_every_message_is_translated_with_the_same_placeholders() -> None:
    assert check() == []


def test_all_twelve_launch_languages_have_a_catalog() -> None:
    assert set(catalog_languages()) == {"fr", "es", "pt", "ar", "fa", "ps", "uk", "ru", "tr", "so", "ti"}


@pytest.mark.parametrize("language", ["fr", "es", "pt", "ar", "fa", "ps", "uk", "ru", "tr", "so", "ti"])
def test_plural_forms_are_valid_and_buttons_fit(language: str) -> None:
    messages = catalog(language)
    assert messages.num_plurals >= 1 and messages.plural_expr
    for message in messages:
        if message.id and message.context and (message.context.startswith("button.") or ".button." in message.context or
                                               (message.context.startswith("topic.") and message.context.endswith(".title"))):
            assert len(message.string) <= BUTTON_LIMIT, (language, message.context, message.string)


@pytest.mark.parametrize("language", ["fr", "es", "pt", "ar", "fa", "ps", "uk", "ru", "tr", "so", "ti"])
def test_no_english_is_left_in_the_catalog(language: str) -> None:
    identifier = LanguageIdentifier.load(load_or_train(ROOT / "data" / "nlu", state_dir() / "langid"))
    leftovers = []
    for message in catalog(language):
        if not message.id or not message.string or message.context.startswith("basis:"):
            continue
        if len(message.string.split()) >= 6:
            detection = identifier.identify(message.string)
            if detection.code == "en" and detection.confidence > 0.8:
                leftovers.append(message.context)
    assert leftovers == []
