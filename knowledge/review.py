"""What a legal reviewer signs: one version of a topic (the international baseline, or what a country's
deployment shows) with its English text, its sources and every translation, reduced to one hash.

A signature binds that hash. Any change to any of it (a word of a translation, an article number, a URL,
who it applies to) gives another hash, so the signature no longer matches and the version is a draft
again, without anyone having to remember to reset it."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from i18n.catalogs import translations_for
from i18n.languages import SUPPORTED
from i18n.sources import english_by_key, legal_basis_key
from knowledge.repository import INTERNATIONAL, Topic, Version, all_topics

# The states a version can be in, as the portal and the bot name them.
SIGNED, DRAFT, CHANGED, LAW_CHANGED = "signed", "draft", "changed_since_signed", "law_changed"


@dataclass(frozen=True)
class ReviewUnit:
    topic: Topic
    jurisdiction: str  # INTERNATIONAL for the baseline, else a country code with an overlay

    @property
    def version(self) -> Version:
        if self.jurisdiction == INTERNATIONAL:
            return self.topic.baseline
        return self.topic.version_for(self.jurisdiction)


@dataclass(frozen=True)
class ReviewState:
    state: str
    signed_at: dt.datetime | None = None
    reviewer: str | None = None

    @property
    def is_signed(self) -> bool:
        return self.state == SIGNED


NOT_SIGNED = ReviewState(DRAFT)


def review_units() -> list[ReviewUnit]:
    return [ReviewUnit(topic, jurisdiction) for topic in all_topics().values()
            for jurisdiction in (INTERNATIONAL, *sorted(topic.overlays))]


def find_unit(topic_id: str, jurisdiction: str) -> ReviewUnit | None:
    topic = all_topics().get(topic_id)
    if topic is None or (jurisdiction != INTERNATIONAL and jurisdiction not in topic.overlays):
        return None
    return ReviewUnit(topic, jurisdiction)


def unit_for_deployment(topic: Topic, country: str) -> ReviewUnit:
    """The version users in `country` are shown (its overlay, or the baseline)."""
    return ReviewUnit(topic, country if country in topic.overlays else INTERNATIONAL)


def text_keys(unit: ReviewUnit) -> list[str]:
    version = unit.version
    keys = [f"topic.{unit.topic.id}.title", f"{version.key}.answer"]
    if version.has_risk:
        keys.append(f"{version.key}.risk")
    keys.append(f"{version.key}.detail")
    if version.has_condition:
        keys.append(f"{version.key}.condition")
    return keys + [legal_basis_key(citation.cite) for citation in version.legal_basis]


def reviewed_content(unit: ReviewUnit) -> dict[str, Any]:
    """Everything the signature covers, as the review page shows it."""
    english = english_by_key()
    version = unit.version
    return {
        "topic": unit.topic.id,
        "jurisdiction": unit.jurisdiction,
        "applies_to": version.applies_to,
        "sources": [{"cite": c.cite, "instrument": c.instrument, "article": c.article, "url": c.url,
                     "checked": c.checked.isoformat()} for c in version.legal_basis],
        "texts": {key: {language: translations_for(language).pgettext(key, english[key]) if language != "en"
                        else english[key] for language in SUPPORTED} for key in text_keys(unit)},
    }


@lru_cache(maxsize=None)
def content_hash(topic_id: str, jurisdiction: str) -> str:
    """Cached for the life of the process: content and catalogs are files read once at start."""
    unit = find_unit(topic_id, jurisdiction)
    if unit is None:
        raise KeyError(f"{topic_id} has no {jurisdiction} version")
    return hash_content(reviewed_content(unit))


def hash_content(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
