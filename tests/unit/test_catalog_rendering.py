from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from i18n.catalogs import translate
from i18n.formatting import distance
from i18n.languages import own_name
from replies.catalog_replies import BadArguments, RenderContext, render
from replies.listing_payload import listing_json, results_arguments
from services_db.geo import Point
from services_db.listing import ServiceListing, ServiceMatch, WeeklyHours
from services_db.opening_hours import status_at
from settings import get_settings

LISBON = ZoneInfo("Europe/Lisbon")
WEEKDAYS_9_TO_5 = (WeeklyHours((0, 1, 2, 3, 4), dt.time(9), dt.time(17)),)


def listing(**overrides: object) -> ServiceListing:
    values: dict[str, object] = dict(
        id="svc-1", organization_name="Org", name="Clínica do Castelo", description="", category="health",
        names_by_language={"fr": "Clinique du Château", "ar": "عيادة القلعة"}, location=Point(38.71, -9.13),
        address="", timezone="Europe/Lisbon", phones=("+351 210 000 001",), languages_spoken=("pt", "ar"),
        hours=WEEKDAYS_9_TO_5, requires_id="no", firewall_pledge=True, free_of_charge=True, walk_in=False,
        is_sample=True,
    )
    values.update(overrides)
    return ServiceListing(**values)  # type: ignore[arg-type]


def context(language: str, arguments: dict[str, object], now: dt.datetime | None = None) -> RenderContext:
    return RenderContext(language, arguments, get_settings(), now or dt.datetime(2026, 11, 23, 10, 0, tzinfo=LISBON))


def found(distance_m: float, **overrides: object) -> list[dict[str, object]]:
    """The `results` argument as the find-service action sends it, through the same JSON a real call carries."""
    return json.loads(json.dumps(results_arguments([ServiceMatch(listing(**overrides), distance_m)])))


@pytest.mark.parametrize("language, word", [("fr", "papiers"), ("ar", "أوراق")])
def test_greeting_is_rendered_in_the_conversation_language(language: str, word: str) -> None:
    reply = render("utter_greet", context(language, {}))
    assert reply.text.startswith(translate("greet.hello", language))
    assert word in reply.text
    assert [b["payload"] for b in reply.buttons][:2] == ["/ask_health", "/ask_education"]
    assert reply.buttons[0]["title"] == translate("button.health", language) != translate("button.health", "en")


def test_rights_answer_is_status_neutral_and_offers_next_steps() -> None:
    reply = render("utter_rights_answer", context("en", {"topic": "emergency_health"}))
    assert "with or without papers" in reply.text
    assert "call 112" in reply.text  # the deployment's number, not one written in code
    payloads = [b["payload"] for b in reply.buttons]
    assert payloads[0] == '/find_service{"service_category": "health"}'
    assert payloads[1] == '/ask_health{"topic": "emergency_health", "topic_view": "detail"}'
    assert '/ask_health{"topic": "primary_care"}' in payloads and payloads[-1] == "/human_handoff"
    assert all(len(b["title"]) <= 20 for b in reply.buttons)


def test_rights_sources_cite_the_legal_basis_jurisdiction_and_review_date() -> None:
    reply = render("utter_rights_sources", context("en", {"topic": "emergency_health"}))
    assert "Portugal: Basic Health Law (Law 95/2019), Base 21" in reply.text
    # Portugal has not ratified the Migrant Workers Convention: the citation says so, in every language.
    assert "Migrant Workers Convention, art. 28 (not ratified by Portugal: it does not bind Portugal)" in reply.text
    assert "Portugal. Checked on December 7, 2026." in reply.text
    assert "A lawyer has not checked this text yet." in reply.text


@pytest.mark.parametrize("language", ["fr", "ar", "ti"])
def test_an_unratified_treaty_is_marked_in_every_language(language: str) -> None:
    from i18n.bidi import strip_isolates

    reply = render("utter_rights_sources", context(language, {"topic": "school"}))
    marker = translate("rights.not_ratified", language, country=translate("jurisdiction.PT", language))
    assert marker in strip_isolates(reply.text)


def test_where_a_route_can_expose_status_the_main_answer_says_so_first() -> None:
    reply = render("utter_rights_answer", context("en", {"topic": "report_crime"}))
    lines = reply.text.split("\n")
    assert "116 006" in lines[0] and "APAV" in lines[0]  # the safer route leads
    assert lines[1].startswith("⚠️ Before you go: The police can check your papers.")
    work = render("utter_rights_answer", context("en", {"topic": "work_pay"})).text
    assert "labour inspection (ACT) does not promise to keep your papers secret" in work
    renting = render("utter_rights_answer", context("en", {"topic": "renting"})).text
    assert "SIBA" in renting and "3 working days" in renting


