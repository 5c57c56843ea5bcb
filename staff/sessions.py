"""Server-side login sessions. The cookie holds a random token; the database only its SHA-256, with the
session's CSRF token. A new token at every login; logout and expiry delete the row, so a replayed cookie
opens nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete
from sqlalchemy.orm import Session

from staff.accounts import actor_of
from staff.models import StaffAccount, StaffSession
from staff.roles import Actor

IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=10)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _hash(token: str) -> str:
    # surrogatepass: a quoted cookie may carry bytes that are not UTF-8 (kept as surrogates): no session, no 500.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(session: Session, actor: Actor, previous_token: str | None = None) -> str:
    """A fresh session token for the actor; a session the browser already had is closed (no fixation)."""
    if previous_token:
        close_session(session, previous_token)
    token = secrets.token_urlsafe(32)
    now = _now()
    session.add(StaffSession(token_hash=_hash(token), account_id=actor.account_id,
                             csrf_token=secrets.token_urlsafe(32), created_at=now, last_seen_at=now))
    return token


def resolve(session: Session, token: str | None, now: dt.datetime | None = None) -> tuple[Actor, str] | None:
    """(actor, CSRF token) of a live session, touching its idle clock; None for anything else."""
    if not token or len(token) > 128:
        return None
    now = now or _now()
    row = session.get(StaffSession, _hash(token))
    if row is None:
        return None
    account = session.get(StaffAccount, row.account_id)
    if (account is None or account.disabled_at is not None or now - row.last_seen_at > IDLE_TIMEOUT
            or now - row.created_at > ABSOLUTE_TIMEOUT):
        session.delete(row)
        return None
    row.last_seen_at = now
    return actor_of(account), row.csrf_token


def close_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def purge_expired(session: Session, now: dt.datetime | None = None) -> int:
    now = now or _now()
    result = session.execute(delete(StaffSession).where(
        (StaffSession.last_seen_at < now - IDLE_TIMEOUT) | (StaffSession.created_at < now - ABSOLUTE_TIMEOUT)))
    return result.rowcount or 0
