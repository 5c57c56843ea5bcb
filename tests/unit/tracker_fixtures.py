"""Trackers built the way the Rasa server sends them to the action server, a directory database for the
actions that search it, and the answers a search must give, found by brute force over the sample files
themselves (not through the code under test).

A message goes through the pipeline (config.yml) before an action sees it: the parse result carries the
intent and its ranking, the entities the lexicon found, the detected `language` and the `safety` verdict
(every message has one, level "none" when nothing was found); a button payload ("/ask_health{...}")
skips the pipeline and has neither. Rasa then runs action_extract_slots, which fills the from_entity
slots with the last value of their entity, before the action is called."""
from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
import shutil
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.dependencies as dependencies
from services_db.database import make_engine
from services_db.geo import Point, haversine_m
from services_db.sample_loader import load_directory_file
from settings import get_settings
from tests.conftest import state_dir

NO_RISK = {"category": None, "confidence": 0.0, "level": "none"}
# Every slot of the domain (bot/domain/*.yml) and Rasa's own; Rasa sends them all, unset ones as None.
DOMAIN_SLOTS = ("language", "safety_state", "service_category", "place", "session_started_metadata")
# The from_entity mappings of bot/domain/services.yml (the language slot's come from core.yml).
ENTITY_SLOTS = {"service_category": "service_category", "place": "place"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# --- Parse results -----------------------------------------------------------------------------------

def said(text: str, intent: str, entities: Iterable[tuple[str, str] | tuple[str, str, str]] = (), *,
         language: str = "en", safety: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None,
         confidence: float = 0.93) -> dict[str, Any]:
    """The parse result of a typed message. Each entity is (kind, value) or (kind, value, words as typed);
    its span is found in the text, as the lexicon reports it."""
    found = []
    for item in entities:
        kind, value, surface = (*item, item[1]) if len(item) == 2 else item
        start = text.find(surface)
        assert start >= 0, f"{surface!r} is not in {text!r}"
        found.append({"entity": kind, "value": value, "start": start, "end": start + len(surface),
                      "confidence_entity": 1.0, "extractor": "DirectoryEntityExtractor"})
    ranking = [{"name": intent, "confidence": confidence},
               {"name": "out_of_scope" if intent != "out_of_scope" else "greet", "confidence": 1 - confidence}]
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": ranking,
        "entities": found,
        "language": {"code": language, "confidence": 0.97},
        "safety": dict(NO_RISK if safety is None else safety),
        "message_id": uuid.uuid4().hex,
        "metadata": dict(metadata or {}),
    }


def button(intent: str, **entities: str) -> dict[str, Any]:
    """The parse result of a button payload such as /ask_health{"topic": "pregnancy_care"}: Rasa reads it
    itself (no pipeline, so no language and no safety verdict), every entity spanning the JSON part."""
    arguments = json.dumps(entities) if entities else ""
    text = f"/{intent}{arguments}"
    start = len(intent) + 1
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
        "entities": [{"entity": kind, "value": value, "start": start, "end": len(text)}
                     for kind, value in entities.items()],
        "message_id": uuid.uuid4().hex,
        "metadata": {},
    }


# --- Trackers ----------------------------------------------------------------------------------------

def tracker(latest: dict[str, Any], slots: dict[str, Any] | None = None, *,
            sender_id: str = "3f1c0d9a8b7e6f5a4b3c2d1e0f9a8b7c") -> Tracker:
    """The tracker state the action server receives just after `latest`: the slots set before (`slots`),
    then those action_extract_slots filled from this message's entities, and the events that led here."""
    before = {name: None for name in DOMAIN_SLOTS} | dict(slots or {})
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 1.0},
        *({"event": "slot", "name": name, "value": value, "timestamp": 1.0}
          for name, value in before.items() if value is not None),
        {"event": "action", "name": "action_listen", "timestamp": 2.0},
        {"event": "user", "text": latest["text"], "parse_data": latest, "input_channel": "rest",
         "message_id": latest.get("message_id"), "metadata": latest.get("metadata") or {}, "timestamp": 3.0},
        {"event": "action", "name": "action_extract_slots", "timestamp": 3.1},
    ]
    current = dict(before)
    for slot, kind in ENTITY_SLOTS.items():
        values = [e["value"] for e in latest.get("entities", []) if e.get("entity") == kind]
        if values:  # Rasa keeps the last value for a text slot
            current[slot] = values[-1]
            events.append({"event": "slot", "name": slot, "value": values[-1], "timestamp": 3.2})
    return Tracker.from_dict({
        "sender_id": sender_id,
        "slots": current,
        "latest_message": latest,
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_extract_slots",
        "latest_input_channel": "rest",
    })