@pytest.mark.parametrize("channel, expected, absent", [
    ("meta_whatsapp", "WhatsApp (Meta) carries these messages", "Twilio"),
    ("twilio_whatsapp", "Twilio, the company that connects us to WhatsApp", None),
])
def test_is_this_chat_safe_says_who_else_carries_the_chat_on_whatsapp(channel: str, expected: str,
                                                                       absent: str | None) -> None:
    ctx = context("en", {"topic": "chat_privacy"})
    ctx.channel = channel
    reply = render("utter_rights_answer", ctx)
    assert expected in reply.text and "deletes only our copy" in reply.text
    assert absent is None or absent not in reply.text
    greeting = render("utter_greet", ctx)
    assert translate("greet.privacy.whatsapp", "en") in greeting.text


def test_on_the_web_widget_the_privacy_answer_names_no_channel_company() -> None:
    ctx = context("en", {"topic": "chat_privacy"})
    ctx.channel = "socketio"
    reply = render("utter_rights_answer", ctx)
    assert "Meta" not in reply.text and "Twilio" not in reply.text
    assert "never give what you write to immigration" in reply.text
    assert translate("greet.privacy.whatsapp", "en") not in render("utter_greet", ctx).text


def test_rights_detail_view_shows_the_detail_without_repeating_the_answer() -> None:
    reply = render("utter_rights_answer", context("en", {"topic": "primary_care", "view": "detail"}))
    assert "atestado de residência" in reply.text and "808 24 24 24" in reply.text
    assert not any("topic_view" in b["payload"] for b in reply.buttons)


def test_a_topic_that_depends_says_on_what() -> None:
    reply = render("utter_rights_answer", context("fr", {"topic": "renting"}))
    assert translate("rights.applies.depends", "fr", condition=translate("topic.renting.PT.condition", "fr")) in reply.text


def test_rights_sources_in_arabic_format_the_date_for_arabic_readers() -> None:
    reply = render("utter_rights_sources", context("ar", {"topic": "school"}))
    assert "2026" in reply.text and "ديسمبر" in reply.text  # reviewed on 2026-12-07
    assert "30" in reply.text  # Migrant Workers Convention art. 30


@pytest.mark.parametrize("intent, categories, expected", [
    ("ask_health", [], "emergency_health"), ("ask_health", ["sexual_reproductive_health"], "pregnancy_care"),
    ("ask_housing", ["shelter"], "shelter"), ("ask_housing", [], "renting"), ("ask_privacy", [], "chat_privacy"),
])
def test_the_topic_follows_the_intent_and_the_category_mentioned(intent: str, categories: list[str],
                                                                 expected: str) -> None:
    from knowledge.repository import choose_topic

    assert choose_topic(intent, categories=categories).id == expected
    assert choose_topic(intent, asked_topic="trafficking").id == "trafficking"


def test_every_topic_answer_fits_a_phone_screen_in_every_language() -> None:
    from i18n.languages import SUPPORTED
    from knowledge.repository import all_topics

    for language in SUPPORTED:
        for topic in all_topics():
            for view in ("answer", "detail"):
                text = render("utter_rights_answer", context(language, {"topic": topic, "view": view})).text
                assert len(text) <= 1024, (language, topic, view, len(text))  # WhatsApp interactive body limit


def test_service_card_shows_name_distance_opening_languages_phone_and_flags() -> None:
    reply = render("utter_service_results",
                   context("fr", {"results": found(1234), "category": "health",
                                  "place": "Alfama"}))
    assert "Clinique du Château" in reply.text
    assert "1,2\u202fkm" in reply.text  # French decimal comma and narrow space, from Babel
    assert "17:00" in reply.text  # open until, in the listing's time zone
    assert "arabe" in reply.text and "portugais" in reply.text
    assert "+351 210 000 001" in reply.text
    assert translate("service.flag.firewall", "fr") in reply.text
    assert translate("service.sample_notice", "fr") in reply.text


def test_service_card_says_when_a_closed_service_opens_next() -> None:
    saturday = dt.datetime(2026, 11, 28, 12, 0, tzinfo=LISBON)
    reply = render("utter_service_results",
                   context("en", {"results": found(300), "category": "health",
                                  "place": "Alfama"}, now=saturday))
    assert "Closed now. Opens Monday at 9:00" in reply.text
    assert "300 m" in reply.text


def test_unsupported_language_reply_lists_languages_in_their_own_names() -> None:
    reply = render("utter_unsupported_language", context("en", {}))
    for code, name in (("ar", "العربية"), ("ru", "русский"), ("fr", "français")):
        assert own_name(code) == name and name in reply.text
    assert len(reply.buttons) == 12


