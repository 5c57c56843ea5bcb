"""Failed staff logins, counted so that guessing is slow and nobody can lock someone else out.

Three counters per attempt, each over a fixed window that starts with its first attempt:

- name and client address together: after PAIR_LIMIT failures that address is blocked for that name.
  A guesser locks out only himself; the owner logs in from anywhere else.
- client address, across names: after ADDRESS_LIMIT failures the address is blocked (password spraying:
  one guess at each of many names).
- name, across addresses: never a block, since anyone could then lock an admin out, but once
  SLOWDOWN_FROM failures are counted each further attempt waits, doubling up to MAX_DELAY_SECONDS. A
  guesser with many addresses gets a few guesses an hour; the owner gets in a few seconds late.

An attempt claims its place in all three before the password is checked, and a failure keeps it: one
UPDATE ... WHERE failures < limit per counter decides and counts, so parallel guesses queue on the row
and can never check more passwords than the limit. A right password gives its claims back. Keys are
SHA-256 hashes: no name or address is stored. Plain SQL that SQLite and PostgreSQL both run."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from staff.accounts import normalise_username
from staff.models import LoginCounter
from settings import get_settings

WINDOW = dt.timedelta(minutes=15)
PAIR_LIMIT = 5
ADDRESS_LIMIT = 20  # an office behind one address can still mistype twenty times in a quarter of an hour
SLOWDOWN_FROM = 10  # two addresses' worth of blocked guesses
FIRST_DELAY_SECONDS = 0.25
MAX_DELAY_SECONDS = 5.0

_counters = LoginCounter.__table__
_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class LoginBlocked(Exception):
    """This address may not try this name (or any name) until its window ends. Raised inside the
    caller's transaction so that it rolls back: a refused attempt counts nowhere."""


@dataclasses.dataclass(frozen=True)
class Attempt:
    """A login attempt that was let through: the counters it claimed, and how long it must wait first."""

    name_key: str
    address_key: str
    pair_key: str
    delay: float
    last_allowed: bool  # a failure now reaches a block: the page can say so at once


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _digest(text: str) -> str:
    """Keyed: a plain hash of an IPv4 address is reversed by trying all four billion of them."""
    # surrogatepass: a form value may carry lone surrogates; they must hash, not raise.
    return hmac.new(get_settings().sender_hash_key, b"login-throttle:" + text.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()


def slowdown(earlier_failures: int) -> float:
    """Seconds an attempt at a name waits, given the failures already counted for it."""
    if earlier_failures < SLOWDOWN_FROM:
        return 0.0
    doublings = min(earlier_failures - SLOWDOWN_FROM, 32)  # 2.0 ** a huge count would overflow
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2.0 ** doublings)


def _claim(session: Session, key: str, limit: int | None, now: dt.datetime) -> int | None:
    """Counts one attempt under `key` and returns the count including it; None, counting nothing, when
    `limit` attempts are already counted in the window."""
    insert = _INSERT[session.get_bind().dialect.name]
    expired = _counters.c.window_start <= now - WINDOW
    claim = update(_counters).where(_counters.c.key == key).values(
        failures=case((expired, 1), else_=_counters.c.failures + 1),
        window_start=case((expired, now), else_=_counters.c.window_start),
    )
    if limit is not None:
        claim = claim.where(or_(expired, _counters.c.failures < limit))
    # Twice at most: a stale row purged by a concurrent login between our insert and our update.
    for _ in range(2):
        session.execute(insert(_counters).values(key=key, failures=0, window_start=now)
                        .on_conflict_do_nothing(index_elements=[_counters.c.key]))
        if session.execute(claim).rowcount == 1:
            return session.execute(select(_counters.c.failures).where(_counters.c.key == key)).scalar_one()
        if session.execute(select(_counters.c.key).where(_counters.c.key == key)).first() is not None:
            return None
    return None


def begin_attempt(session: Session, username: str, address: str, now: dt.datetime | None = None) -> Attempt:
    """Claims the attempt's place in its counters, or raises LoginBlocked. Run it in a transaction of its
    own, committed before the password is checked (the argon2 check must not hold the counters' locks)."""
    now = now or _now()
    name_key = _digest("name:" + normalise_username(username))
    address_key = _digest("address:" + address)
    pair_key = _digest(f"pair:{name_key}:{address_key}")
    # Always in this order (pair, address, name): two attempts never wait for each other's rows crosswise.
    pair = _claim(session, pair_key, PAIR_LIMIT, now)
    sprayed = _claim(session, address_key, ADDRESS_LIMIT, now) if pair is not None else None
    if pair is None or sprayed is None:
        raise LoginBlocked()
    name = _claim(session, name_key, None, now)
    assert name is not None  # no limit
    return Attempt(name_key, address_key, pair_key, delay=slowdown(name - 1),
                   last_allowed=pair >= PAIR_LIMIT or sprayed >= ADDRESS_LIMIT)


def attempt_succeeded(session: Session, attempt: Attempt, now: dt.datetime | None = None) -> None:
    """The password was right. This address starts afresh for this name; the address's and the name's
    counts only lose this one attempt, so a login does not wipe out someone else's guesses (an attacker
    holding one account could otherwise reset his address between sprays)."""
    session.execute(delete(_counters).where(_counters.c.key == attempt.pair_key))
    for key in (attempt.address_key, attempt.name_key):  # the claims' order: no waiting on each other crosswise
        session.execute(update(_counters).where(_counters.c.key == key, _counters.c.failures > 0)
                        .values(failures=_counters.c.failures - 1))
    # Counters whose window has passed count nothing any more: tidied here, the one moment that writes anyway.
    # SKIP LOCKED (PostgreSQL; SQLite locks the whole file instead): a row an attempt is counting right now
    # is left for next time rather than waited for, which could deadlock with that attempt.
    stale = (select(_counters.c.key).where(_counters.c.window_start <= (now or _now()) - WINDOW)
             .with_for_update(skip_locked=True))
    session.execute(delete(_counters).where(_counters.c.key.in_(stale.scalar_subquery())))
