"""action_fallback (after nlu_fallback, or Rasa's core fallback) on trackers as Rasa sends them: a language
we do not speak is told so, a bare place name answers "where are you?" with a search, anything else gets
the plain "I did not understand"."""
from __future__ import annotations

import pytest

from actions.fallback import ActionFallback
from bot.langid.core import OTHER, UNDETERMINED
from tests.unit.tracker_fixtures import (
    expected_rows, place_point, responses, result_rows, run, said, slot_events, tracker,
)
from tests.unit.tracker_fixtures import directory_db  # noqa: F401  (a fixture)


def test_a_language_we_do_not_speak_gets_the_list_of_ours() -> None:
    latest = said("Ich brauche einen Arzt ohne Papiere", "nlu_fallback", language=OTHER)
    messages, events = run(ActionFallback(), tracker(latest, {"language": "en"}))
    assert responses(messages) == ["utter_unsupported_language"]
    assert events == []


def test_a_bare_place_name_after_where_are_you_searches_the_remembered_category(directory_db: str) -> None:
    latest = said("Mouraria", "nlu_fallback", [("place", "Mouraria")], language="pt")
    messages, events = run(ActionFallback(), tracker(latest, {"service_category": "food", "language": "en"}))
    assert responses(messages) == ["utter_service_results"]
    assert (messages[0]["category"], messages[0]["place"]) == ("food", "Mouraria")
    assert result_rows(messages[0]) == expected_rows(place_point("Mouraria"), "food")
    assert slot_events(events) == [("service_category", "food"), ("place", "Mouraria")]


def test_a_bare_place_name_with_no_category_searches_every_kind(directory_db: str) -> None:
    latest = said("Alfama", "nlu_fallback", [("place", "Alfama")])
    messages, events = run(ActionFallback(), tracker(latest))
    assert responses(messages) == ["utter_service_results"]
    assert result_rows(messages[0]) == expected_rows(place_point("Alfama"), None)
    assert slot_events(events) == [("place", "Alfama")]


def test_a_place_spelling_the_gazetteer_does_not_know_asks_again_and_clears_it(directory_db: str) -> None:
    # The entity only comes from the lexicon, so this is a stale extractor or a typed payload.
    latest = said("Alfamma", "nlu_fallback", [("place", "Alfamma")])
    messages, events = run(ActionFallback(), tracker(latest, {"service_category": "health"}))
    assert responses(messages) == ["utter_unknown_place"]
    assert slot_events(events) == [("service_category", "health"), ("place", None)]


@pytest.mark.parametrize("text, language", [("asdkjh qwe", "en"), ("🙂🙂", UNDETERMINED), ("hmm", "en")])
def test_anything_else_gets_the_plain_fallback(text: str, language: str) -> None:
    messages, events = run(ActionFallback(), tracker(said(text, "nlu_fallback", language=language),
                                                     {"service_category": "health", "place": "Alfama"}))
    assert responses(messages) == ["utter_fallback"]
    assert events == []


def test_a_button_payload_with_no_language_detected_is_not_an_unsupported_language() -> None:
    # Rasa's core fallback (RulePolicy core_fallback_action_name) can follow a payload, which has no
    # `language` key at all.
    latest = said("/nonsense", "nlu_fallback")
    del latest["language"]
    messages, _ = run(ActionFallback(), tracker(latest))
    assert responses(messages) == ["utter_fallback"]
