"""Reads the rights topics (knowledge/topics/*.yml). The English text lives there; translations in locales/."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

TOPICS_DIR = Path(__file__).resolve().parent / "topics"
APPLIES_TO = ("everyone", "regular_status_only", "depends")


@dataclass(frozen=True)
class Topic:
    id: str
    intents: tuple[str, ...]
    default_for: str | None
    service_category: str | None
    applies_to: str
    has_condition: bool
    legal_basis: tuple[str, ...]
    jurisdiction: str
    reviewed: dt.date
    review_status: str
    related: tuple[str, ...]


def _topic(path: Path) -> Topic:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if data["applies_to"] not in APPLIES_TO:
        raise ValueError(f"{path.name}: applies_to must be one of {APPLIES_TO}")
    if data["applies_to"] == "depends" and not data.get("condition"):
        raise ValueError(f"{path.name}: a topic that depends must say on what (condition)")
    for field in ("title", "answer", "detail"):
        if not data.get(field):
            raise ValueError(f"{path.name}: {field} is required")
    reviewed = data["reviewed"]
    return Topic(
        id=data["id"],
        intents=tuple(data.get("intents", [])),
        default_for=data.get("default_for"),
        service_category=data.get("service_category"),
        applies_to=data["applies_to"],
        has_condition=bool(data.get("condition")),
        legal_basis=tuple(data.get("legal_basis", [])),
        jurisdiction=data["jurisdiction"],
        reviewed=reviewed if isinstance(reviewed, dt.date) else dt.date.fromisoformat(reviewed),
        review_status=data.get("review_status", "draft"),
        related=tuple(data.get("related", [])),
    )


@lru_cache(maxsize=1)
def all_topics() -> dict[str, Topic]:
    topics = {topic.id: topic for topic in map(_topic, sorted(TOPICS_DIR.glob("*.yml")))}
    for topic in topics.values():
        unknown = [related for related in topic.related if related not in topics]
        if unknown:
            raise ValueError(f"{topic.id}: related topics {unknown} do not exist")
    return topics


def choose_topic(intent: str, asked_topic: str | None = None, categories: Iterable[str] = ()) -> Topic | None:
    """The topic a button named, else the one of this intent about the category the user mentioned
    ("pregnant" → pregnancy care), else the intent's default topic."""
    topics = all_topics()
    if asked_topic in topics:
        return topics[asked_topic]
    candidates = [topic for topic in topics.values() if intent in topic.intents]
    default = next((t for t in candidates if t.default_for == intent), candidates[0] if candidates else None)
    mentioned = set(categories)
    if default is None or default.service_category in mentioned:
        return default
    # Only a category that points at exactly one topic is a reason to leave the default.
    matching = [t for t in candidates if t.service_category in mentioned]
    return matching[0] if len(matching) == 1 else default
