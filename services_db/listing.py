"""Plain read models handed to callers, so nothing outside services_db touches ORM objects."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services_db.geo import Point


@dataclass(frozen=True)
class WeeklyHours:
    weekdays: tuple[int, ...]  # Monday is 0
    opens_at: dt.time
    closes_at: dt.time


@dataclass(frozen=True)
class ServiceListing:
    id: str
    organization_name: str
    name: str
    description: str
    category: str
    names_by_language: dict[str, str]
    location: Point
    address: str
    timezone: str
    phones: tuple[str, ...]
    languages_spoken: tuple[str, ...]
    hours: tuple[WeeklyHours, ...]
    requires_id: str
    firewall_pledge: bool
    free_of_charge: bool
    walk_in: bool
    is_sample: bool
    assured_date: dt.date | None = None

    def name_in(self, language: str) -> str:
        return self.names_by_language.get(language, self.name)


@dataclass(frozen=True)
class ServiceMatch:
    listing: ServiceListing
    distance_m: float


@dataclass(frozen=True)
class SearchFilters:
    category: str | None = None
    free_of_charge: bool = False
    no_id_required: bool = False
    firewall_pledge: bool = False
    walk_in: bool = False
    language: str | None = None  # ISO code of a language the service must speak
    open_at: dt.datetime | None = None  # timezone-aware moment at which it must be open
    assured_after: dt.date | None = None  # listings confirmed before this date are not offered
