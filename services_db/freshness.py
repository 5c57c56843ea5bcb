"""Listings that nobody has confirmed for a while: flagged after FRESHNESS_FLAG_DAYS, no longer offered
by the bot after FRESHNESS_HIDE_DAYS (a stale address sends a scared person to a closed door)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.engine import Engine

from services_db.database import session_factory
from services_db.models import Organization, Service
from settings import Settings


def hide_before(settings: Settings, today: dt.date | None = None) -> dt.date:
    return (today or dt.date.today()) - dt.timedelta(days=settings.freshness_hide_days)


def flag_before(settings: Settings, today: dt.date | None = None) -> dt.date:
    return (today or dt.date.today()) - dt.timedelta(days=settings.freshness_flag_days)


def is_stale(assured: dt.date | None, settings: Settings, today: dt.date | None = None) -> bool:
    return assured is None or assured < flag_before(settings, today)


def freshness_report(engine: Engine, settings: Settings, today: dt.date | None = None) -> str:
    with session_factory(engine)() as session:
        rows = session.execute(
            select(Service.id, Service.name, Service.assured_date, Organization.name)
            .join(Organization, Organization.id == Service.organization_id)
            .order_by(Service.assured_date.is_(None).desc(), Service.assured_date, Service.id)
        ).all()
    flag, hide = flag_before(settings, today), hide_before(settings, today)
    stale = [row for row in rows if row.assured_date is None or row.assured_date < flag]
    lines = [f"{len(rows)} services in the directory; {len(stale)} need re-checking "
             f"(not confirmed since {flag.isoformat()}):"]
    for service_id, name, assured, organization in stale:
        hidden = " (no longer offered)" if assured is None or assured < hide else ""
        lines.append(f"  {assured.isoformat() if assured else 'never':<10}  {service_id}  {name} — {organization}{hidden}")
    return "\n".join(lines)
