"""Answers a message the safety layer flagged (intent `emergency`), and the yes/no that follows.

- A clear danger gets its category's reply: what to do now and the right number, then a person.
- An uncertain signal gets the gentle check "are you safe right now?" with the emergency number.
- An `emergency` from a button or from the intent model alone, with no verdict, is treated as danger now:
  the person pressed "I need help now" or said so in words the detector missed.
`safety_state` remembers which of the two was shown, for one turn: "yes" after the check means "I am
safe", "no" means "I am not"; after an emergency reply "yes" means "a person, please"."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from contract import AFFIRM, FORGET_ME, PARSE_SAFETY, SAFETY_HELD_INTENT, SLOT_SAFETY_STATE
from safety.categories import CATEGORIES, DANGER, IMMEDIATE_DANGER

STATE_SLOT = SLOT_SAFETY_STATE
CHECKED = "checked"
WARNED = "warned"


def _verdict(tracker: Tracker) -> dict[str, Any] | None:
    verdict = tracker.latest_message.get(PARSE_SAFETY)
    return verdict if isinstance(verdict, dict) else None


def utter_danger(dispatcher: CollectingDispatcher, category: str | None) -> list[EventType]:
    dispatcher.utter_message(response="utter_safety", category=category if category in CATEGORIES else IMMEDIATE_DANGER)
    return [SlotSet(STATE_SLOT, WARNED)]


class ActionSafety(Action):
    def name(self) -> str:
        return "action_safety"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        verdict = _verdict(tracker)
        if verdict is not None and verdict.get("level") != DANGER:
            # Uncertain, or the intent model alone: ask, never assume; offer a held deletion as a button.
            dispatcher.utter_message(response="utter_safety_check",
                                     offer_delete=verdict.get(SAFETY_HELD_INTENT) == FORGET_ME)
            return [SlotSet(STATE_SLOT, CHECKED)]
        return utter_danger(dispatcher, (verdict or {}).get("category"))


class ActionSafetyFollowUp(Action):
    def name(self) -> str:
        return "action_safety_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        said_yes = (tracker.latest_message.get("intent") or {}).get("name") == AFFIRM
        if tracker.get_slot(STATE_SLOT) == CHECKED:
            if said_yes:
                dispatcher.utter_message(response="utter_safety_glad")
                return [SlotSet(STATE_SLOT, None)]
            return utter_danger(dispatcher, IMMEDIATE_DANGER)
        dispatcher.utter_message(response="utter_handoff" if said_yes else "utter_safety_stay")
        return [SlotSet(STATE_SLOT, None)]

