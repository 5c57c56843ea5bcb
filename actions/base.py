"""Shared helpers for actions."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from contract import PARSE_LANGUAGE


def latest_entity_values(tracker: Tracker, entity: str) -> list[str]:
    return [str(e["value"]) for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]


def latest_language(tracker: Tracker) -> dict[str, Any]:
    return tracker.latest_message.get(PARSE_LANGUAGE) or {}
