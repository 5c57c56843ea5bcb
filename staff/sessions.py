"""Server-side login sessions. The cookie holds a random token; the database only its SHA-256, with the
session's CSRF token. A new token at every login; logout and expiry delete the row, so a replayed cookie
opens nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete
from sqlalchemy.orm import Session

from services_db.unit_of_work import UnitOfWork
from staff.accounts import actor_of, authenticate
from staff.login_throttle import Attempt, attempt_succeeded, begin_attempt
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


# --- logging in and out, each step in one unit of work (the portal runs these in a worker thread) ---

def current_session(uow: UnitOfWork, token: str | None) -> tuple[Actor, str] | None:
    """resolve(), committed: the idle clock is touched, an expired session deleted."""
    return resolve(uow.session, token)


def claim_login(uow: UnitOfWork, username: str, address: str) -> Attempt:
    """The throttle's claim for one attempt, committed before the password is checked so that parallel
    guesses see it. LoginBlocked (which rolls the claim back) if this address may not try now."""
    return begin_attempt(uow.session, username, address)


def log_in(uow: UnitOfWork, attempt: Attempt, username: str, password: str, previous_token: str | None) -> str | None:
    """A new session's token if the password is right (argon2: tens of milliseconds on purpose); None
    otherwise, and the claimed attempt stays counted as a failure."""
    actor = authenticate(uow.session, username, password)
    if actor is None:
        return None
    attempt_succeeded(uow.session, attempt)
    purge_expired(uow.session)  # sessions left to time out: tidied here, the one moment that writes anyway
    return open_session(uow.session, actor, previous_token)


def log_out(uow: UnitOfWork, token: str) -> None:
    close_session(uow.session, token)
