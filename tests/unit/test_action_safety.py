"""action_safety and action_safety_followup on trackers as Rasa sends them after the safety layer
(bot/components/safety_layer.py): the verdict is in latest_message["safety"] of every parsed message,
level "danger", "check" or "none"; a button payload has none. The followup reads the yes or no against the
`safety_state` the first action left, so the turns here carry the slots from one action to the next."""
from __future__ import annotations

from typing import Any

import pytest

from actions.safety import ActionSafety, ActionSafetyFollowUp
from safety.categories import CATEGORIES, IMMEDIATE_DANGER
from tests.unit.tracker_fixtures import button, responses, run, said, slot_events, tracker


def verdict(level: str, category: str | None = None, confidence: float = 0.9, **extra: Any) -> dict[str, Any]:
    return {"category": category, "confidence": confidence, "level": level, **extra}


def emergency(text: str, safety: dict[str, Any]) -> dict[str, Any]:
    # The safety layer replaces the intent with `emergency` (the ranking keeps the model's guesses).
    latest = said(text, "emergency", safety=safety)
    latest["intent"] = {"name": "emergency", "confidence": 1.0}
    return latest


def slots_after(slots: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    return {**slots, **dict(slot_events(events))}


@pytest.mark.parametrize("category", CATEGORIES)
def test_a_danger_verdict_gets_its_categorys_reply_and_is_remembered_as_warned(category: str) -> None:
    messages, events = run(ActionSafety(), tracker(emergency("...", verdict("danger", category, 0.97))))
    assert [(m["response"], m["category"]) for m in messages] == [("utter_safety", category)]
    assert slot_events(events) == [("safety_state", "warned")]


@pytest.mark.parametrize("category", [None, "not_a_category"])
def test_a_danger_of_no_known_category_gets_the_immediate_danger_reply(category: str | None) -> None:
    messages, _ = run(ActionSafety(), tracker(emergency("...", verdict("danger", category))))
    assert [(m["response"], m["category"]) for m in messages] == [("utter_safety", IMMEDIATE_DANGER)]


def test_an_uncertain_verdict_gets_the_check_and_is_remembered_as_checked() -> None:
    messages, events = run(ActionSafety(), tracker(emergency("I can't go on like this", verdict("check", "self_harm", 0.4))))
    assert [(m["response"], m["offer_delete"]) for m in messages] == [("utter_safety_check", False)]
    assert "category" not in messages[0]  # the check never names what it guessed
    assert slot_events(events) == [("safety_state", "checked")]


def test_a_held_deletion_is_offered_in_the_check() -> None:
    held = verdict("check", None, 0.2, held_intent="forget_me")
    messages, events = run(ActionSafety(), tracker(emergency("delete everything, he reads my phone", held)))
    assert [(m["response"], m["offer_delete"]) for m in messages] == [("utter_safety_check", True)]
    assert slot_events(events) == [("safety_state", "checked")]


def test_the_emergency_button_has_no_verdict_and_gets_the_immediate_danger_reply() -> None:
    # "I need help now" on the check sends /emergency: Rasa parses it itself, the safety layer never sees it.
    messages, events = run(ActionSafety(), tracker(button("emergency"), {"safety_state": "checked"}))
    assert [(m["response"], m["category"]) for m in messages] == [("utter_safety", IMMEDIATE_DANGER)]
    assert slot_events(events) == [("safety_state", "warned")]


def test_yes_after_the_check_is_i_am_safe_and_forgets_the_state() -> None:
    messages, events = run(ActionSafetyFollowUp(), tracker(said("yes", "affirm"), {"safety_state": "checked"}))
    assert responses(messages) == ["utter_safety_glad"]
    assert slot_events(events) == [("safety_state", None)]


def test_no_after_the_check_is_i_am_not_safe() -> None:
    messages, events = run(ActionSafetyFollowUp(), tracker(said("no", "deny"), {"safety_state": "checked"}))
    assert [(m["response"], m["category"]) for m in messages] == [("utter_safety", IMMEDIATE_DANGER)]
    assert slot_events(events) == [("safety_state", "warned")]


@pytest.mark.parametrize("reply, intent, response", [("yes", "affirm", "utter_handoff"),
                                                     ("no", "deny", "utter_safety_stay")])
def test_after_the_emergency_reply_yes_is_a_person_and_no_is_stay_safe(reply: str, intent: str, response: str) -> None:
    messages, events = run(ActionSafetyFollowUp(), tracker(said(reply, intent), {"safety_state": "warned"}))
    assert responses(messages) == [response]
    assert slot_events(events) == [("safety_state", None)]


def test_the_safe_button_on_the_check_is_read_as_yes() -> None:
    messages, _ = run(ActionSafetyFollowUp(), tracker(button("affirm"), {"safety_state": "checked"}))
    assert responses(messages) == ["utter_safety_glad"]


def test_a_whole_check_conversation_carries_its_state_from_turn_to_turn() -> None:
    slots: dict[str, Any] = {"language": "en"}
    messages, events = run(ActionSafety(), tracker(emergency("...", verdict("check", "violence_now", 0.5)), slots))
    assert responses(messages) == ["utter_safety_check"]
    slots = slots_after(slots, events)
    messages, events = run(ActionSafetyFollowUp(), tracker(said("no", "deny"), slots))
    assert (messages[0]["response"], messages[0]["category"]) == ("utter_safety", IMMEDIATE_DANGER)
    slots = slots_after(slots, events)
    assert slots["safety_state"] == "warned"
    messages, events = run(ActionSafetyFollowUp(), tracker(said("yes", "affirm"), slots))
    assert responses(messages) == ["utter_handoff"]
    assert slots_after(slots, events)["safety_state"] is None


def test_a_danger_right_after_a_check_is_answered_as_danger() -> None:
    messages, events = run(ActionSafety(), tracker(emergency("he is hitting me now", verdict("danger", "violence_now")),
                                                   {"safety_state": "checked"}))
    assert [(m["response"], m["category"]) for m in messages] == [("utter_safety", "violence_now")]
    assert slot_events(events) == [("safety_state", "warned")]
