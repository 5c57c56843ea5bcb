"""Answers "what am I entitled to?" with the rights topic for the intent (or the one a button named)."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import latest_entity_values
from actions.dependencies import ledger_sessions
from actions.services import find_services
from contract import (ENTITY_PLACE, ENTITY_SERVICE_CATEGORY, ENTITY_TOPIC, ENTITY_TOPIC_MENTION, ENTITY_TOPIC_VIEW,
                      SLOT_SERVICE_CATEGORY, TOPIC_VIEW_DETAIL)
from knowledge.repository import choose_topic, suggested_topics
from settings import get_settings
from staff.review_ledger import signed_on


class ActionAnswerRights(Action):
    def name(self) -> str:
        return "action_answer_rights"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = next(iter(latest_entity_values(tracker, ENTITY_TOPIC)), None)
        mentioned = latest_entity_values(tracker, ENTITY_TOPIC_MENTION)
        topic = choose_topic(
            tracker.get_intent_of_latest_message() or "",
            asked_topic=asked,
            categories=latest_entity_values(tracker, ENTITY_SERVICE_CATEGORY),
            mentioned=mentioned,
        )
        if topic is None:
            dispatcher.utter_message(response="utter_fallback")
            return []
        view = TOPIC_VIEW_DETAIL if TOPIC_VIEW_DETAIL in latest_entity_values(tracker, ENTITY_TOPIC_VIEW) else "answer"
        # A topic the message named under another question comes first among the buttons.
        dispatcher.utter_message(response="utter_rights_answer", topic=topic.id, view=view,
                                 suggest=suggested_topics(topic, mentioned))
        if view == "answer":
            # Whether a lawyer signed this exact version is read here, where the database is, so that the
            # reply renderer in the Rasa process needs none.
            dispatcher.utter_message(response="utter_rights_sources", topic=topic.id,
                                     signed_on=signed_on(ledger_sessions(), topic, get_settings().deployment_country))
        # Remember the topic's category so that "yes" to the offer searches the right kind of place.
        events: list[EventType] = (
            [SlotSet(SLOT_SERVICE_CATEGORY, topic.service_category)] if topic.service_category else []
        )
        if latest_entity_values(tracker, ENTITY_PLACE) and topic.service_category:
            # "I need a doctor in Alfama": the rights answer, and the places too, without a second question.
            named = next(iter(latest_entity_values(tracker, ENTITY_SERVICE_CATEGORY)), None)
            category = named or topic.service_category
            events += find_services(dispatcher, tracker, category=category)
        return events
