"""Keeps the `language` slot: the language of the conversation."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import latest_entity_values, latest_language
from i18n.conversation_language import choose_language


class ActionDetectLanguage(Action):
    """Runs after every user message (custom slot mapping of `language`)."""

    def name(self) -> str:
        return "action_detect_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        detected: dict[str, Any] = latest_language(tracker)
        asked_for = latest_entity_values(tracker, "language")
        explicit = asked_for[0] if tracker.get_intent_of_latest_message() == "change_language" and asked_for else None
        chosen = choose_language(
            current=tracker.get_slot("language"),
            detected=detected.get("code"),
            confidence=float(detected.get("confidence") or 0.0),
            word_count=len((tracker.latest_message.get("text") or "").split()),
            explicit=explicit,
        )
        if chosen is None or chosen == tracker.get_slot("language"):
            return []
        return [SlotSet("language", chosen)]
