"""Import and export of the directory as Open Referral HSDS 3.0: JSON (one document with the tables
organizations, locations and services, services carrying their phones, schedules, languages and
service_at_locations) and CSV (one file per HSDS table in a folder). Our extension fields travel in
the namespaced `x_migrant_rights` object (CSV: `x_migrant_rights` JSON column).

CSV cells that a spreadsheet would run as a formula get a leading quote on export, which import takes
off again (see _neutralised); the JSON export is for programs and carries every value as it is.

Import validates the whole file first (hsds_validation), then upserts in one transaction: a file with
any problem changes nothing, and importing the same file twice changes nothing."""
from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services_db.database import create_schema, index_location, session_factory, unindex_location
from services_db.hsds_validation import EXTENSION, child_id, validate_document
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

HSDS_VERSION = "3.0"
CSV_TABLES = ("organizations", "locations", "services", "phones", "schedules", "languages", "service_at_locations")


# --- export -----------------------------------------------------------------------------------

def _present(record: dict[str, Any]) -> dict[str, Any]:
    """The record without the optional fields that have no value: HSDS wants such a field left out, and its
    schemas refuse null (a string field must be a string). Import takes both, since other publishers write
    null."""
    return {key: value for key, value in record.items() if value is not None}


def service_record(service: Service) -> dict[str, Any]:
    return _present({
        "id": service.id,
        "organization_id": service.organization_id,
        "name": service.name,
        "description": service.description,
        "status": service.status,
        "assured_date": service.assured_date.isoformat() if service.assured_date else None,
        "last_modified": service.last_modified.replace(microsecond=0).isoformat() if service.last_modified else None,
        "phones": [{"id": p.id, "number": p.number, "type": p.type} for p in sorted(service.phones, key=lambda p: p.id)],
        "schedules": [
            {"id": s.id, "freq": s.freq, "byday": s.byday, "opens_at": s.opens_at, "closes_at": s.closes_at}
            for s in sorted(service.schedules, key=lambda s: s.id)
        ],
        "languages": [{"id": l.id, "code": l.code} for l in sorted(service.languages, key=lambda l: l.id)],
        "service_at_locations": [
            {"id": link.id, "location_id": link.location_id}
            for link in sorted(service.service_at_locations, key=lambda link: link.id)
        ],
        EXTENSION: {
            "category": service.category,
            "requires_id": service.requires_id,
            "firewall_pledge": service.firewall_pledge,
            "free_of_charge": service.free_of_charge,
            "walk_in": service.walk_in,
            "is_sample": service.is_sample,
            "translations": {
                t.language: {"name": t.name, "description": t.description}
                for t in sorted(service.translations, key=lambda t: t.language)
            },
        },
    })


def export_document(engine: Engine, organization_ids: Iterable[str] | None = None) -> dict[str, Any]:
    with session_factory(engine)() as session:
        return export_from_session(session, organization_ids)


def export_from_session(session: Session, organization_ids: Iterable[str] | None = None) -> dict[str, Any]:
    wanted = set(organization_ids) if organization_ids is not None else None
    organization_query = select(Organization).order_by(Organization.id)
    location_query = select(Location).order_by(Location.id)
    service_query = select(Service).order_by(Service.id)
    if wanted is not None:  # one organisation's listings, without reading the whole directory
        organization_query = organization_query.where(Organization.id.in_(wanted))
        location_query = location_query.where(Location.organization_id.in_(wanted))
        service_query = service_query.where(Service.organization_id.in_(wanted))
    organizations = session.execute(organization_query).scalars().all()
    locations = session.execute(location_query).scalars().all()
    services = session.execute(service_query).scalars().all()
    return {
        "hsds_version": HSDS_VERSION,
        "organizations": [
            _present({"id": o.id, "name": o.name, "description": o.description, "website": o.website,
                      EXTENSION: {"is_sample": o.is_sample}})
            for o in organizations if wanted is None or o.id in wanted
        ],
        "locations": [
            _present({"id": l.id, "organization_id": l.organization_id, "location_type": l.location_type,
                      "name": l.name, "latitude": l.latitude, "longitude": l.longitude,
                      "addresses": [{"address_1": l.address}] if l.address else [],
                      EXTENSION: {"timezone": l.timezone}})
            for l in locations if wanted is None or l.organization_id in wanted
        ],
        "services": [service_record(s) for s in services if wanted is None or s.organization_id in wanted],
    }


# --- import -----------------------------------------------------------------------------------

