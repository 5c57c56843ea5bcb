"""Loads a directory file in our authoring format (organisations with their services, each service
with its location; see sample/lisbon.json) by turning it into an HSDS document and importing that, so
the sample goes through the same validation and the same idempotent upsert as any HSDS file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from services_db.hsds_io import import_document
from services_db.hsds_validation import EXTENSION


def _service(record: dict[str, Any], organization_id: str, is_sample: bool) -> dict[str, Any]:
    sid = record["id"]
    return {
        "id": sid,
        "organization_id": organization_id,
        "name": record["name"],
        "description": record.get("description", ""),
        "status": record.get("status", "active"),
        "assured_date": record.get("assured_date"),
        "last_modified": record.get("last_modified", f"{record.get('assured_date') or '2026-01-01'}T00:00:00"),
        "phones": [{"id": f"{sid}-phone-{i}", "number": p["number"], "type": p.get("type", "voice")}
                   for i, p in enumerate(record.get("phones", []))],
        "schedules": [{"id": f"{sid}-schedule-{i}", "freq": "WEEKLY", "byday": s["byday"],
                       "opens_at": s["opens_at"], "closes_at": s["closes_at"]}
                      for i, s in enumerate(record.get("schedules", []))],
        "languages": [{"id": f"{sid}-lang-{code}", "code": code}
                      for code in dict.fromkeys(record.get("languages_spoken", []))],
        "service_at_locations": [{"id": f"{sid}-at-{record['location']['id']}",
                                  "location_id": record["location"]["id"]}],
        EXTENSION: {
            "category": record["category"],
            "requires_id": record.get("requires_id", "unknown"),
            "firewall_pledge": bool(record.get("firewall_pledge")),
            "free_of_charge": bool(record.get("free_of_charge")),
            "walk_in": bool(record.get("walk_in")),
            "is_sample": is_sample,
            "translations": record.get("translations", {}),
        },
    }


def to_hsds(data: dict[str, Any]) -> dict[str, Any]:
    is_sample = bool(data.get("sample_data"))
    organizations, locations, services = [], {}, []
    for org in data["organizations"]:
        organizations.append({"id": org["id"], "name": org["name"], "description": org.get("description", ""),
                              "website": org.get("website"), EXTENSION: {"is_sample": is_sample}})
        for record in org.get("services", []):
            place = record["location"]
            locations.setdefault(place["id"], {
                "id": place["id"], "organization_id": org["id"], "location_type": "physical",
                "name": place.get("name"), "latitude": place["latitude"], "longitude": place["longitude"],
                "addresses": [{"address_1": place["address"]}] if place.get("address") else [],
                EXTENSION: {"timezone": place.get("timezone", "UTC")},
            })
            services.append(_service(record, org["id"], is_sample))
    return {"hsds_version": "3.0", "organizations": organizations, "locations": list(locations.values()),
            "services": services}


def load_directory_file(engine: Engine, path: Path) -> int:
    """Returns the number of services loaded."""
    return import_document(engine, to_hsds(json.loads(path.read_text(encoding="utf-8"))))["services"]

