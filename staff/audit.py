"""The audit log: who changed what, when, with the record before and after. Records are listing data;
account records are written without their password hash, and nothing from a request (cookies,
tokens, addresses) is ever passed in."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from staff.models import AuditEntry
from staff.roles import Actor

SECRET_FIELDS = frozenset({"password", "password_hash", "csrf_token", "token", "cookie"})


@dataclass(frozen=True)
class AuditView:
    at: dt.datetime
    actor: str
    action: str
    record_type: str
    record_id: str
    organization_id: str | None
    before: Any
    after: Any


def _scrub(record: Any) -> Any:
    if isinstance(record, dict):
        return {key: _scrub(value) for key, value in record.items() if key not in SECRET_FIELDS}
    if isinstance(record, list):
        return [_scrub(item) for item in record]
    return record


def record_change(session: Session, actor: Actor | str, action: str, record_type: str, record_id: str,
                  organization_id: str | None, before: Any, after: Any) -> None:
    session.add(AuditEntry(
        at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        actor=actor if isinstance(actor, str) else actor.username,
        action=action, record_type=record_type, record_id=record_id, organization_id=organization_id,
        before=None if before is None else json.dumps(_scrub(before), ensure_ascii=False, sort_keys=True),
        after=None if after is None else json.dumps(_scrub(after), ensure_ascii=False, sort_keys=True),
    ))


def entries(session: Session, organization_id: str | None = None, limit: int = 200) -> list[AuditView]:
    """The newest entries first; one organisation's, or all (admins)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if organization_id is not None:
        query = query.where(AuditEntry.organization_id == organization_id)
    return [
        AuditView(e.at, e.actor, e.action, e.record_type, e.record_id, e.organization_id,
                  json.loads(e.before) if e.before else None, json.loads(e.after) if e.after else None)
        for e in session.execute(query).scalars()
    ]
