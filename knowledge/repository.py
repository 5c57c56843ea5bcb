"""Reads the rights topics (knowledge/topics/*.yml). The English text lives there; translations in locales/."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TOPICS_DIR = Path(__file__).resolve().parent / "topics"
APPLIES_TO = ("everyone", "regular_status_only", "depends")


@dataclass(frozen=True)
class Topic:
    id: str
    intents: tuple[str, ...]
    service_category: str | None
    applies_to: str
    has_condition: bool
    legal_basis: tuple[str, ...]
    jurisdiction: str
    reviewed: dt.date
    review_status: str


def _topic(path: Path) -> Topic:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if data["applies_to"] not in APPLIES_TO:
        raise ValueError(f"{path.name}: applies_to must be one of {APPLIES_TO}")
    return Topic(
        id=data["id"],
        intents=tuple(data.get("intents", [])),
        service_category=data.get("service_category"),
        applies_to=data["applies_to"],
        has_condition=bool(data.get("condition")),
        legal_basis=tuple(data.get("legal_basis", [])),
        jurisdiction=data["jurisdiction"],
        reviewed=data["reviewed"] if isinstance(data["reviewed"], dt.date) else dt.date.fromisoformat(data["reviewed"]),
        review_status=data.get("review_status", "draft"),
    )


@lru_cache(maxsize=1)
def all_topics() -> dict[str, Topic]:
    return {topic.id: topic for topic in map(_topic, sorted(TOPICS_DIR.glob("*.yml")))}


def topic_for_intent(intent: str) -> Topic | None:
    for topic in all_topics().values():
        if intent in topic.intents:
            return topic
    return None