def _clear_organization(session: Session, organization_id: str) -> Organization | None:
    """Removes an organisation's listings and locations but keeps its row: staff accounts point at it."""
    existing = session.get(Organization, organization_id)
    if existing is None:
        return None
    existing.services.clear()
    session.flush()
    for location in session.execute(select(Location).where(Location.organization_id == organization_id)).scalars():
        unindex_location(session, location.id)
        session.delete(location)
    session.flush()
    return existing


def _parse_datetime(value: Any) -> dt.datetime:
    if value:
        return dt.datetime.fromisoformat(str(value))
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)


PROGRESS_FROM = 2_000


def _progress(records: list[dict[str, Any]], label: str) -> Iterable[dict[str, Any]]:
    """A progress bar on the terminal for long imports; silent in tests, pipes and small files."""
    if len(records) < PROGRESS_FROM or not sys.stderr.isatty():
        return records
    from tqdm import tqdm

    return tqdm(records, desc=f"Importing {label}", unit=" records")


def import_document(engine: Engine, document: Any) -> dict[str, int]:
    """Validates, then replaces every organisation of the document with its content, in one transaction."""
    validate_document(document)
    create_schema(engine)
    with session_factory(engine).begin() as session:
        return import_into_session(session, document)


def import_into_session(session: Session, document: Any) -> dict[str, int]:
    """The same, inside a transaction the caller owns (the portal writes its audit entry in it too)."""
    validate_document(document)
    for org in document.get("organizations", []):
        organization = _clear_organization(session, org["id"]) or Organization(id=org["id"])
        organization.name, organization.description = org["name"], org.get("description") or ""
        organization.website = org.get("website")
        organization.is_sample = bool((org.get(EXTENSION) or {}).get("is_sample"))
        session.add(organization)
    session.flush()
    for loc in document.get("locations", []):
        addresses = loc.get("addresses") or []
        session.add(Location(
            id=loc["id"], organization_id=loc["organization_id"], location_type=loc["location_type"],
            name=loc.get("name"), address=(addresses[0].get("address_1") if addresses else None),
            latitude=float(loc["latitude"]), longitude=float(loc["longitude"]),
            timezone=(loc.get(EXTENSION) or {}).get("timezone", "UTC"),
        ))
    session.flush()
    for loc in document.get("locations", []):
        index_location(session, loc["id"], float(loc["latitude"]), float(loc["longitude"]))
    for record in _progress(document.get("services", []), "services"):
        extension = record.get(EXTENSION) or {}
        service = Service(
            id=record["id"], organization_id=record["organization_id"], name=record["name"],
            description=record.get("description") or "", status=record["status"],
            category=extension["category"], requires_id=extension["requires_id"],
            firewall_pledge=bool(extension.get("firewall_pledge")),
            free_of_charge=bool(extension.get("free_of_charge")), walk_in=bool(extension.get("walk_in")),
            is_sample=bool(extension.get("is_sample")),
            assured_date=dt.date.fromisoformat(record["assured_date"]) if record.get("assured_date") else None,
            last_modified=_parse_datetime(record.get("last_modified")),
        )
        service.translations = [
            ServiceTranslation(language=language, name=t["name"], description=t.get("description") or "")
            for language, t in (extension.get("translations") or {}).items()
        ]
        sid = record["id"]
        service.phones = [Phone(id=child_id(sid, "phones", i, p), number=p["number"], type=p.get("type") or "voice")
                          for i, p in enumerate(record.get("phones") or [])]
        service.schedules = [
            Schedule(id=child_id(sid, "schedules", i, s), freq=s.get("freq") or "WEEKLY",
                     byday=s["byday"], opens_at=s["opens_at"], closes_at=s["closes_at"])
            for i, s in enumerate(record.get("schedules") or [])
        ]
        service.languages = [Language(id=child_id(sid, "languages", i, l), code=l["code"])
                             for i, l in enumerate(record.get("languages") or [])]
        service.service_at_locations = [
            ServiceAtLocation(id=child_id(sid, "service_at_locations", i, link), location_id=link["location_id"])
            for i, link in enumerate(record.get("service_at_locations") or [])
        ]
        session.add(service)
    return {table: len(document.get(table, [])) for table in ("organizations", "locations", "services")}


# --- files ------------------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula ("CSV injection", OWASP): a listing
# named =HYPERLINK(...) would act in the reviewer's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class UnreadableTable(ValueError):
    """A CSV table that cannot be read: `reason` is "not_utf8" or "not_csv" (a NUL character, a value over
    the csv module's size limit, a quote left open)."""

    def __init__(self, table: str, reason: str) -> None:
        super().__init__(f"{table}.csv: {reason}")
        self.table, self.reason = table, reason


