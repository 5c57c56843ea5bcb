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
MAX_TEXT = {"name": 300, "description": 4000, "number": 64, "address": 500}


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
             limit_key: str | None = None) -> None:
        value = record.get(field)
        rid = str(record.get("id", "?"))
        if value is None or value == "":
            if required:
                self.add(table, rid, field, "is required")
            return
        if not isinstance(value, str):
            self.add(table, rid, field, "must be text")
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


def _unique_ids(check: _Checker, table: str, records: list[dict[str, Any]]) -> set[str]:
    seen: set[str] = set()
    for record in records:
        rid = record.get("id")
        if not isinstance(rid, str) or not rid.strip() or len(rid) > 64:
            check.add(table, str(rid), "id", "must be a non-empty text of at most 64 characters")
        elif rid in seen:
            check.add(table, rid, "id", "appears twice")
        else:
            seen.add(rid)
    return seen


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


def validate_document(document: Any) -> None:
    """Raises ValidationFailed listing every problem, or returns if the document can be imported."""
    check = _Checker()
    if not isinstance(document, dict):
        raise ValidationFailed([Problem("document", "-", "-", "must be a JSON object")])
    tables = {}
    for table in ("organizations", "locations", "services"):
        records = document.get(table, [])
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            check.add("document", "-", table, "must be a list of objects")
            records = []
        tables[table] = records
    organization_ids = _unique_ids(check, "organization", tables["organizations"])
    location_ids = _unique_ids(check, "location", tables["locations"])
    _unique_ids(check, "service", tables["services"])

    for org in tables["organizations"]:
        check.text("organization", org, "name")
        check.text("organization", org, "description", required=False)
    for location in tables["locations"]:
        lid = str(location.get("id", "?"))
        check.choice("location", location, "location_type", LOCATION_TYPES)
        if location.get("organization_id") not in organization_ids:
            check.add("location", lid, "organization_id", "names no organization in this file")
        latitude, longitude = location.get("latitude"), location.get("longitude")
        if not isinstance(latitude, (int, float)) or isinstance(latitude, bool) or not -90 <= latitude <= 90:
            check.add("location", lid, "latitude", "must be a number between -90 and 90")
        if not isinstance(longitude, (int, float)) or isinstance(longitude, bool) or not -180 <= longitude <= 180:
            check.add("location", lid, "longitude", "must be a number between -180 and 180")
        timezone = (location.get(EXTENSION) or {}).get("timezone", "UTC")
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(str(timezone))
        except Exception:  # noqa: BLE001 - any invalid name is the same problem for the user
            check.add("location", lid, f"{EXTENSION}.timezone", "is not a time zone name like Europe/Lisbon")

    for service in tables["services"]:
        sid = str(service.get("id", "?"))
        extension = service.get(EXTENSION) or {}
        check.text("service", service, "name")
        check.text("service", service, "description", required=False)
        check.choice("service", service, "status", SERVICE_STATUSES)
        if service.get("organization_id") not in organization_ids:
            check.add("service", sid, "organization_id", "names no organization in this file")
        if service.get("assured_date") not in (None, ""):
            try:
                dt.date.fromisoformat(str(service["assured_date"]))
            except ValueError:
                check.add("service", sid, "assured_date", "must be a date like 2026-11-22")
        check.choice("service", service, "category", CATEGORIES, container=extension)
        check.choice("service", service, "requires_id", YES_NO_UNKNOWN, container=extension)
        for flag in ("firewall_pledge", "free_of_charge", "walk_in"):
            check.boolean("service", service, flag, extension)
        for language, translation in (extension.get("translations") or {}).items():
            if language not in SUPPORTED or not isinstance(translation, dict) or not translation.get("name"):
                check.add("service", sid, f"{EXTENSION}.translations.{language}",
                          "must be a supported language with at least a name")
        for phone in service.get("phones") or []:
            if not isinstance(phone, dict) or not phone.get("number"):
                check.add("phone", f"{sid}/{phone.get('id', '?') if isinstance(phone, dict) else '?'}", "number",
                          "is required")
        for language in service.get("languages") or []:
            if not isinstance(language, dict) or not LANGUAGE_CODE.match(str(language.get("code", ""))):
                check.add("language", sid, "code", "must be an ISO 639 code like pt or ar")
        for schedule in service.get("schedules") or []:
            if isinstance(schedule, dict):
                _check_schedule(check, sid, schedule)
            else:
                check.add("schedule", sid, "-", "must be an object")
        at_locations = service.get("service_at_locations") or []
        if not at_locations:
            check.add("service", sid, "service_at_locations", "needs at least one location")
        for link in at_locations:
            if not isinstance(link, dict) or link.get("location_id") not in location_ids:
                check.add("service_at_location", sid, "location_id", "names no location in this file")
    if check.problems:
        raise ValidationFailed(check.problems)
