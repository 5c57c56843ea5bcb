"""The safety replies (locales/source/safety.yml, rendered by replies/catalog_replies.py): the right number for each
kind of danger, in every language, first; every fact sourced; and the Rasa component that turns a
danger signal into the `emergency` intent."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from i18n.bidi import strip_isolates
from i18n.catalogs import translate
from i18n.sources import all_messages
from replies.catalog_replies import RenderContext, render
from safety.categories import CATEGORIES, CHECK, DANGER, NONE
from safety.detector import Verdict
from settings import ROOT, get_settings

LANGUAGES = ("en", "fr", "es", "pt", "ar", "fa", "ps", "uk", "ru", "tr", "so", "ti")
# The number each kind of danger must lead with, and the line for that kind (Portugal defaults).
NUMBERS = {
    "self_harm": ("112", "1411"),
    "violence_now": ("112", "800 202 148"),
    "medical_emergency": ("112", "808 24 24 24"),
    "trafficking_confinement": ("112", "964 608 288"),
    "child_at_risk": ("112", "116 111"),
    "immediate_danger": ("112", "112"),
}


def context(language: str, arguments: dict[str, object]) -> RenderContext:
    return RenderContext(language, arguments, get_settings(),
                         dt.datetime(2026, 12, 7, 23, 0, tzinfo=ZoneInfo("Europe/Lisbon")))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("category", CATEGORIES)
def test_each_kind_of_danger_gets_its_numbers_in_every_language(language: str, category: str) -> None:
    reply = render("utter_safety", context(language, {"category": category}))
    reply.text = strip_isolates(reply.text)  # right-to-left replies isolate numbers: test_rtl_numbers
    emergency, line = NUMBERS[category]
    assert reply.text.startswith(translate(f"safety.{category}", language, **get_settings().deployment_placeholders()))
    assert emergency in reply.text and line in reply.text
    assert get_settings().hotline_number in reply.text  # then a person
    assert reply.buttons == [{"title": translate("button.human", language), "payload": "/human_handoff"}]


def test_an_unknown_category_still_gets_the_emergency_number() -> None:
    reply = render("utter_safety", context("en", {"category": "nonsense"}))
    assert reply.text.startswith(translate("safety.immediate_danger", "en", emergency_number="112"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_gentle_check_asks_and_gives_the_number_at_once(language: str) -> None:
    reply = render("utter_safety_check", context(language, {}))
    assert reply.text.startswith(translate("safety.check", language)) and "112" in reply.text
    assert [b["payload"] for b in reply.buttons] == ["/affirm", "/emergency", "/human_handoff"]
    held = render("utter_safety_check", context(language, {"offer_delete": True}))
    assert held.buttons[-1] == {"title": translate("safety.button.delete", language), "payload": "/forget_me"}


def test_every_safety_message_with_a_fact_names_its_sources() -> None:
    sources = yaml.safe_load((ROOT / "knowledge" / "safety_sources.yml").read_text(encoding="utf-8"))
    assert sources["reviewed"] <= dt.date.today()
    for category in CATEGORIES:
        entries = sources["messages"][f"safety.{category}"]
        assert entries, category
        for entry in entries:
            assert entry["fact"] and entry["source"] and entry["url"].startswith("https://"), (category, entry)
            assert entry["checked"] <= dt.date.today(), (category, entry)
    keys = {m.key for m in all_messages()}
    assert set(sources["messages"]) <= keys


class FakeDetector:
    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict

    def assess(self, text: str) -> Verdict:
        return self.verdict


def parse_with(verdict: Verdict, intent: str) -> dict:  # type: ignore[type-arg]
    from rasa.shared.nlu.training_data.message import Message

    from bot.components.safety_layer import SafetyLayer

    message = Message({"text": "...", "intent": {"name": intent, "confidence": 0.9}})
    SafetyLayer(None, None, FakeDetector(verdict)).process([message])  # type: ignore[arg-type]
    return message.as_dict(only_output_properties=False)


def test_a_danger_signal_overrides_any_intent_and_the_verdict_is_in_the_parse() -> None:
    parsed = parse_with(Verdict("violence_now", 0.97, DANGER, "lexicon", 0.97), "find_service")
    assert parsed["intent"]["name"] == "emergency"
    assert parsed["safety"] == {"category": "violence_now", "confidence": 0.97, "level": "danger"}


def test_no_signal_leaves_the_intent_alone() -> None:
    parsed = parse_with(Verdict(None, 0.01, NONE, "", 0.01), "ask_health")
    assert parsed["intent"]["name"] == "ask_health" and parsed["safety"]["level"] == NONE


def test_delete_my_data_with_any_risk_signal_waits_for_a_confirmation() -> None:
    parsed = parse_with(Verdict(None, 0.15, NONE, "", 0.15), "forget_me")
    assert parsed["intent"]["name"] == "emergency"
    assert parsed["safety"]["level"] == CHECK and parsed["safety"]["held_intent"] == "forget_me"
    plain = parse_with(Verdict(None, 0.01, NONE, "", 0.01), "forget_me")
    assert plain["intent"]["name"] == "forget_me"


def test_safety_replies_live_in_the_catalogs_not_in_python() -> None:
    for path in [ROOT / "actions" / "safety.py", ROOT / "bot" / "components" / "safety_layer.py",
                 *Path(ROOT / "safety").glob("*.py")]:
        source = path.read_text(encoding="utf-8")
        assert "call {emergency_number}" not in source and "1411" not in source, path
