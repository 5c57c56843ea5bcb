"""Only our own buttons may speak in payloads.

Rasa treats any message that starts with "/" as a payload: "/intent{json}" sets the intent and the
entities directly, and its parser logs the message when it is malformed. A hand-typed
`/find_service{"place": "Rua do Benformoso 12 3Esq Ana"}` would put free text into the conversation
store as an entity. So a "/" message reaches Rasa unchanged only if it is exactly the kind of payload
our replies offer (replies/catalog_replies.py): a domain intent, with entities only from the closed sets the
buttons use (a category, a topic id, a language code, a place from our list). Anything else loses its
leading slashes and is read as the plain text it is."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from contract import (ENTITY_LANGUAGE, ENTITY_PLACE, ENTITY_SERVICE_CATEGORY, ENTITY_TOPIC, ENTITY_TOPIC_VIEW,
                      FALLBACK_PAYLOAD, PAYLOAD_PREFIX, TOPIC_VIEW_DETAIL)
from settings import ROOT, get_settings

_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$", re.DOTALL)
DOMAIN_DIR = ROOT / "bot" / "domain"


@lru_cache(maxsize=1)
def domain_intents() -> frozenset[str]:
    intents: set[str] = set()
    for path in sorted(Path(DOMAIN_DIR).glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for intent in document.get("intents") or []:
            intents.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    return frozenset(intents)


def _is_category(value: str) -> bool:
    from services_db.categories import CATEGORIES

    return value in CATEGORIES


def _is_topic(value: str) -> bool:
    from knowledge.repository import all_topics

    return value in all_topics()


def _is_language(value: str) -> bool:
    from i18n.languages import is_supported

    return is_supported(value)


def _is_place(value: str) -> bool:
    """A name our place buttons show: exactly a place's name or its qualified "Name (Town)" form."""
    from services_db.places import cached_gazetteer, qualified_name

    settings = get_settings()
    places = cached_gazetteer(settings.gazetteer_csv, settings.deployment_country).lookup(value)
    return any(value in (place.name, qualified_name(place)) for place in places)


# The entities our buttons carry, each with the closed set its value must belong to.
BUTTON_ENTITIES: dict[str, Callable[[str], bool]] = {
    ENTITY_SERVICE_CATEGORY: _is_category,
    ENTITY_TOPIC: _is_topic,
    ENTITY_TOPIC_VIEW: lambda value: value == TOPIC_VIEW_DETAIL,
    ENTITY_LANGUAGE: _is_language,
    ENTITY_PLACE: _is_place,
}


def own_payload(text: str) -> tuple[str, dict[str, str]] | None:
    """The intent and entities of a payload our buttons offer (contract.button_payload); None for anything else."""
    match = _PAYLOAD.match(text)
    if match is None or match["intent"] not in domain_intents():
        return None
    if match["entities"] is None:
        return match["intent"], {}
    try:
        entities: Any = json.loads(match["entities"])
    except (ValueError, RecursionError):
        return None
    if isinstance(entities, dict) and bool(entities) and all(
        key in BUTTON_ENTITIES and isinstance(value, str) and BUTTON_ENTITIES[key](value)
        for key, value in entities.items()
    ):
        return match["intent"], entities
    return None


def is_own_payload(text: str) -> bool:
    return own_payload(text) is not None


def screen_payload(text: str) -> str:
    """Our own payloads unchanged; any other text that starts with "/" without its leading slashes."""
    if not text.startswith(PAYLOAD_PREFIX) or is_own_payload(text):
        return text
    plain = text.lstrip(PAYLOAD_PREFIX + " \t\r\n")
    # Nothing left ("/" alone): the fallback answers, as for an empty message.
    return plain or FALLBACK_PAYLOAD
