"""Finds the nearest matching services to a place the user named."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import latest_entity_values
from actions.dependencies import directory, gazetteer
from services_db.places import distinct_places, qualified_name
from services_db.listing import SearchFilters
from settings import get_settings


def find_services(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Shared by the find-service action and the fallback (a bare place name after "where are you?")."""
    settings = get_settings()
    category = next(iter(latest_entity_values(tracker, "service_category")), None) or tracker.get_slot(
        "service_category"
    )
    place_name = next(iter(latest_entity_values(tracker, "place")), None) or tracker.get_slot("place")
    events: list[EventType] = [SlotSet("service_category", category)] if category else []
    if not place_name:
        dispatcher.utter_message(response="utter_ask_place")
        return events
    places = gazetteer().lookup(place_name)
    if not places:
        # Not one of our places: it may be free text (a "/find_service" payload typed by hand), which must
        # not stay in the conversation store.
        dispatcher.utter_message(response="utter_unknown_place")
        return [*events, SlotSet("place", None)]
    choices = distinct_places(places)
    if len(choices) > 1:
        # The same name in several towns: ask which one, with a button for each.
        dispatcher.utter_message(response="utter_choose_place", places=[qualified_name(p) for p in choices])
        return [*events, SlotSet("place", None)]
    place = choices[0]
    events.append(SlotSet("place", place.name))
    matches = directory().nearest(
        place.point,
        k=settings.results_count,
        filters=SearchFilters(category=category),
        max_radius_m=settings.search_radius_km * 1000,
    )
    if not matches:
        dispatcher.utter_message(response="utter_no_services", category=category, place=place.name)
        return events
    dispatcher.utter_message(
        response="utter_service_results",
        category=category,
        place=place.name,
        results=[{"service_id": m.listing.id, "distance_m": round(m.distance_m)} for m in matches],
    )
    return events


class ActionFindService(Action):
    def name(self) -> str:
        return "action_find_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return find_services(dispatcher, tracker)
