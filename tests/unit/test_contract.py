"""contract.py spells once the names the bot's parts agree on; these tests hold the rest of the project to it:
the Rasa domain and the training data declare exactly its intents, its slots and entities exist in the domain,
and every button our replies can show parses back, through the payload guard, to one of its intents."""
from __future__ import annotations

import ast
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

import contract
from contract import (DOMAIN_INTENTS, ENTITY_DETECTED_LANGUAGE, ENTITY_LANGUAGE, ENTITY_PLACE,
                      ENTITY_SERVICE_CATEGORY, ENTITY_TOPIC, ENTITY_TOPIC_MENTION, ENTITY_TOPIC_VIEW, FIND_SERVICE,
                      INTENTS, NLU_FALLBACK, SLOT_LANGUAGE, SLOT_PLACE, SLOT_SAFETY_STATE, SLOT_SERVICE_CATEGORY,
                      button_payload)
from settings import ROOT

# DESIGN.md, "Contracts other code and tests rely on", in its order.
DESIGN_INTENTS = ("greet, goodbye, thank, affirm, deny, ask_health, ask_education, ask_housing, ask_work_rights, "
                  "ask_legal_help, ask_social_support, find_service, ask_privacy, forget_me, change_language, "
                  "emergency, human_handoff, bot_challenge, out_of_scope").split(", ")
ENTITIES = (ENTITY_SERVICE_CATEGORY, ENTITY_PLACE, ENTITY_LANGUAGE, ENTITY_TOPIC, ENTITY_TOPIC_VIEW,
            ENTITY_TOPIC_MENTION, ENTITY_DETECTED_LANGUAGE)
SLOTS = (SLOT_LANGUAGE, SLOT_PLACE, SLOT_SERVICE_CATEGORY, SLOT_SAFETY_STATE)
LANGUAGES = ("en", "fr", "ar", "ti")  # a left-to-right and a right-to-left script, a thin catalog


def domain_documents() -> list[dict[str, Any]]:
    paths = sorted((ROOT / "bot" / "domain").glob("*.yml"))
    assert paths
    return [yaml.safe_load(path.read_text(encoding="utf-8")) or {} for path in paths]


def domain_names(section: str) -> list[str]:
    """Intents or entities, each listed as a name or as a {name: options} mapping."""
    return [next(iter(item)) if isinstance(item, dict) else str(item)
            for document in domain_documents() for item in document.get(section) or []]


def domain_slots() -> dict[str, dict[str, Any]]:
    return {name: slot for document in domain_documents() for name, slot in (document.get("slots") or {}).items()}


def nlu_intents() -> dict[str, set[str]]:
    """Each intent of data/nlu with the files that hold its examples."""
    found: dict[str, set[str]] = {}
    paths = sorted((ROOT / "data" / "nlu").glob("*/*.yml"))
    assert paths
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where built: ~20x faster on this much data
    for path in paths:
        for block in (yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}).get("nlu") or []:
            if "intent" in block:
                found.setdefault(str(block["intent"]), set()).add(str(path.relative_to(ROOT)))
    return found


def rule_intents() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
            for step in rule.get("steps") or []:
                if "intent" in step:
                    yield str(step["intent"]), f"{path.name}: {rule.get('rule')}"


# --- The module itself ---------------------------------------------------------------------------------------

def test_the_intents_are_those_of_the_design_each_once_and_the_fallback_apart() -> None:
    assert list(INTENTS) == DESIGN_INTENTS
    assert DOMAIN_INTENTS == (*INTENTS, NLU_FALLBACK) and NLU_FALLBACK not in INTENTS


def test_the_fallback_intent_is_rasas() -> None:
    from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME

    assert NLU_FALLBACK == DEFAULT_NLU_FALLBACK_INTENT_NAME


