"""The safety actions (actions/safety.py), run on trackers built from dicts as Rasa sends them: which
response they name, with which category, and what they remember for the next turn."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.safety import ActionSafety, ActionSafetyFollowUp


def tracker(intent: str, safety: dict[str, Any] | None = None, state: str | None = None) -> Tracker:
    latest: dict[str, Any] = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "text": "..."}
    if safety is not None:
        latest["safety"] = safety
    return Tracker.from_dict({"sender_id": "pseudonym", "slots": {"safety_state": state, "language": "en"},
                              "latest_message": latest, "events": [], "paused": False,
                              "latest_input_channel": "rest", "active_loop": {}, "latest_action_name": "action_listen"})


def run(action: Any, current: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, {}))
    return dispatcher.messages, events


@pytest.mark.parametrize("category", ["self_harm", "violence_now", "medical_emergency", "trafficking_confinement",
                                      "child_at_risk", "immediate_danger"])
def test_a_clear_danger_gets_its_category_reply(category: str) -> None:
    messages, events = run(ActionSafety(), tracker("emergency", {"category": category, "confidence": 0.97,
                                                                 "level": "danger"}))
    assert [(m["response"], m["category"]) for m in messages] == [("utter_safety", category)]
    assert events == [SlotSet("safety_state", "warned")]


def test_an_uncertain_signal_gets_the_gentle_check_never_a_guess() -> None:
    messages, events = run(ActionSafety(), tracker("emergency", {"category": "self_harm", "confidence": 0.3,
                                                                 "level": "check"}))
    assert [(m["response"], m["offer_delete"]) for m in messages] == [("utter_safety_check", False)]
    assert events == [SlotSet("safety_state", "checked")]


def test_a_held_deletion_is_offered_as_a_button_not_carried_out() -> None:
    messages, _ = run(ActionSafety(), tracker("emergency", {"category": None, "confidence": 0.2, "level": "check",
                                                            "held_intent": "forget_me"}))
    assert [(m["response"], m["offer_delete"]) for m in messages] == [("utter_safety_check", True)]


def test_the_intent_model_alone_gets_the_check_and_a_button_gets_the_emergency_reply() -> None:
    model_only, _ = run(ActionSafety(), tracker("emergency", {"category": None, "confidence": 0.01, "level": "none"}))
    assert model_only[0]["response"] == "utter_safety_check"
    button, _ = run(ActionSafety(), tracker("emergency"))  # "/emergency" typed or tapped: no verdict
    assert (button[0]["response"], button[0]["category"]) == ("utter_safety", "immediate_danger")


def test_no_after_the_check_means_not_safe() -> None:
    messages, events = run(ActionSafetyFollowUp(), tracker("deny", state="checked"))
    assert [(m["response"], m["category"]) for m in messages] == [("utter_safety", "immediate_danger")]
    assert events == [SlotSet("safety_state", "warned")]


def test_yes_after_the_check_means_safe() -> None:
    messages, events = run(ActionSafetyFollowUp(), tracker("affirm", state="checked"))
    assert [m["response"] for m in messages] == ["utter_safety_glad"]
    assert events == [SlotSet("safety_state", None)]


@pytest.mark.parametrize("intent, response", [("affirm", "utter_handoff"), ("deny", "utter_safety_stay")])
def test_after_an_emergency_reply_yes_is_a_person_and_no_is_calm(intent: str, response: str) -> None:
    messages, _ = run(ActionSafetyFollowUp(), tracker(intent, state="warned"))
    assert [m["response"] for m in messages] == [response]