def run(action: Action, current: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Runs the action as the SDK's executor does: the messages it uttered and the events it returned."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, {}))
    return dispatcher.messages, events


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [message["response"] for message in messages]


def slot_events(events: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    assert all(event["event"] == "slot" for event in events), events
    return [(event["name"], event["value"]) for event in events]


# --- The sample directory and gazetteer, read directly --------------------------------------------------

@lru_cache(maxsize=1)
def sample_services() -> tuple[dict[str, Any], ...]:
    data = json.loads(Path(get_settings().sample_directory_json).read_text(encoding="utf-8"))
    return tuple(service for organization in data["organizations"] for service in organization["services"])


def sample_service(service_id: str) -> dict[str, Any]:
    return next(service for service in sample_services() if service["id"] == service_id)


@lru_cache(maxsize=4)
def gazetteer_rows(csv_path: str | None = None) -> tuple[dict[str, str], ...]:
    with open(csv_path or get_settings().gazetteer_csv, newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def place_point(name: str) -> Point:
    [row] = [row for row in gazetteer_rows() if row["name"] == name]
    return Point(float(row["latitude"]), float(row["longitude"]))


def nearest_gazetteer_name(point: Point) -> str:
    """How a shared pin is named back: the closest neighbourhood, station or landmark (not a city)."""
    rows = [row for row in gazetteer_rows() if row["kind"] != "city"]
    return min(rows, key=lambda row: haversine_m(point, Point(float(row["latitude"]),
                                                               float(row["longitude"]))))["name"]


def expected_nearest(centre: Point, category: str | None, k: int | None = None) -> list[tuple[str, float]]:
    """(service id, metres) of what the bot may offer near `centre`: active, confirmed within
    FRESHNESS_HIDE_DAYS (or never dated), within SEARCH_RADIUS_KM, nearest first (ties by id)."""
    settings = get_settings()
    cutoff = (dt.date.today() - dt.timedelta(days=settings.freshness_hide_days)).isoformat()
    ranked = sorted(
        (haversine_m(centre, Point(s["location"]["latitude"], s["location"]["longitude"])), s["id"])
        for s in sample_services()
        if (category is None or s["category"] == category) and s.get("status", "active") == "active"
        and (s.get("assured_date") or cutoff) >= cutoff
    )
    inside = [(sid, distance) for distance, sid in ranked if distance <= settings.search_radius_km * 1000]
    return inside[: k or settings.results_count]


def result_rows(message: dict[str, Any]) -> list[tuple[str, int]]:
    return [(result["listing"]["id"], result["distance_m"]) for result in message["results"]]


def expected_rows(centre: Point, category: str | None) -> list[tuple[str, int]]:
    return [(sid, round(distance)) for sid, distance in expected_nearest(centre, category)]


def expected_listing(service: dict[str, Any]) -> dict[str, Any]:
    """What a card needs of a sample service (replies/listing_payload.listing_json), from the JSON file."""
    location = service["location"]
    return {
        "id": service["id"],
        "name": service["name"],
        "names_by_language": {code: t["name"] for code, t in service.get("translations", {}).items()},
        "category": service["category"],
        "latitude": location["latitude"],
        "longitude": location["longitude"],
        "address": location.get("address", ""),
        "timezone": location.get("timezone", "UTC"),
        "phones": [phone["number"] for phone in service.get("phones", [])],
        "languages_spoken": list(dict.fromkeys(service.get("languages_spoken", []))),
        "hours": [{"weekdays": [WEEKDAYS.index(day) for day in rule["byday"].split(",")],
                   "opens_at": rule["opens_at"], "closes_at": rule["closes_at"]}
                  for rule in service.get("schedules", [])],
        "requires_id": service.get("requires_id", "unknown"),
        "firewall_pledge": bool(service.get("firewall_pledge")),
        "free_of_charge": bool(service.get("free_of_charge")),
        "walk_in": bool(service.get("walk_in")),
        "is_sample": True,
    }


# --- A directory database per test -------------------------------------------------------------------

@lru_cache(maxsize=1)
def _directory_template() -> Path:
    """The sample directory loaded once per test run (schema, review ledger and listings); each test
    gets a copy, so signing a topic or editing a listing in one test is not seen by another."""
    path = state_dir() / "action-tests" / "directory-template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        load_directory_file(engine, Path(get_settings().sample_directory_json))  # creates the schema too
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


def clear_action_caches() -> None:
    """Forgets the settings and everything the actions built from them (engines, directory, ledger)."""
    if dependencies.directory_engine.cache_info().currsize:
        dependencies.directory_engine().dispose()
    for cached in (dependencies.directory, dependencies.ledger_sessions, dependencies.directory_engine,
                   get_settings):
        cached.cache_clear()


@pytest.fixture
def directory_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private copy of the sample directory, where the actions will look for it; yields its URL."""
    path = tmp_path / "directory.sqlite3"
    shutil.copyfile(_directory_template(), path)
    path.chmod(0o600)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DIRECTORY_DB_URL", url)
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "state"))
    clear_action_caches()
    yield url
    clear_action_caches()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def gazetteer_with_two_santa_claras(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The sample gazetteer with a second Santa Clara, in Coimbra: the sample itself has no name shared
    by two towns (every name of lisbon_places.csv resolves to one place)."""
    path = tmp_path / "places.csv"
    source = Path(get_settings().gazetteer_csv).read_text(encoding="utf-8")
    path.write_text(source.rstrip("\n") + "\nSanta Clara,,parish,40.2050,-8.4350,Coimbra\n", encoding="utf-8")
    monkeypatch.setenv("GAZETTEER_CSV", str(path))
    get_settings.cache_clear()
    yield path
    monkeypatch.delenv("GAZETTEER_CSV")
    get_settings.cache_clear()
