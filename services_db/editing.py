"""Changing one listing from the staff portal: the editable fields as a plain form, their validation
(every problem at once, per field, nothing saved if any), and applying them in one transaction.

Errors are codes with parameters (`FieldError`); the portal's templates turn them into words."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from i18n.languages import SUPPORTED
from services_db.categories import CATEGORIES
from services_db.hsds_io import service_record
from services_db.hsds_validation import CLOCK, LANGUAGE_CODE, MAX_TEXT, SERVICE_STATUSES, YES_NO_UNKNOWN
from services_db.models import Language, Location, Phone, Schedule, Service, ServiceTranslation
from services_db.opening_hours import WEEKDAY_CODES, parse_byday
from services_db.unit_of_work import UnitOfWork

MAX_PHONES = 3
MIN_INTERVALS_SHOWN = 2
MAX_INTERVALS_PER_DAY = 6
PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{1,40}$")
FLAGS = ("firewall_pledge", "free_of_charge", "walk_in")


def missing_languages(translated: Iterable[str]) -> list[str]:
    """The launch languages a listing has no name in yet."""
    present = set(translated)
    return [language for language in SUPPORTED if language not in present]


@dataclass(frozen=True)
class FieldError:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ServiceForm:
    name: str = ""
    description: str = ""
    status: str = "active"
    category: str = ""
    requires_id: str = "unknown"
    firewall_pledge: bool = False
    free_of_charge: bool = False
    walk_in: bool = False
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)  # language → (name, description)
    phones: list[str] = field(default_factory=list)
    languages_spoken: list[str] = field(default_factory=list)
    address: str = ""
    latitude: str = ""
    longitude: str = ""
    timezone: str = "Europe/Lisbon"
    hours: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # weekday → [(opens, closes)]

    def missing_translations(self) -> list[str]:
        return missing_languages(language for language, (name, _) in self.translations.items() if name.strip())

    def interval_slots(self, weekday: int) -> list[tuple[str, str]]:
        """The day's intervals plus empty slots, so a second opening can be added without scripts."""
        intervals = list(self.hours.get(weekday, []))
        return intervals + [("", "")] * max(MIN_INTERVALS_SHOWN - len(intervals), 1)


# --- reading ------------------------------------------------------------------------------------

def form_from_service(service: Service) -> ServiceForm:
    location = service.service_at_locations[0].location if service.service_at_locations else None
    hours: dict[int, list[tuple[str, str]]] = {}
    for rule in service.schedules:
        for weekday in parse_byday(rule.byday):
            hours.setdefault(weekday, []).append((rule.opens_at, rule.closes_at))
    return ServiceForm(
        name=service.name, description=service.description, status=service.status, category=service.category,
        requires_id=service.requires_id, firewall_pledge=service.firewall_pledge,
        free_of_charge=service.free_of_charge, walk_in=service.walk_in,
        translations={t.language: (t.name, t.description) for t in service.translations},
        phones=[phone.number for phone in sorted(service.phones, key=lambda p: p.id)],
        languages_spoken=[language.code for language in service.languages],
        address=(location.address or "") if location else "",
        latitude=str(location.latitude) if location else "", longitude=str(location.longitude) if location else "",
        timezone=location.timezone if location else "Europe/Lisbon",
        hours={day: sorted(intervals) for day, intervals in hours.items()},
    )


def form_from_post(data: Mapping[str, str], languages_spoken: list[str]) -> ServiceForm:
    """The form as posted (field names as in the template). Unknown fields are ignored."""
    def text(name: str) -> str:
        return str(data.get(name, "")).replace("\r\n", "\n").strip()

    hours: dict[int, list[tuple[str, str]]] = {}
    for weekday in range(7):
        for slot in range(MAX_INTERVALS_PER_DAY):
            opens, closes = text(f"hours_{weekday}_{slot}_opens"), text(f"hours_{weekday}_{slot}_closes")
            if opens or closes:
                hours.setdefault(weekday, []).append((opens, closes))
    return ServiceForm(
        name=text("name"), description=text("description"), status=text("status"), category=text("category"),
        requires_id=text("requires_id"), **{flag: data.get(flag) == "on" for flag in FLAGS},
        translations={language: (text(f"name_{language}"), text(f"description_{language}"))
                      for language in SUPPORTED if text(f"name_{language}") or text(f"description_{language}")},
        phones=[text(f"phone_{i}") for i in range(MAX_PHONES) if text(f"phone_{i}")],
        languages_spoken=list(dict.fromkeys(code.strip().lower() for code in languages_spoken if code.strip())),
        address=text("address"), latitude=text("latitude"), longitude=text("longitude"), timezone=text("timezone"),
        hours=hours,
    )


# --- validation ---------------------------------------------------------------------------------

def _check_text(errors: dict[str, FieldError], name: str, value: str, limit_key: str, required: bool) -> None:
    if required and not value:
        errors[name] = FieldError("required")
    elif len(value) > MAX_TEXT[limit_key]:
        errors[name] = FieldError("too_long", {"limit": MAX_TEXT[limit_key], "length": len(value)})


