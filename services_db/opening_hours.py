"""Is a service open now, and when does it open next, in the listing's own time zone."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services_db.listing import WeeklyHours

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def parse_byday(byday: str) -> tuple[int, ...]:
    return tuple(WEEKDAY_CODES.index(code.strip().upper()) for code in byday.split(",") if code.strip())


def parse_clock(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


@dataclass(frozen=True)
class OpenStatus:
    open_now: bool
    closes_at: dt.time | None = None
    next_opening: dt.datetime | None = None  # local time of the listing
    days_until_next: int | None = None  # 0 today, 1 tomorrow, ...

    @property
    def known(self) -> bool:
        return self.open_now or self.next_opening is not None


def status_at(hours: tuple[WeeklyHours, ...], moment: dt.datetime, timezone: str) -> OpenStatus:
    """`moment` must be timezone-aware; the answer is in the listing's local time."""
    if not hours:
        return OpenStatus(open_now=False)
    local = moment.astimezone(ZoneInfo(timezone))
    today, now = local.weekday(), local.time().replace(second=0, microsecond=0)
    for rule in hours:
        if today in rule.weekdays and rule.opens_at <= now < rule.closes_at:
            return OpenStatus(open_now=True, closes_at=rule.closes_at)
    for days_ahead in range(0, 8):
        weekday = (today + days_ahead) % 7
        candidates = sorted(
            rule.opens_at
            for rule in hours
            if weekday in rule.weekdays and (days_ahead > 0 or rule.opens_at > now)
        )
        if candidates:
            day = local.date() + dt.timedelta(days=days_ahead)
            opening = dt.datetime.combine(day, candidates[0], tzinfo=local.tzinfo)
            return OpenStatus(open_now=False, next_opening=opening, days_until_next=days_ahead)
    return OpenStatus(open_now=False)
