"""Loads a directory file in our authoring format (nested HSDS names, see sample/lisbon.json).

Everything happens in one transaction, and loading the same file twice changes nothing: each
organisation is replaced as a whole by id.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services_db.database import create_schema, index_location, session_factory, unindex_location
from services_db.models import (
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTranslation,
)


def _service(record: dict[str, Any], organization_id: str, is_sample: bool) -> tuple[Service, Location]:
    sid = record["id"]
    place = record["location"]
    location = Location(
        id=place["id"], organization_id=organization_id, name=place.get("name"), address=place.get("address"),
        latitude=float(place["latitude"]), longitude=float(place["longitude"]),
        timezone=place.get("timezone", "UTC"),
    )
    service = Service(
        id=sid, organization_id=organization_id, name=record["name"], description=record.get("description", ""),
        status=record.get("status", "active"), category=record["category"],
        requires_id=record.get("requires_id", "unknown"), firewall_pledge=bool(record.get("firewall_pledge")),
        free_of_charge=bool(record.get("free_of_charge")), walk_in=bool(record.get("walk_in")),
        assured_date=dt.date.fromisoformat(record["assured_date"]) if record.get("assured_date") else None,
        is_sample=is_sample,
    )
    service.translations = [
        ServiceTranslation(language=lang, name=t["name"], description=t.get("description", ""))
        for lang, t in record.get("translations", {}).items()
    ]
    service.phones = [
        Phone(id=f"{sid}-phone-{i}", number=p["number"], type=p.get("type", "voice"))
        for i, p in enumerate(record.get("phones", []))
    ]
    service.schedules = [
        Schedule(id=f"{sid}-schedule-{i}", byday=s["byday"], opens_at=s["opens_at"], closes_at=s["closes_at"])
        for i, s in enumerate(record.get("schedules", []))
    ]
    service.languages = [
        Language(id=f"{sid}-lang-{code}", code=code) for code in dict.fromkeys(record.get("languages_spoken", []))
    ]
    service.service_at_locations = [ServiceAtLocation(id=f"{sid}-at-{location.id}", location_id=location.id)]
    return service, location


def _remove_organization(session: Session, organization_id: str) -> None:
    """Removes an organisation with its services and locations, children first (foreign keys are on)."""
    existing = session.get(Organization, organization_id)
    if existing is None:
        return
    existing.services.clear()  # delete-orphan removes each service with its children
    session.flush()
    location_ids = session.execute(
        select(Location.id).where(Location.organization_id == organization_id)
    ).scalars().all()
    for location_id in location_ids:
        unindex_location(session, location_id)
    session.execute(delete(Location).where(Location.organization_id == organization_id))
    session.delete(existing)
    session.flush()


def load_directory_file(engine: Engine, path: Path) -> int:
    """Returns the number of services loaded."""
    data = json.loads(path.read_text(encoding="utf-8"))
    is_sample = bool(data.get("sample_data"))
    create_schema(engine)
    count = 0
    with session_factory(engine).begin() as session:
        for org in data["organizations"]:
            _remove_organization(session, org["id"])
            organization = Organization(
                id=org["id"], name=org["name"], description=org.get("description", ""),
                website=org.get("website"), is_sample=is_sample,
            )
            session.add(organization)
            locations = []
            for record in org.get("services", []):
                service, location = _service(record, org["id"], is_sample)
                if session.get(Location, location.id) is None and location.id not in {l.id for l in locations}:
                    session.add(location)
                    locations.append(location)
                organization.services.append(service)
                count += 1
            session.flush()
            for location in locations:
                index_location(session, location.id, location.latitude, location.longitude)
    return count


def count_services(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return len(session.execute(select(Service.id)).all())
