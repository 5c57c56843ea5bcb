"""What the hotline console finds for one question: the bot's reading of it (language, intent,
categories, places, through the Rasa server's console parse endpoint), the rights topics that answer it
and the nearest services. Nothing here keeps the question. What reads a database or a file is in
`look_up`, which the console runs in a worker thread."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy.orm import Session, sessionmaker

from knowledge.repository import Topic, all_topics, choose_topic
from privacy.internal_token import HEADER, SCHEME
from services_db.freshness import hide_before
from services_db.listing import SearchFilters, ServiceMatch
from services_db.places import Place, cached_gazetteer, distinct_places
from services_db.repository import ServiceDirectory
from settings import Settings
from staff.review_ledger import signed_on

logger = logging.getLogger(__name__)
MAX_TOPICS = 3
PARSE_TIMEOUT_SECONDS = 10
ANSWERING_INTENTS = ("ask_health", "ask_education", "ask_housing", "ask_work_rights", "ask_legal_help",
                     "ask_social_support", "ask_privacy", "emergency", "find_service")


@dataclass(frozen=True)
class Reading:
    understood: bool  # False when the Rasa server could not be asked: places only, from the gazetteer
    intent: str | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    danger: str | None = None  # the safety layer's category when it saw a danger signal


def _parse_url(settings: Settings) -> str:
    base = settings.rasa_internal_url or f"http://127.0.0.1:{settings.rasa_port}"
    return base.rstrip("/") + "/webhooks/console/parse"


def _gazetteer_places(text: str, settings: Settings) -> tuple[str, ...]:
    gazetteer = cached_gazetteer(settings.gazetteer_csv, settings.deployment_country)
    return tuple(mention.text for mention in gazetteer.find_in_text(text))


async def read_question(text: str, settings: Settings) -> Reading:
    try:
        timeout = aiohttp.ClientTimeout(total=PARSE_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            async with client.post(_parse_url(settings), json={"text": text},
                                   headers={HEADER: SCHEME + settings.internal_token}) as reply:
                if reply.status != 200:
                    raise aiohttp.ClientError(f"status {reply.status}")
                parsed: dict[str, Any] = await reply.json()
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        logger.warning("Console: the Rasa server could not read the question (%s)", type(error).__name__)
        return Reading(understood=False, places=_gazetteer_places(text, settings))
    entities = parsed.get("entities") or []
    safety = parsed.get("safety") if isinstance(parsed.get("safety"), dict) else {}
    return Reading(
        understood=True,
        intent=parsed.get("intent"),
        language=parsed.get("language"),
        categories=tuple(dict.fromkeys(str(e["value"]) for e in entities if e.get("entity") == "service_category")),
        places=tuple(dict.fromkeys(str(e["value"]) for e in entities if e.get("entity") == "place")),
        danger=(str(safety.get("category") or "immediate_danger") if safety.get("level") in ("danger", "check")
                else None),
    )


def matching_topics(reading: Reading) -> list[Topic]:
    """The topic the bot would answer with first, then the intent's other topics and the topics of the
    categories named, so the operator sees the neighbours of the question too."""
    found: list[Topic] = []
    if reading.intent in ANSWERING_INTENTS:
        first = choose_topic(reading.intent, categories=reading.categories)
        if first is not None:
            found.append(first)
    topics = all_topics().values()
    found += [t for t in topics if t.service_category in reading.categories]
    found += [t for t in topics if reading.intent in t.intents]
    unique: dict[str, Topic] = {}
    for topic in found:
        unique.setdefault(topic.id, topic)
    return list(unique.values())[:MAX_TOPICS]


def resolve_place(reading: Reading, settings: Settings) -> Place | None:
    gazetteer = cached_gazetteer(settings.gazetteer_csv, settings.deployment_country)
    for name in reading.places:
        places = distinct_places(gazetteer.lookup(name))
        if places:
            return places[0]
    return None


def nearest_services(directory: ServiceDirectory, place: Place, category: str | None,
                     settings: Settings) -> list[ServiceMatch]:
    return directory.nearest(
        place.point, k=settings.results_count,
        filters=SearchFilters(category=category, assured_after=hide_before(settings)),
        max_radius_m=settings.search_radius_km * 1000,
    )


@dataclass(frozen=True)
class Lookup:
    signed_on: dict[str, str | None]  # topic id -> the day a lawyer signed the version callers here are shown
    place: Place | None
    category: str | None
    matches: list[ServiceMatch]


def look_up(sessions: sessionmaker[Session], directory: ServiceDirectory, reading: Reading, topics: list[Topic],
            settings: Settings) -> Lookup:
    """The blocking part of a search, for a worker thread: the review ledger's signatures of the topics,
    the place named (the gazetteer loads from disk on first use) and the services nearest to it."""
    signed = {topic.id: signed_on(sessions, topic, settings.deployment_country) for topic in topics}
    place = resolve_place(reading, settings)
    category = next(iter(reading.categories), None) or next(
        (topic.service_category for topic in topics if topic.service_category), None)
    matches = nearest_services(directory, place, category, settings) if place is not None else []
    return Lookup(signed, place, category, matches)
