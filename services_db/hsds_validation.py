"""Checks an HSDS 3.0 document (our JSON exchange shape, see hsds_io.py) before anything is written.

Every problem is reported with its table, record id and field, so that a resource centre can fix its
file in one pass; a file with any problem changes nothing."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from i18n.languages import SUPPORTED
from services_db.categories import CATEGORIES
from services_db.opening_hours import WEEKDAY_CODES

EXTENSION = "x_migrant_rights"
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
YES_NO_UNKNOWN = ("yes", "no", "unknown")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
MAX_TEXT = {"name": 300, "description": 4000, "number": 64, "address": 500, "website": 500, "type": 16}
# A service's own records, by their table in the document, and the name a problem gives one of them.
CHILD_TABLES = {"phones": "phone", "schedules": "schedule", "languages": "language",
                "service_at_locations": "service_at_location"}
MAX_ID = 64
MAX_CHILD_ID = {"phones": 64, "schedules": 64, "languages": 80, "service_at_locations": 64}  # the columns


def child_id(service_id: str, table: str, index: int, item: dict[str, Any]) -> Any:
    """The id a service's phone, schedule, language or location link is stored under: its own, or one
    made from the service's. Validation checks these, so that the database never sees a clash."""
    if item.get("id"):
        return item["id"]
    made = {"phones": lambda: f"{service_id}-phone-{index}", "schedules": lambda: f"{service_id}-schedule-{index}",
            "languages": lambda: f"{service_id}-lang-{item.get('code')}",
            "service_at_locations": lambda: f"{service_id}-at-{item.get('location_id')}"}
    return made[table]()


@dataclass(frozen=True)
class Problem:
    table: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.table} {self.record!r}, field '{self.field}': {self.message}"


