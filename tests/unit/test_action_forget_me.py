"""action_forget_me: it only confirms; the erasure itself is the tracker store's, keyed on this action's
name (privacy/redaction.ERASE_ACTION), so the name is part of the contract."""
from __future__ import annotations

from actions.privacy import ActionForgetMe
from privacy.redaction import ERASE_ACTION
from tests.unit.tracker_fixtures import button, responses, run, said, tracker


def test_the_action_is_the_one_the_store_erases_on() -> None:
    assert ActionForgetMe().name() == ERASE_ACTION == "action_forget_me"


def test_delete_my_data_is_confirmed_and_sets_nothing() -> None:
    latest = said("please delete my data", "forget_me")
    messages, events = run(ActionForgetMe(), tracker(latest, {"service_category": "health", "place": "Alfama",
                                                              "language": "en"}))
    assert responses(messages) == ["utter_forget_done"]
    assert events == []


def test_the_delete_button_offered_after_a_safety_check_is_confirmed_the_same_way() -> None:
    # utter_safety_check with offer_delete shows a /forget_me button; its payload skips the pipeline.
    messages, events = run(ActionForgetMe(), tracker(button("forget_me"), {"safety_state": "checked"}))
    assert responses(messages) == ["utter_forget_done"]
    assert events == []