def test_opening_status_handles_open_closed_and_unknown() -> None:
    monday_morning = dt.datetime(2026, 11, 23, 8, 30, tzinfo=LISBON)
    assert status_at(WEEKDAYS_9_TO_5, monday_morning, "Europe/Lisbon").days_until_next == 0
    assert status_at(WEEKDAYS_9_TO_5, monday_morning.replace(hour=10), "Europe/Lisbon").open_now
    friday_evening = dt.datetime(2026, 11, 27, 18, 0, tzinfo=LISBON)
    assert status_at(WEEKDAYS_9_TO_5, friday_evening, "Europe/Lisbon").days_until_next == 3
    assert not status_at((), friday_evening, "Europe/Lisbon").known


def test_distances_follow_each_locale() -> None:
    assert distance(1234, "en") == "1.2 km"
    assert distance(1234, "fr") == "1,2\u202fkm"
    assert distance(349, "en") == "350 m"


def test_reply_language_is_the_slot_else_the_last_language_detected() -> None:
    from i18n.conversation_language import conversation_language

    def detected(code: str) -> dict:
        return {"code": code, "confidence": 0.5}

    assert conversation_language("fa", [detected("en")]) == "fa"
    assert conversation_language(None, [detected("und"), detected("und"), detected("ar")]) == "ar"
    assert conversation_language(None, []) == "en"
    assert conversation_language("xx", ["not a detection", {}]) == "en"


def test_a_word_several_languages_share_does_not_decide_the_reply_language() -> None:
    from i18n.conversation_language import conversation_language

    def weak(code: str) -> dict:
        return {"code": code, "confidence": 0.9, "weak": True}

    # "hello", then "no": both words several languages use; the conversation began in English.
    hello, no = weak("en"), weak("es")
    assert conversation_language(None, [no, no, hello]) == "en"
    # Any clear message wins over them.
    assert conversation_language(None, [no, no, {"code": "fr", "confidence": 0.9}, hello]) == "fr"


def test_the_deployment_country_overlay_is_shown_else_the_international_baseline() -> None:
    import dataclasses

    from knowledge.repository import all_topics

    topic = all_topics()["school"]
    assert topic.version_for("PT").key == "topic.school.PT" and topic.version_for("XX").key == "topic.school"
    portugal = render("utter_rights_sources", context("en", {"topic": "school"}))
    assert "Portugal: Decree-Law 67/2004" in portugal.text and "Convention on the Rights of the Child" in portugal.text
    elsewhere = RenderContext("en", {"topic": "school"}, dataclasses.replace(get_settings(), deployment_country="XX"),
                              dt.datetime(2026, 11, 23, 10, 0, tzinfo=LISBON))
    assert "International law." in render("utter_rights_sources", elsewhere).text
    assert "Portugal" not in render("utter_rights_sources", elsewhere).text
    assert "Portugal" not in render("utter_rights_answer", elsewhere).text


def test_a_listing_survives_the_trip_from_the_action_server_to_the_renderer() -> None:
    from replies.listing_payload import listing_from_json

    original = listing(hours=(WeeklyHours((5,), dt.time(9, 30), dt.time(13)),), walk_in=True)
    back = listing_from_json(json.loads(json.dumps(listing_json(original))))
    shown = ("id", "name", "names_by_language", "location", "timezone", "phones", "languages_spoken", "hours",
             "requires_id", "firewall_pledge", "free_of_charge", "walk_in", "is_sample")
    assert {name: getattr(back, name) for name in shown} == {name: getattr(original, name) for name in shown}


@pytest.mark.parametrize("results", [
    [{"distance_m": 10}],                                                   # no listing
    [{"distance_m": 10, "listing": "svc-1"}],                               # an id, as before
    [{"distance_m": 10, "listing": {**listing_json(listing()), "latitude": "north"}}],
    [{"distance_m": 10, "listing": {**listing_json(listing()), "timezone": "Mars/Olympus"}}],
    [{"distance_m": 10, "listing": {**listing_json(listing()), "hours": [{"weekdays": [0]}]}}],
    [{"distance_m": "far", "listing": listing_json(listing())}],
    ["svc-1"],
])
def test_a_malformed_result_is_refused_whole_not_half_rendered(results: list) -> None:
    with pytest.raises(BadArguments):
        render("utter_service_results", context("en", {"results": results, "category": "health", "place": "Alfama"}))


def test_sources_say_lawyer_checked_only_with_a_signature_date() -> None:
    signed = render("utter_rights_sources", context("en", {"topic": "school", "signed_on": "2026-11-30"})).text
    assert translate("rights.lawyer_checked", "en", date="November 30, 2026") in signed
    for unsigned in (None, "", "yesterday", 20261130, "2026-13-45"):
        text = render("utter_rights_sources", context("en", {"topic": "school", "signed_on": unsigned})).text
        assert translate("rights.draft", "en") in text and "November 2026" not in text