class ValidationFailed(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the file; nothing was changed")
        self.problems = problems


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, table: str, record: str, field: str, message: str) -> None:
        self.problems.append(Problem(table, record, field, message))

    def text(self, table: str, record: dict[str, Any], field: str, required: bool = True,
             limit_key: str | None = None, rid: str | None = None) -> None:
        value = record.get(field)
        rid = rid if rid is not None else str(record.get("id", "?"))
        if value is None or value == "":
            if required:
                self.add(table, rid, field, "is required")
            return
        if not isinstance(value, str):
            self.add(table, rid, field, "must be text")
            return
        if "\x00" in value:  # PostgreSQL refuses it in text; nobody means it
            self.add(table, rid, field, "contains a NUL character")
            return
        limit = MAX_TEXT.get(limit_key or field)
        if limit and len(value) > limit:
            self.add(table, rid, field, f"is longer than {limit} characters")

    def choice(self, table: str, record: dict[str, Any], field: str, allowed: tuple[str, ...], container: dict[str, Any] | None = None) -> None:
        value = (container if container is not None else record).get(field)
        if value not in allowed:
            self.add(table, str(record.get("id", "?")), field, f"must be one of {', '.join(allowed)}")

    def boolean(self, table: str, record: dict[str, Any], field: str, container: dict[str, Any]) -> None:
        if not isinstance(container.get(field, False), bool):
            self.add(table, str(record.get("id", "?")), field, "must be true or false")

    def extension(self, table: str, record: dict[str, Any]) -> dict[str, Any]:
        """The record's extension object; an empty one, and a problem, when it is something else."""
        value = record.get(EXTENSION) or {}
        if isinstance(value, dict):
            return value
        self.add(table, str(record.get("id", "?")), EXTENSION, "must be an object")
        return {}

    def objects(self, table: str, rid: str, field: str, value: Any) -> list[dict[str, Any]]:
        """The objects of a list field; a problem, and none, when it is not a list of objects."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.add(table, rid, field, "must be a list of objects")
            return []
        return value


def _is_id(value: Any, limit: int = MAX_ID) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= limit and "\x00" not in value


def _unique_ids(check: _Checker, table: str, records: list[dict[str, Any]]) -> set[str]:
    seen: set[str] = set()
    for record in records:
        rid = record.get("id")
        if not _is_id(rid):
            check.add(table, str(rid), "id", f"must be a non-empty text of at most {MAX_ID} characters")
        elif rid in seen:
            check.add(table, rid, "id", "appears twice")
        else:
            seen.add(rid)
    return seen


def _names(value: Any, ids: set[str]) -> bool:
    """Whether `value` is one of `ids` (a list or an object where an id should be is not, and cannot be
    looked up in a set)."""
    return isinstance(value, str) and value in ids


def _check_schedule(check: _Checker, service_id: str, schedule: dict[str, Any]) -> None:
    sid = f"{service_id}/{schedule.get('id', '?')}"
    if schedule.get("freq", "WEEKLY") != "WEEKLY":
        check.add("schedule", sid, "freq", "only WEEKLY schedules are supported")
    days = str(schedule.get("byday") or "").split(",")
    if not days or any(day.strip().upper() not in WEEKDAY_CODES for day in days):
        check.add("schedule", sid, "byday", "must list days as MO,TU,WE,TH,FR,SA,SU")
    opens, closes = schedule.get("opens_at"), schedule.get("closes_at")
    for field, value in (("opens_at", opens), ("closes_at", closes)):
        if not isinstance(value, str) or not CLOCK.match(value):
            check.add("schedule", sid, field, "must be a time like 09:00")
    if isinstance(opens, str) and isinstance(closes, str) and CLOCK.match(opens) and CLOCK.match(closes) \
            and closes <= opens:
        check.add("schedule", sid, "closes_at", "closes before it opens (split a night across two rows)")


def _check_children(check: _Checker, service: dict[str, Any], location_ids: set[str],
                    child_ids: dict[str, set[str]]) -> None:
    """A service's phones, schedules, languages and location links, and the ids they will be stored under:
    unique in the file, so that one import cannot write one row twice."""
    sid = str(service.get("id", "?"))
    children = {table: check.objects("service", sid, table, service.get(table)) for table in CHILD_TABLES}
    for table, kind in CHILD_TABLES.items():
        for index, item in enumerate(children[table]):
            stored_id = child_id(sid, table, index, item)
            if not _is_id(stored_id, MAX_CHILD_ID[table]):
                check.add(kind, f"{sid}/{stored_id}", "id",
                          f"must be a non-empty text of at most {MAX_CHILD_ID[table]} characters")
            elif stored_id in child_ids[table]:
                check.add(kind, stored_id, "id", "appears twice")
            else:
                child_ids[table].add(stored_id)
    for phone in children["phones"]:
        check.text("phone", phone, "number", rid=f"{sid}/{phone.get('id', '?')}")
        check.text("phone", phone, "type", required=False, rid=f"{sid}/{phone.get('id', '?')}")
    for language in children["languages"]:
        if not isinstance(language.get("code"), str) or not LANGUAGE_CODE.match(language["code"]):
            check.add("language", sid, "code", "must be an ISO 639 code like pt or ar")
    for schedule in children["schedules"]:
        _check_schedule(check, sid, schedule)
    if not children["service_at_locations"]:
        check.add("service", sid, "service_at_locations", "needs at least one location")
    for link in children["service_at_locations"]:
        if not _names(link.get("location_id"), location_ids):
            check.add("service_at_location", sid, "location_id", "names no location in this file")


def _check_service(check: _Checker, service: dict[str, Any], organization_ids: set[str]) -> None:
    sid = str(service.get("id", "?"))
    extension = check.extension("service", service)
    check.text("service", service, "name")
    check.text("service", service, "description", required=False)
    check.choice("service", service, "status", SERVICE_STATUSES)
    if not _names(service.get("organization_id"), organization_ids):
        check.add("service", sid, "organization_id", "names no organization in this file")
    for field, parse, example in (("assured_date", dt.date.fromisoformat, "a date like 2026-11-22"),
                                  ("last_modified", dt.datetime.fromisoformat, "a time like 2026-11-22T10:00:00")):
        if service.get(field) not in (None, ""):
            try:
                parse(str(service[field]))
            except ValueError:
                check.add("service", sid, field, f"must be {example}")
    check.choice("service", service, "category", CATEGORIES, container=extension)
    check.choice("service", service, "requires_id", YES_NO_UNKNOWN, container=extension)
    for flag in ("firewall_pledge", "free_of_charge", "walk_in"):
        check.boolean("service", service, flag, extension)
    translations = extension.get("translations") or {}
    if not isinstance(translations, dict):
        check.add("service", sid, f"{EXTENSION}.translations", "must be an object")
        translations = {}
    for language, translation in translations.items():
        field = f"{EXTENSION}.translations.{language}"
        if language not in SUPPORTED or not isinstance(translation, dict) or not translation.get("name"):
            check.add("service", sid, field, "must be a supported language with at least a name")
            continue
        for part in ("name", "description"):
            value = translation.get(part)
            if value not in (None, "") and (not isinstance(value, str) or "\x00" in value):
                check.add("service", sid, f"{field}.{part}", "must be text")
            elif isinstance(value, str) and len(value) > MAX_TEXT[part]:
                check.add("service", sid, f"{field}.{part}", f"is longer than {MAX_TEXT[part]} characters")


def _check_location(check: _Checker, location: dict[str, Any], organization_ids: set[str]) -> None:
    lid = str(location.get("id", "?"))
    extension = check.extension("location", location)
    check.choice("location", location, "location_type", LOCATION_TYPES)
    check.text("location", location, "name", required=False)
    if not _names(location.get("organization_id"), organization_ids):
        check.add("location", lid, "organization_id", "names no organization in this file")
    latitude, longitude = location.get("latitude"), location.get("longitude")
    if not isinstance(latitude, (int, float)) or isinstance(latitude, bool) or not -90 <= latitude <= 90:
        check.add("location", lid, "latitude", "must be a number between -90 and 90")
    if not isinstance(longitude, (int, float)) or isinstance(longitude, bool) or not -180 <= longitude <= 180:
        check.add("location", lid, "longitude", "must be a number between -180 and 180")
    for address in check.objects("location", lid, "addresses", location.get("addresses")):
        check.text("location", address, "address_1", required=False, limit_key="address", rid=lid)
    timezone = extension.get("timezone", "UTC")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(str(timezone))
    except Exception:  # noqa: BLE001 - any invalid name is the same problem for the user
        check.add("location", lid, f"{EXTENSION}.timezone", "is not a time zone name like Europe/Lisbon")


def validate_document(document: Any) -> None:
    """Raises ValidationFailed listing every problem, or returns if the document can be imported."""
    check = _Checker()
    if not isinstance(document, dict):
        raise ValidationFailed([Problem("document", "-", "-", "must be a JSON object")])
    tables = {table: check.objects("document", "-", table, document.get(table, []))
              for table in ("organizations", "locations", "services")}
    organization_ids = _unique_ids(check, "organization", tables["organizations"])
    location_ids = _unique_ids(check, "location", tables["locations"])
    _unique_ids(check, "service", tables["services"])

    for org in tables["organizations"]:
        check.extension("organization", org)
        check.text("organization", org, "name")
        check.text("organization", org, "description", required=False)
        check.text("organization", org, "website", required=False)
    for location in tables["locations"]:
        _check_location(check, location, organization_ids)
    child_ids: dict[str, set[str]] = {table: set() for table in CHILD_TABLES}
    for service in tables["services"]:
        _check_service(check, service, organization_ids)
        _check_children(check, service, location_ids, child_ids)
    if check.problems:
        raise ValidationFailed(check.problems)
