"""Answers "what am I entitled to?" with the rights topic for the intent."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from knowledge.repository import topic_for_intent


class ActionAnswerRights(Action):
    def name(self) -> str:
        return "action_answer_rights"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = topic_for_intent(tracker.get_intent_of_latest_message() or "")
        if topic is None:
            dispatcher.utter_message(response="utter_fallback")
            return []
        dispatcher.utter_message(response="utter_rights_answer", topic=topic.id)
        # Remember the topic's category so that "yes" to the offer searches the right kind of place.
        return [SlotSet("service_category", topic.service_category)] if topic.service_category else []
