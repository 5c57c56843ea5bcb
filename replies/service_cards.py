"""One service as a short text block: name, distance, open now or next opening, languages, phone, flags."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from i18n.formatting import clock_time, distance, join_list, weekday_name
from i18n.languages import name_in
from services_db.listing import ServiceListing
from services_db.opening_hours import OpenStatus, status_at

Translate = Callable[..., str]


class ServiceCardRenderer:
    def __init__(self, language: str, now: dt.datetime, t: Translate) -> None:
        self._language = language
        self._now = now
        self._t = t

    def render(self, index: int, listing: ServiceListing, distance_m: float) -> str:
        status = status_at(listing.hours, self._now, listing.timezone)
        lines = [
            f"{index}. {listing.name_in(self._language)}",
            self._t("service.distance", distance=distance(distance_m, self._language)) + " · " + self._opening(status),
        ]
        if listing.languages_spoken:
            names = [name_in(code, self._language) for code in listing.languages_spoken]
            lines.append(self._t("service.languages", languages=join_list(names, self._language)))
        if listing.phones:
            lines.append(self._t("service.phone", phone=listing.phones[0]))
        flags = self._flags(listing)
        if flags:
            lines.append(" · ".join(flags))
        return "\n".join(lines)

    def _opening(self, status: OpenStatus) -> str:
        if status.open_now and status.closes_at is not None:
            return self._t("service.open_until", time=clock_time(status.closes_at, self._language))
        if status.next_opening is None or status.days_until_next is None:
            return self._t("service.hours_unknown")
        if status.days_until_next == 0:
            day = self._t("service.today")
        elif status.days_until_next == 1:
            day = self._t("service.tomorrow")
        else:
            day = weekday_name(status.next_opening.weekday(), self._language)
        return self._t("service.opens_at", day=day, time=clock_time(status.next_opening.time(), self._language))

    def _flags(self, listing: ServiceListing) -> list[str]:
        flags = []
        if listing.free_of_charge:
            flags.append(self._t("service.flag.free"))
        if listing.requires_id == "no":
            flags.append(self._t("service.flag.no_id"))
        if listing.firewall_pledge:
            flags.append(self._t("service.flag.firewall"))
        if listing.walk_in:
            flags.append(self._t("service.flag.walk_in"))
        return flags