def _neutralised(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, with a quote in front (the one spreadsheets show
    as text and OWASP recommends); numbers stay numbers, so negative coordinates are written as they are.

    Phone numbers are text and get the quote too ("'+351 21 ..."): a spreadsheet would otherwise read
    "+351 21 000 0000" as a formula and store an error or a number in its place, and a phone column is no
    safer than any other (the import does not require a phone to look like one). Text that already starts
    with a quote followed by one of these characters gets one more, so that import, which takes exactly one
    quote off such cells, gives back every text exactly."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _restored(cell: Any) -> Any:
    """The cell as it was before _neutralised: one quote fewer where it added one."""
    if isinstance(cell, str) and cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def write_json(document: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_csv(document: dict[str, Any], folder: Path) -> None:
    """One CSV per HSDS table; nested lists of a service become their own tables keyed by service_id."""
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in CSV_TABLES}
    rows["organizations"] = [dict(o, **{EXTENSION: json.dumps(o[EXTENSION])}) for o in document["organizations"]]
    rows["locations"] = [
        {**{k: v for k, v in l.items() if k not in ("addresses", EXTENSION)},
         "address_1": (l["addresses"][0]["address_1"] if l["addresses"] else ""),
         EXTENSION: json.dumps(l[EXTENSION], ensure_ascii=False)}
        for l in document["locations"]
    ]
    for s in document["services"]:
        rows["services"].append({
            **{k: v for k, v in s.items() if k not in ("phones", "schedules", "languages", "service_at_locations", EXTENSION)},
            EXTENSION: json.dumps(s[EXTENSION], ensure_ascii=False),
        })
        for table in ("phones", "schedules", "languages", "service_at_locations"):
            rows[table].extend(dict(item, service_id=s["id"]) for item in s[table])
    for table, table_rows in rows.items():
        columns = sorted({key for row in table_rows for key in row}) or ["id"]
        with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows({key: _neutralised(value) for key, value in row.items()} for row in table_rows)


def _read_table(folder: Path, table: str) -> list[dict[str, str]]:
    path = folder / f"{table}.csv"
    if not path.exists():
        return []
    try:
        # utf-8-sig: spreadsheets save "CSV UTF-8" with a byte order mark, which would rename the first column.
        with open(path, newline="", encoding="utf-8-sig") as handle:
            # Cells beyond the header row's (csv puts them under None) are not ours to read.
            return [{key: _restored(value) for key, value in row.items() if key is not None}
                    for row in csv.DictReader(_refusing_nul(handle))]
    except UnicodeDecodeError:
        raise UnreadableTable(table, "not_utf8") from None
    except csv.Error:
        raise UnreadableTable(table, "not_csv") from None


def _refusing_nul(lines: Iterable[str]) -> Iterator[str]:
    """Python 3.10's csv module refuses a NUL character and 3.11+ reads it: the portal's environment (a current
    Python) and the bot's (3.10) must answer a file the same way."""
    for line in lines:
        if "\0" in line:
            raise csv.Error("line contains NUL")
        yield line


def _json_cell(value: str | None) -> Any:
    try:
        return json.loads(value) if value else {}
    except ValueError:
        return value  # left as text: validation reports it


def _number(value: str | None) -> Any:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return value


def read_csv(folder: Path) -> dict[str, Any]:
    """The CSV tables as the same document read_json returns, so one validation serves both."""
    children: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table in ("phones", "schedules", "languages", "service_at_locations"):
        for row in _read_table(folder, table):
            service_id = row.pop("service_id", "")
            children.setdefault(service_id, {}).setdefault(table, []).append({k: v for k, v in row.items() if v != ""})
    services = []
    for row in _read_table(folder, "services"):
        record: dict[str, Any] = {k: (v if v != "" else None) for k, v in row.items() if k != EXTENSION}
        record[EXTENSION] = _json_cell(row.get(EXTENSION))
        for table in ("phones", "schedules", "languages", "service_at_locations"):
            record[table] = children.get(row.get("id", ""), {}).get(table, [])
        services.append(record)
    locations = []
    for row in _read_table(folder, "locations"):
        address = row.pop("address_1", "")
        record = {k: (v if v != "" else None) for k, v in row.items() if k != EXTENSION}
        record["latitude"], record["longitude"] = _number(row.get("latitude")), _number(row.get("longitude"))
        record["addresses"] = [{"address_1": address}] if address else []
        record[EXTENSION] = _json_cell(row.get(EXTENSION))
        locations.append(record)
    organizations = [
        {**{k: (v if v != "" else None) for k, v in row.items() if k != EXTENSION}, EXTENSION: _json_cell(row.get(EXTENSION))}
        for row in _read_table(folder, "organizations")
    ]
    return {"hsds_version": HSDS_VERSION, "organizations": organizations, "locations": locations, "services": services}
