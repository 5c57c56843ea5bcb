"""Finds the nearest matching services to a place the user named."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import latest_entity_values
from actions.dependencies import directory, gazetteer
from contract import ENTITY_PLACE, ENTITY_SERVICE_CATEGORY, METADATA_LOCATION, SLOT_PLACE, SLOT_SERVICE_CATEGORY
from replies.listing_payload import results_arguments
from services_db.geo import Point
from services_db.places import distinct_places, nearest_place, qualified_name
from services_db.freshness import hide_before
from services_db.listing import SearchFilters
from settings import get_settings


def find_services(
    dispatcher: CollectingDispatcher, tracker: Tracker, category: str | None = None
) -> list[EventType]:
    """Shared by the find-service action, the rights answer (a place was named) and the fallback (a bare
    place name after "where are you?")."""
    category = category or next(iter(latest_entity_values(tracker, ENTITY_SERVICE_CATEGORY)), None) or tracker.get_slot(
        SLOT_SERVICE_CATEGORY
    )
    events: list[EventType] = [SlotSet(SLOT_SERVICE_CATEGORY, category)] if category else []
    pin = ((tracker.latest_message.get("metadata") or {}).get(METADATA_LOCATION)) or None
    if pin:
        # A shared location: used for this one search, named back by the nearest neighbourhood, and kept
        # nowhere (no slot: a neighbourhood is finer than the 0.1 degree we allow in any store).
        point = Point(float(pin["latitude"]), float(pin["longitude"]))
        named = nearest_place(gazetteer(), point)
        return events + _search(dispatcher, point, named.name if named else "", category)
    place_name = next(iter(latest_entity_values(tracker, ENTITY_PLACE)), None) or tracker.get_slot(SLOT_PLACE)
    if not place_name:
        dispatcher.utter_message(response="utter_ask_place")
        return events
    places = gazetteer().lookup(place_name)
    if not places:
        # Not one of our places: it may be free text (a "/find_service" payload typed by hand), which must
        # not stay in the conversation store.
        dispatcher.utter_message(response="utter_unknown_place")
        return [*events, SlotSet(SLOT_PLACE, None)]
    choices = distinct_places(places)
    if len(choices) > 1:
        # The same name in several towns: ask which one, with a button for each.
        dispatcher.utter_message(response="utter_choose_place", places=[qualified_name(p) for p in choices])
        return [*events, SlotSet(SLOT_PLACE, None)]
    place = choices[0]
    events.append(SlotSet(SLOT_PLACE, place.name))
    return events + _search(dispatcher, place.point, place.name, category)


def _search(dispatcher: CollectingDispatcher, point: Point, place_name: str, category: str | None) -> list[EventType]:
    settings = get_settings()
    matches = directory().nearest(
        point,
        k=settings.results_count,
        # Listings nobody has confirmed for too long are not offered: a stale address is a closed door.
        filters=SearchFilters(category=category, assured_after=hide_before(settings)),
        max_radius_m=settings.search_radius_km * 1000,
    )
    if not matches:
        dispatcher.utter_message(response="utter_no_services", category=category, place=place_name)
        return []
    dispatcher.utter_message(
        response="utter_service_results",
        category=category,
        place=place_name,
        results=results_arguments(matches),
    )
    return []


class ActionFindService(Action):
    def name(self) -> str:
        return "action_find_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return find_services(dispatcher, tracker)
