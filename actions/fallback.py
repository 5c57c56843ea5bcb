"""When the message was not understood: a language we do not speak, a bare place name, or unclear."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import latest_entity_values, latest_language
from actions.services import find_services
from bot.langid.core import OTHER
from contract import ENTITY_PLACE


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if latest_language(tracker).get("code") == OTHER:
            dispatcher.utter_message(response="utter_unsupported_language")
            return []
        if latest_entity_values(tracker, ENTITY_PLACE):
            return find_services(dispatcher, tracker)
        dispatcher.utter_message(response="utter_fallback")
        return []