def _check_coordinate(errors: dict[str, FieldError], name: str, value: str, bound: float) -> None:
    try:
        number = float(value)
    except ValueError:
        errors[name] = FieldError("not_a_number")
        return
    if not -bound <= number <= bound:
        errors[name] = FieldError("out_of_range", {"low": -bound, "high": bound})


def _check_hours(errors: dict[str, FieldError], hours: dict[int, list[tuple[str, str]]]) -> None:
    for weekday, intervals in hours.items():
        key = f"hours_{weekday}"
        for opens, closes in intervals:
            if not CLOCK.match(opens) or not CLOCK.match(closes):
                errors[key] = FieldError("bad_time", {"opens": opens, "closes": closes})
                break
            if closes <= opens:
                errors[key] = FieldError("closes_before_opens", {"opens": opens, "closes": closes})
                break
        else:
            ordered = sorted(intervals)
            for (_, first_closes), (second_opens, _) in zip(ordered, ordered[1:]):
                if second_opens < first_closes:
                    errors[key] = FieldError("overlapping_hours")
                    break


def validate_form(form: ServiceForm) -> dict[str, FieldError]:
    errors: dict[str, FieldError] = {}
    _check_text(errors, "name", form.name, "name", required=True)
    _check_text(errors, "description", form.description, "description", required=False)
    _check_text(errors, "address", form.address, "address", required=True)
    for name, value, allowed in (("status", form.status, SERVICE_STATUSES), ("category", form.category, CATEGORIES),
                                 ("requires_id", form.requires_id, YES_NO_UNKNOWN)):
        if value not in allowed:
            errors[name] = FieldError("not_a_choice")
    for language, (name, description) in form.translations.items():
        if not name:
            errors[f"name_{language}"] = FieldError("translation_needs_name")
        _check_text(errors, f"name_{language}", name, "name", required=False)
        _check_text(errors, f"description_{language}", description, "description", required=False)
    for index, number in enumerate(form.phones):
        if not PHONE.match(number):
            errors[f"phone_{index}"] = FieldError("bad_phone")
    if any(not LANGUAGE_CODE.match(code) for code in form.languages_spoken):
        errors["languages_spoken"] = FieldError("bad_language_code")
    _check_coordinate(errors, "latitude", form.latitude, 90)
    _check_coordinate(errors, "longitude", form.longitude, 180)
    try:
        ZoneInfo(form.timezone)
    except Exception:  # noqa: BLE001 - every invalid name is the same mistake for the user
        errors["timezone"] = FieldError("bad_timezone")
    _check_hours(errors, form.hours)
    return errors


# --- writing ------------------------------------------------------------------------------------

def snapshot(service: Service) -> dict[str, Any]:
    """The listing as the audit log keeps it: its HSDS record plus its location."""
    record = service_record(service)
    location = service.service_at_locations[0].location if service.service_at_locations else None
    if location is not None:
        record["location"] = {"id": location.id, "address": location.address, "latitude": location.latitude,
                              "longitude": location.longitude, "timezone": location.timezone}
    return record


def _schedules(service_id: str, hours: dict[int, list[tuple[str, str]]]) -> list[Schedule]:
    """One HSDS weekly rule per distinct interval, listing the days it applies to."""
    days_by_interval: dict[tuple[str, str], list[int]] = {}
    for weekday in sorted(hours):
        for interval in sorted(set(hours[weekday])):
            days_by_interval.setdefault(interval, []).append(weekday)
    return [
        Schedule(id=f"{service_id}-schedule-{i}", freq="WEEKLY",
                 byday=",".join(WEEKDAY_CODES[d] for d in days), opens_at=opens, closes_at=closes)
        for i, ((opens, closes), days) in enumerate(sorted(days_by_interval.items(), key=lambda item: item[1]))
    ]


def apply_form(uow: UnitOfWork, service: Service, form: ServiceForm, today: dt.date) -> None:
    """Writes a validated form onto the service, in the caller's unit of work. Saving also confirms the
    listing: the person who just went through every field has checked it."""
    service.name, service.description = form.name, form.description
    service.status, service.category, service.requires_id = form.status, form.category, form.requires_id
    service.firewall_pledge, service.free_of_charge, service.walk_in = (
        form.firewall_pledge, form.free_of_charge, form.walk_in)
    service.translations = [ServiceTranslation(language=language, name=name, description=description)
                            for language, (name, description) in sorted(form.translations.items())]
    service.phones = [Phone(id=f"{service.id}-phone-{i}", number=number, type="voice")
                      for i, number in enumerate(form.phones)]
    service.languages = [Language(id=f"{service.id}-lang-{code}", code=code) for code in form.languages_spoken]
    service.schedules = _schedules(service.id, form.hours)
    uow.flush()  # old children go before new ones with the same ids arrive
    if service.service_at_locations:
        location: Location = service.service_at_locations[0].location
        location.address, location.timezone = form.address, form.timezone
        location.latitude, location.longitude = float(form.latitude), float(form.longitude)
        uow.reindex(location)
    service.assured_date = today
    service.last_modified = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def confirm_accurate(service: Service, today: dt.date) -> None:
    service.assured_date = today