def test_the_contract_imports_only_the_standard_library() -> None:
    """So that every environment imports it: the bot's, the action server's and the portal's."""
    tree = ast.parse((ROOT / "contract.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {str(node.module).split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported and imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


@pytest.mark.parametrize("intent, entities, expected", [
    ("human_handoff", {}, "/human_handoff"),
    ("find_service", {"service_category": "health"}, '/find_service{"service_category": "health"}'),
    ("ask_health", {"topic": "emergency_health", "topic_view": "detail"},
     '/ask_health{"topic": "emergency_health", "topic_view": "detail"}'),
    # json.dumps with its defaults, as the buttons always did: non-ASCII as \u escapes.
    ("find_service", {"place": "Belém (Lisboa)"}, '/find_service{"place": "Bel\\u00e9m (Lisboa)"}'),
])
def test_a_button_payload_is_the_intent_and_its_entities_as_json(intent: str, entities: dict[str, str],
                                                                  expected: str) -> None:
    assert button_payload(intent, **entities) == expected
    assert expected == "/" + intent + (json.dumps(entities) if entities else "")


# --- The Rasa domain and the training data ---------------------------------------------------------------------

def test_the_domain_declares_exactly_the_contract_intents() -> None:
    declared = domain_names("intents")
    assert len(declared) == len(set(declared)), "an intent is declared twice"
    assert set(declared) == set(DOMAIN_INTENTS)


def test_the_training_data_has_examples_of_every_contract_intent_and_of_no_other() -> None:
    intents = nlu_intents()
    assert set(intents) - set(INTENTS) == set(), {i: sorted(intents[i]) for i in set(intents) - set(INTENTS)}
    assert set(INTENTS) - set(intents) == set()
    assert NLU_FALLBACK not in intents  # Rasa's own, predicted below the threshold, never trained


def test_every_intent_a_rule_starts_from_is_in_the_contract() -> None:
    rules = list(rule_intents())
    assert rules
    assert [(intent, rule) for intent, rule in rules if intent not in DOMAIN_INTENTS] == []


def test_every_rights_topic_answers_contract_intents() -> None:
    from knowledge.repository import all_topics

    topics = all_topics()
    assert topics
    assert {name: topic.intents for name, topic in topics.items()
            if not topic.intents or not set(topic.intents) <= set(INTENTS)} == {}


def test_the_contract_slots_and_entities_exist_in_the_domain() -> None:
    slots = domain_slots()
    assert set(SLOTS) <= set(slots), set(SLOTS) - set(slots)
    entities = domain_names("entities")
    assert set(ENTITIES) <= set(entities), set(ENTITIES) - set(entities)
    # The slots fill from contract entities only.
    mapped = {mapping["entity"] for slot in slots.values() for mapping in slot.get("mappings") or []
              if mapping.get("type") == "from_entity"}
    assert mapped and mapped <= set(ENTITIES)


# --- Every button our replies can show ------------------------------------------------------------------------

def render_arguments() -> list[tuple[str, dict[str, Any]]]:
    """Every response of replies.catalog_replies with arguments covering each kind of button it can show."""
    from knowledge.repository import all_topics
    from replies.listing_payload import results_arguments
    from safety.categories import CATEGORIES as SAFETY_CATEGORIES
    from services_db.categories import CATEGORIES
    from services_db.geo import Point
    from services_db.listing import ServiceListing, ServiceMatch, WeeklyHours
    from tests.unit.tracker_fixtures import gazetteer_rows

    topics = sorted(all_topics())
    rows = gazetteer_rows()
    # Plain names and the "Name (Town)" form the choose-place buttons use when a name is in two towns.
    places = [row["name"] for row in rows[:10]]
    places += [f"{row['name']} ({row['parent']})" for row in rows if row["parent"]][:10]
    listing = ServiceListing(
        id="svc-1", organization_name="Org", name="Clínica do Castelo", description="", category="health",
        names_by_language={}, location=Point(38.71, -9.13), address="", timezone="Europe/Lisbon",
        phones=("+351 210 000 001",), languages_spoken=("pt",), hours=(WeeklyHours((0,), dt.time(9), dt.time(17)),),
        requires_id="no", firewall_pledge=True, free_of_charge=True, walk_in=False, is_sample=True)
    results = json.loads(json.dumps(results_arguments([ServiceMatch(listing, 900.0)])))
    responses: list[tuple[str, dict[str, Any]]] = [
        ("utter_greet", {}), ("utter_goodbye", {}), ("utter_thank", {}), ("utter_deny", {}),
        ("utter_bot_challenge", {}), ("utter_out_of_scope", {}), ("utter_fallback", {}),
        ("utter_language_changed", {}), ("utter_safety_glad", {}), ("utter_safety_stay", {}), ("utter_handoff", {}),
        ("utter_forget_done", {}), ("utter_unsupported_language", {}), ("utter_ask_place", {}),
        ("utter_unknown_place", {}), ("utter_choose_place", {"places": places}),
        ("utter_safety_check", {"offer_delete": False}), ("utter_safety_check", {"offer_delete": True}),
    ]
    responses += [("utter_safety", {"category": category}) for category in [*SAFETY_CATEGORIES, None]]
    for topic in topics:
        others = [name for name in topics if name != topic][:3]
        responses += [("utter_rights_answer", {"topic": topic, "view": view, "suggest": others})
                      for view in ("answer", "detail")]
        responses.append(("utter_rights_sources", {"topic": topic, "signed_on": "2026-11-02"}))
    for category in [*CATEGORIES, None]:
        responses.append(("utter_no_services", {"category": category, "place": "Alfama"}))
        responses.append(("utter_service_results", {"category": category, "place": "Alfama", "results": results}))
    return responses


def rendered_payloads(language: str) -> dict[str, set[str]]:
    """Every button payload each response shows in `language`."""
    from replies.catalog_replies import RENDERERS, RenderContext, render
    from settings import get_settings

    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)
    payloads: dict[str, set[str]] = {}
    responses = render_arguments()
    # A response added to the catalog must be added above, with the arguments its buttons need.
    assert {name for name, _ in responses} == set(RENDERERS)
    for name, arguments in responses:
        for channel in ("rest", "meta_whatsapp"):
            reply = render(name, RenderContext(language, arguments, get_settings(), now, channel=channel))
            payloads.setdefault(name, set()).update(button["payload"] for button in reply.buttons)
    return payloads


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_our_replies_show_parses_back_to_a_contract_intent(language: str) -> None:
    from bot.channels.payload_guard import own_payload, screen_payload

    payloads = rendered_payloads(language)
    every = set().union(*payloads.values())
    assert len(every) > 30  # topics, categories, languages, places, the safety buttons
    refused = {name: sorted(p for p in found if own_payload(p) is None) for name, found in payloads.items()}
    assert {name: found for name, found in refused.items() if found} == {}
    for payload in every:
        intent, entities = own_payload(payload)  # type: ignore[misc]
        assert intent in INTENTS, payload
        assert set(entities) <= set(ENTITIES), payload
        assert button_payload(intent, **entities) == payload  # built by the contract, nothing else
        assert screen_payload(payload) == payload  # reaches Rasa unchanged


def test_the_replies_offer_every_kind_of_button_payload() -> None:
    """The payloads above really exercise the contract: each intent a button names, each entity a button sets."""
    from bot.channels.payload_guard import own_payload

    parsed = [own_payload(p) for p in set().union(*rendered_payloads("en").values())]
    intents = {intent for intent, _ in parsed}  # type: ignore[misc]
    entities = {key for _, found in parsed for key in found}  # type: ignore[misc]
    assert {"ask_health", "ask_education", "ask_housing", "ask_work_rights", "ask_legal_help", "find_service",
            "human_handoff", "affirm", "emergency", "forget_me", "change_language"} <= intents
    assert entities == {ENTITY_SERVICE_CATEGORY, ENTITY_PLACE, ENTITY_LANGUAGE, ENTITY_TOPIC, ENTITY_TOPIC_VIEW}


def test_the_channels_own_payloads_parse_back_to_contract_intents() -> None:
    from bot.channels.payload_guard import BUTTON_ENTITIES, own_payload
    from bot.channels.whatsapp_common import LOCATION_KEY, LOCATION_SEARCH_PAYLOAD, location_message

    assert own_payload(LOCATION_SEARCH_PAYLOAD) == (FIND_SERVICE, {})
    assert own_payload(contract.FALLBACK_PAYLOAD) == (NLU_FALLBACK, {})
    assert LOCATION_KEY == contract.METADATA_LOCATION
    assert location_message(38.7, -9.1) == (LOCATION_SEARCH_PAYLOAD, {contract.METADATA_LOCATION:
                                                                      {"latitude": 38.7, "longitude": -9.1}})
    assert set(BUTTON_ENTITIES) <= set(ENTITIES)
