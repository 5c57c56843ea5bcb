"""The Rasa process renders replies itself (bot/nlg.py): in the conversation's language, for the channel in
use, from the arguments the action server sent, and never leaves a person in silence."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg import CatalogNaturalLanguageGenerator
from i18n.bidi import strip_isolates
from i18n.catalogs import translate
from replies.listing_payload import results_arguments
from services_db.geo import Point
from services_db.listing import ServiceListing, ServiceMatch, WeeklyHours


def tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("rest-test", list(events), slots=[AnySlot("language", mappings=[])])


def said(code: str, weak: bool = False) -> UserUttered:
    return UserUttered("…", {"name": "greet", "confidence": 1.0},
                       parse_data={"language": {"code": code, "confidence": 0.9, **({"weak": True} if weak else {})}})


def generate(response: str, conversation: DialogueStateTracker, channel: str = "rest", **arguments: Any) -> dict:
    reply = asyncio.run(CatalogNaturalLanguageGenerator().generate(response, conversation, channel, **arguments))
    assert reply is not None
    return {**reply, "text": strip_isolates(reply["text"])}


def test_the_language_slot_decides_the_reply_language() -> None:
    reply = generate("utter_greet", tracker(said("en"), SlotSet("language", "fr")))
    assert reply["text"].startswith(translate("greet.hello", "fr"))
    assert reply["custom"]["language"] == "fr" and reply["custom"]["direction"] == "ltr"
    assert reply["buttons"][0] == {"title": translate("button.health", "fr"), "payload": "/ask_health"}


def test_without_the_slot_the_last_clear_detection_decides_and_right_to_left_is_marked() -> None:
    reply = generate("utter_thank", tracker(said("ar"), said("en", weak=True)))
    assert reply["text"] == strip_isolates(translate("thank", "ar"))
    assert reply["custom"] == {"language": "ar", "direction": "rtl"}


def test_the_channel_in_use_changes_what_the_greeting_says() -> None:
    whatsapp = generate("utter_greet", tracker(said("pt")), channel="meta_whatsapp")["text"]
    web = generate("utter_greet", tracker(said("pt")), channel="rest")["text"]
    notice = strip_isolates(translate("greet.privacy.whatsapp", "pt"))
    assert notice in whatsapp and notice not in web


def test_service_results_are_rendered_from_the_listings_the_action_sent() -> None:
    clinic = ServiceListing(
        id="svc-9", organization_name="", name="Centro de Saúde X", description="", category="health",
        names_by_language={"uk": "Медичний центр X"}, location=Point(38.7, -9.1), address="Rua A", timezone="Europe/Lisbon",
        phones=("+351 210 000 009",), languages_spoken=("uk",), hours=(WeeklyHours((0, 1, 2, 3, 4, 5, 6), dt.time(0), dt.time(23, 59)),),
        requires_id="no", firewall_pledge=False, free_of_charge=True, walk_in=True, is_sample=False)
    reply = generate("utter_service_results", tracker(SlotSet("language", "uk")), category="health", place="Alfama",
                     results=results_arguments([ServiceMatch(clinic, 420)]))
    assert "Медичний центр X" in reply["text"] and "+351 210 000 009" in reply["text"] and "420" in reply["text"]
    assert reply["custom"]["locations"] == [{"latitude": 38.7, "longitude": -9.1, "name": "Медичний центр X",
                                             "address": "Rua A"}]


def test_a_reply_that_cannot_be_rendered_becomes_the_honest_fallback_not_silence() -> None:
    for response, arguments in (("utter_no_such_thing", {}), ("utter_service_results", {"results": [{"listing": 1}]}),
                                ("utter_rights_answer", {"topic": "no_such_topic"})):
        reply = generate(response, tracker(SlotSet("language", "so")), **arguments)
        assert reply["text"].startswith(strip_isolates(translate("fallback", "so"))), response
        assert "Waxaad qof kula hadli kartaa" in reply["text"]  # the "talk to a person" line (handoff)
        assert [button["payload"] for button in reply["buttons"]][:2] == ["/ask_health", "/ask_education"]


def test_building_the_generator_loads_topics_and_catalogs_before_any_message() -> None:
    from i18n.catalogs import translations_for
    from knowledge.repository import all_topics

    all_topics.cache_clear()
    translations_for.cache_clear()
    CatalogNaturalLanguageGenerator()
    assert all_topics.cache_info().currsize == 1
    assert translations_for.cache_info().currsize >= 12
