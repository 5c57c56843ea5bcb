"""The services a search found, as the plain JSON the action server hands to the reply renderer.

The action server reads each listing once and sends what a card shows; the renderer in the Rasa
process needs no database. Only public directory data travels this way: the conversation store keeps
none of it (privacy/redaction.py keeps a bot event's response name only)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from services_db.geo import Point
from services_db.listing import ServiceListing, ServiceMatch, WeeklyHours


class BadListing(ValueError):
    """A result whose listing is missing or malformed."""


def _hours_json(hours: WeeklyHours) -> dict[str, Any]:
    return {"weekdays": list(hours.weekdays), "opens_at": hours.opens_at.isoformat(timespec="minutes"),
            "closes_at": hours.closes_at.isoformat(timespec="minutes")}


def listing_json(listing: ServiceListing) -> dict[str, Any]:
    """What a service card shows, and where the service is (for tap-to-open maps)."""
    return {
        "id": listing.id,
        "name": listing.name,
        "names_by_language": dict(listing.names_by_language),
        "category": listing.category,
        "latitude": listing.location.latitude,
        "longitude": listing.location.longitude,
        "address": listing.address,
        "timezone": listing.timezone,
        "phones": list(listing.phones),
        "languages_spoken": list(listing.languages_spoken),
        "hours": [_hours_json(hours) for hours in listing.hours],
        "requires_id": listing.requires_id,
        "firewall_pledge": listing.firewall_pledge,
        "free_of_charge": listing.free_of_charge,
        "walk_in": listing.walk_in,
        "is_sample": listing.is_sample,
    }


def results_arguments(matches: Iterable[ServiceMatch]) -> list[dict[str, Any]]:
    """The `results` argument of utter_service_results: each listing with its distance, nearest first."""
    return [{"distance_m": round(match.distance_m), "listing": listing_json(match.listing)} for match in matches]


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if isinstance(item, (str, int)))


def _hours(value: Any) -> tuple[WeeklyHours, ...]:
    if not isinstance(value, list):
        return ()
    try:
        return tuple(WeeklyHours(tuple(int(day) for day in item["weekdays"]), dt.time.fromisoformat(item["opens_at"]),
                                 dt.time.fromisoformat(item["closes_at"])) for item in value)
    except (KeyError, TypeError, ValueError) as error:
        raise BadListing("malformed opening hours") from error


def listing_from_json(value: Any) -> ServiceListing:
    """The listing of one result; anything malformed is a BadListing, never a half-rendered card."""
    if not isinstance(value, dict):
        raise BadListing("listing must be an object")
    try:
        ZoneInfo(str(value.get("timezone") or "UTC"))  # an unknown zone would fail later, mid-card
        names = value.get("names_by_language") or {}
        return ServiceListing(
            id=str(value["id"]),
            organization_name="",  # cards do not show it
            name=str(value["name"]),
            description="",
            category=str(value.get("category") or ""),
            names_by_language={str(code): str(name) for code, name in names.items()} if isinstance(names, dict) else {},
            location=Point(float(value["latitude"]), float(value["longitude"])),
            address=str(value.get("address") or ""),
            timezone=str(value.get("timezone") or "UTC"),
            phones=_strings(value.get("phones")),
            languages_spoken=_strings(value.get("languages_spoken")),
            hours=_hours(value.get("hours")),
            requires_id=str(value.get("requires_id") or "unknown"),
            firewall_pledge=value.get("firewall_pledge") is True,
            free_of_charge=value.get("free_of_charge") is True,
            walk_in=value.get("walk_in") is True,
            is_sample=value.get("is_sample") is True,
        )
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise BadListing("malformed listing") from error
