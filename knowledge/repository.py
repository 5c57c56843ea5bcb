"""Reads the rights topics (knowledge/topics/*.yml). The English text lives there; translations in locales/.

Each topic has an international baseline (what international law guarantees anywhere) and may have
overlays for countries whose national rules differ (`overlays: {PT: ...}`); the bot shows the overlay of
the deployment country (DEPLOYMENT_COUNTRY) when there is one, with both legal bases cited."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from knowledge.sources import Citation, citation

TOPICS_DIR = Path(__file__).resolve().parent / "topics"
APPLIES_TO = ("everyone", "regular_status_only", "depends")
INTERNATIONAL = "international"


@dataclass(frozen=True)
class Version:
    """One jurisdiction's text of a topic; `key` prefixes its catalog entries (topic.<id>[.<country>])."""

    jurisdiction: str
    key: str
    applies_to: str
    has_condition: bool
    legal_basis: tuple[Citation, ...]
    has_risk: bool = False  # a "before you go" line: using this route can expose someone's status


@dataclass(frozen=True)
class Topic:
    id: str
    intents: tuple[str, ...]
    default_for: str | None
    service_category: str | None
    reviewed: dt.date
    related: tuple[str, ...]
    channel_notice: bool  # the answer adds who else carries the chat on the channel in use
    baseline: Version
    overlays: dict[str, Version]

    def version_for(self, country: str) -> Version:
        """The deployment country's overlay if there is one (citing its law and the international one)."""
        overlay = self.overlays.get(country)
        if overlay is None:
            return self.baseline
        return Version(overlay.jurisdiction, overlay.key, overlay.applies_to, overlay.has_condition,
                       overlay.legal_basis + self.baseline.legal_basis, overlay.has_risk)


def _version(name: str, data: dict[str, Any], jurisdiction: str, key: str) -> Version:
    if data.get("applies_to") not in APPLIES_TO:
        raise ValueError(f"{name}: applies_to must be one of {APPLIES_TO}")
    if data["applies_to"] == "depends" and not data.get("condition"):
        raise ValueError(f"{name}: a topic that depends must say on what (condition)")
    for field in ("answer", "detail"):
        if not data.get(field):
            raise ValueError(f"{name}: {field} is required")
    entries = data.get("legal_basis") or []
    if not entries:
        raise ValueError(f"{name}: legal_basis is empty: every version names the law it rests on")
    return Version(jurisdiction, key, data["applies_to"], bool(data.get("condition")),
                   tuple(citation(entry, f"{name}: legal_basis[{index}]") for index, entry in enumerate(entries)),
                   bool(data.get("risk")))


def _topic(path: Path) -> Topic:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not data.get("title"):
        raise ValueError(f"{path.name}: title is required")
    key = f"topic.{data['id']}"
    reviewed = data["reviewed"]
    return Topic(
        id=data["id"],
        intents=tuple(data.get("intents", [])),
        default_for=data.get("default_for"),
        service_category=data.get("service_category"),
        reviewed=reviewed if isinstance(reviewed, dt.date) else dt.date.fromisoformat(reviewed),
        related=tuple(data.get("related", [])),
        channel_notice=bool(data.get("channel_notice")),
        baseline=_version(path.name, data, data.get("jurisdiction", INTERNATIONAL), key),
        overlays={country: _version(f"{path.name} ({country})", overlay, country, f"{key}.{country}")
                  for country, overlay in (data.get("overlays") or {}).items()},
    )


@lru_cache(maxsize=1)
def all_topics() -> dict[str, Topic]:
    topics = {topic.id: topic for topic in map(_topic, sorted(TOPICS_DIR.glob("*.yml")))}
    for topic in topics.values():
        unknown = [related for related in topic.related if related not in topics]
        if unknown:
            raise ValueError(f"{topic.id}: related topics {unknown} do not exist")
    return topics


def choose_topic(intent: str, asked_topic: str | None = None, categories: Iterable[str] = (),
                 mentioned: Iterable[str] = ()) -> Topic | None:
    """The topic a button named; else a topic of this intent the message names ("asylum", "order to
    leave"); else the one of this intent about the category the user mentioned ("pregnant" → pregnancy
    care); else the intent's default topic. A topic named under another intent ("can asylum seekers' children
    go to school?") does not replace the answer: it is offered as a button (suggested_topics)."""
    topics = all_topics()
    if asked_topic in topics:
        return topics[asked_topic]
    named = [topics[name] for name in dict.fromkeys(mentioned) if name in topics]
    of_intent = [topic for topic in named if intent in topic.intents]
    if of_intent:
        return of_intent[0]
    candidates = [topic for topic in topics.values() if intent in topic.intents]
    default = next((t for t in candidates if t.default_for == intent), candidates[0] if candidates else None)
    named_categories = set(categories)
    if default is None or default.service_category in named_categories:
        return default
    # Only a category that points at exactly one topic is a reason to leave the default.
    matching = [t for t in candidates if t.service_category in named_categories]
    return matching[0] if len(matching) == 1 else default


def suggested_topics(chosen: Topic | None, mentioned: Iterable[str]) -> list[str]:
    """Topics the message named that are not the answer given: offered first among the related buttons."""
    topics = all_topics()
    return [name for name in dict.fromkeys(mentioned) if name in topics and (chosen is None or name != chosen.id)]
