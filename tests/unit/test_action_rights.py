"""action_answer_rights on trackers as Rasa sends them: which topic answers which question (read from the
topic files themselves), whether the sources line carries a lawyer's signature date from the ledger,
which category is remembered for the "shall I find a place?" offer, and a place in the same message
searching at once."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.rights import ActionAnswerRights
from knowledge.repository import TOPICS_DIR, all_topics
from knowledge.review import content_hash, unit_for_deployment
from services_db.database import make_engine, session_factory
from settings import get_settings
from staff.models import TopicReviewEvent
from staff.reviews import sign
from staff.roles import REVIEWER, Actor
from tests.unit.tracker_fixtures import (
    button, clear_action_caches, expected_rows, place_point, responses, result_rows, run, said, slot_events,
    tracker,
)
from tests.unit.tracker_fixtures import directory_db  # noqa: F401  (a fixture)
ROOT = Path(__file__).resolve().parents[2]


def topic_files() -> dict[str, dict[str, Any]]:
    return {data["id"]: data for data in (yaml.safe_load(path.read_text(encoding="utf-8"))
                                          for path in sorted(TOPICS_DIR.glob("*.yml")))}


def rights_intents() -> list[str]:
    """The intents the rules send to this action (data/rules/rights.yml)."""
    rules = yaml.safe_load((ROOT / "data" / "rules" / "rights.yml").read_text(encoding="utf-8"))["rules"]
    return [rule["steps"][0]["intent"] for rule in rules
            if {"action": "action_answer_rights"} in rule["steps"]]


def answer(messages: list[dict[str, Any]], index: int = 0) -> dict[str, Any]:
    message = messages[index]
    assert message["response"] == "utter_rights_answer"
    return {key: message[key] for key in ("topic", "view", "suggest")}


def sources(messages: list[dict[str, Any]], index: int = 1) -> dict[str, Any]:
    message = messages[index]
    assert message["response"] == "utter_rights_sources"
    return {key: message[key] for key in ("topic", "signed_on")}


def test_every_routed_intent_has_a_default_topic_in_the_files() -> None:
    defaults = {data["default_for"] for data in topic_files().values() if data.get("default_for")}
    assert set(rights_intents()) == defaults
    assert len(rights_intents()) == 7


@pytest.mark.parametrize("intent", rights_intents())
def test_each_question_gets_its_default_topic_with_its_sources_and_category(directory_db: str, intent: str) -> None:
    [expected] = [data for data in topic_files().values() if data.get("default_for") == intent]
    messages, events = run(ActionAnswerRights(), tracker(said("what are my rights?", intent)))
    assert responses(messages) == ["utter_rights_answer", "utter_rights_sources"]
    assert answer(messages) == {"topic": expected["id"], "view": "answer", "suggest": []}
    # Nobody signed anything in a new ledger: the reply must say it is a draft.
    assert sources(messages) == {"topic": expected["id"], "signed_on": None}
    category = expected.get("service_category")
    assert slot_events(events) == ([("service_category", category)] if category else [])


def test_a_topic_button_answers_that_topic(directory_db: str) -> None:
    messages, events = run(ActionAnswerRights(), tracker(button("ask_health", topic="pregnancy_care")))
    assert answer(messages) == {"topic": "pregnancy_care", "view": "answer", "suggest": []}
    assert sources(messages) == {"topic": "pregnancy_care", "signed_on": None}
    assert slot_events(events) == [("service_category", topic_files()["pregnancy_care"]["service_category"])]


def test_a_topic_button_wins_over_the_intent_it_came_with(directory_db: str) -> None:
    messages, _ = run(ActionAnswerRights(), tracker(button("ask_health", topic="asylum")))
    assert answer(messages)["topic"] == "asylum"


def test_a_button_naming_no_known_topic_gets_the_intents_default(directory_db: str) -> None:
    messages, _ = run(ActionAnswerRights(), tracker(button("ask_housing", topic="no_such_topic")))
    assert answer(messages)["topic"] == "renting"


def test_the_detail_view_is_the_longer_text_without_a_second_sources_message(directory_db: str) -> None:
    messages, events = run(ActionAnswerRights(),
                           tracker(button("ask_health", topic="pregnancy_care", topic_view="detail")))
    assert responses(messages) == ["utter_rights_answer"]
    assert answer(messages) == {"topic": "pregnancy_care", "view": "detail", "suggest": []}
    assert slot_events(events) == [("service_category", "sexual_reproductive_health")]


def test_a_topic_named_under_another_question_is_suggested_not_answered(directory_db: str) -> None:
    text = "can asylum seekers' children go to school?"
    messages, _ = run(ActionAnswerRights(),
                      tracker(said(text, "ask_education", [("topic_mention", "asylum", "asylum")])))
    assert answer(messages) == {"topic": "school", "view": "answer", "suggest": ["asylum"]}
    assert sources(messages)["topic"] == "school"


def test_a_topic_named_under_its_own_question_is_the_answer(directory_db: str) -> None:
    messages, events = run(ActionAnswerRights(), tracker(said(
        "how do I ask for asylum?", "ask_legal_help", [("topic_mention", "asylum", "asylum")])))
    assert answer(messages) == {"topic": "asylum", "view": "answer", "suggest": []}
    assert slot_events(events) == [("service_category", "legal_aid")]


def test_of_two_topics_named_the_one_of_the_question_answers_and_the_other_is_offered(directory_db: str) -> None:
    text = "asylum and school for my children"
    messages, _ = run(ActionAnswerRights(), tracker(said(
        text, "ask_education", [("topic_mention", "asylum", "asylum"), ("topic_mention", "school", "school")])))
    assert answer(messages) == {"topic": "school", "view": "answer", "suggest": ["asylum"]}


def test_a_mentioned_category_with_one_topic_picks_it_and_is_remembered(directory_db: str) -> None:
    text = "I am pregnant, can I see a midwife?"
    latest = said(text, "ask_health", [("service_category", "sexual_reproductive_health", "midwife")])
    messages, events = run(ActionAnswerRights(), tracker(latest))
    assert answer(messages)["topic"] == "pregnancy_care"
    assert slot_events(events) == [("service_category", "sexual_reproductive_health")]


def test_a_mentioned_category_shared_by_several_topics_keeps_the_default(directory_db: str) -> None:
    messages, events = run(ActionAnswerRights(), tracker(said(
        "can I see a doctor without papers?", "ask_health", [("service_category", "health", "doctor")])))
    assert answer(messages)["topic"] == "emergency_health"
    assert slot_events(events) == [("service_category", "health")]


def test_a_doctor_in_alfama_gets_the_rights_answer_and_the_nearest_places(directory_db: str) -> None:
    text = "I need a doctor in Alfama"
    latest = said(text, "ask_health", [("service_category", "health", "doctor"), ("place", "Alfama")])
    messages, events = run(ActionAnswerRights(), tracker(latest))
    assert responses(messages) == ["utter_rights_answer", "utter_rights_sources", "utter_service_results"]
    assert answer(messages)["topic"] == "emergency_health"
    results = messages[2]
    assert (results["category"], results["place"]) == ("health", "Alfama")
    assert result_rows(results) == expected_rows(place_point("Alfama"), "health")
    assert dict(slot_events(events)) == {"service_category": "health", "place": "Alfama"}


def test_a_place_with_a_topic_that_has_no_kind_of_service_searches_nothing(directory_db: str) -> None:
    latest = said("is this chat safe in Alfama?", "ask_privacy", [("place", "Alfama")])
    messages, events = run(ActionAnswerRights(), tracker(latest))
    assert responses(messages) == ["utter_rights_answer", "utter_rights_sources"]
    assert answer(messages)["topic"] == "chat_privacy"
    assert events == []


def test_a_place_without_a_category_in_the_message_searches_the_topics_category(directory_db: str) -> None:
    latest = said("I lost my job, who can help near Alfama?", "ask_work_rights", [("place", "Alfama")])
    messages, events = run(ActionAnswerRights(), tracker(latest))
    assert answer(messages)["topic"] == "work_pay"
    assert responses(messages)[-1] == "utter_service_results"
    assert messages[-1]["category"] == topic_files()["work_pay"]["service_category"] == "work_rights"
    assert result_rows(messages[-1]) == expected_rows(place_point("Alfama"), "work_rights") != []
    assert dict(slot_events(events)) == {"service_category": "work_rights", "place": "Alfama"}


def test_an_intent_with_no_topic_gets_the_fallback(directory_db: str) -> None:
    messages, events = run(ActionAnswerRights(), tracker(said("hello", "greet")))
    assert responses(messages) == ["utter_fallback"]
    assert events == []


# --- The lawyer's signature ------------------------------------------------------------------------------

def _deployed_unit(topic_id: str):  # type: ignore[no-untyped-def]
    return unit_for_deployment(all_topics()[topic_id], get_settings().deployment_country)


def test_a_version_a_reviewer_signed_carries_the_date_of_signature(directory_db: str) -> None:
    engine = make_engine(directory_db)
    try:
        with session_factory(engine).begin() as db:
            unit = _deployed_unit("emergency_health")
            sign(db, Actor(1, "lawyer", REVIEWER, None), unit, content_hash(unit.topic.id, unit.jurisdiction))
    finally:
        engine.dispose()
    messages, _ = run(ActionAnswerRights(), tracker(said("can I see a doctor?", "ask_health")))
    assert sources(messages) == {"topic": "emergency_health",
                                 "signed_on": dt.datetime.now(dt.timezone.utc).date().isoformat()}
    # Only that version: another topic is still a draft.
    other, _ = run(ActionAnswerRights(), tracker(said("where can I sleep?", "ask_housing")))
    assert sources(other)["signed_on"] is None


@pytest.mark.parametrize("kind, matches_content", [("signed", False), ("law_changed", True)])
def test_a_signature_of_other_content_or_a_law_change_flag_is_no_signature(
        directory_db: str, kind: str, matches_content: bool) -> None:
    engine = make_engine(directory_db)
    try:
        with session_factory(engine).begin() as db:
            unit = _deployed_unit("work_pay")
            current = content_hash(unit.topic.id, unit.jurisdiction)
            db.add(TopicReviewEvent(topic_id=unit.topic.id, jurisdiction=unit.jurisdiction, kind="signed",
                                    content_hash=current, actor="lawyer", at=dt.datetime(2026, 1, 5, 10)))
            db.add(TopicReviewEvent(topic_id=unit.topic.id, jurisdiction=unit.jurisdiction, kind=kind,
                                    content_hash=current if matches_content else "0" * 64, actor="lawyer",
                                    at=dt.datetime(2026, 2, 5, 10), note="new decree" if kind == "law_changed" else None))
    finally:
        engine.dispose()
    messages, _ = run(ActionAnswerRights(), tracker(said("my boss does not pay me", "ask_work_rights")))
    assert sources(messages) == {"topic": "work_pay", "signed_on": None}


def test_a_ledger_that_cannot_be_read_answers_as_a_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-tables.sqlite3"
    monkeypatch.setenv("DIRECTORY_DB_URL", f"sqlite:///{empty}")
    clear_action_caches()
    try:
        messages, events = run(ActionAnswerRights(), tracker(said("can I see a doctor?", "ask_health")))
    finally:
        clear_action_caches()
        monkeypatch.undo()
        clear_action_caches()
    assert responses(messages) == ["utter_rights_answer", "utter_rights_sources"]
    assert sources(messages) == {"topic": "emergency_health", "signed_on": None}
    assert slot_events(events) == [("service_category", "health")]
