"""The login throttle's counters on SQLite and PostgreSQL: parallel attempts never claim more than the
limit, a window's end starts a new count, and a right password gives its claims back."""
from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from services_db.database import create_schema, make_engine, session_factory
from staff.login_throttle import (
    ADDRESS_LIMIT, PAIR_LIMIT, WINDOW, Attempt, LoginBlocked, attempt_succeeded, begin_attempt,
)
from staff.models import LoginCounter


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, tmp_path: Path) -> Iterator[sessionmaker[Session]]:  # type: ignore[no-untyped-def]
    url = (f"sqlite:///{tmp_path / 'd.sqlite3'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    engine = make_engine(url)
    create_schema(engine)
    factory = session_factory(engine)
    with factory.begin() as db:
        db.execute(delete(LoginCounter))
    yield factory
    engine.dispose()


def _try(sessions: sessionmaker[Session], username: str, address: str,
         now: dt.datetime | None = None) -> Attempt | None:
    try:
        with sessions.begin() as db:
            return begin_attempt(db, username, address, now)
    except LoginBlocked:
        return None


def test_parallel_attempts_never_claim_more_than_the_limit(sessions: sessionmaker[Session]) -> None:
    results: list[Attempt | None] = []
    lock, start = threading.Lock(), threading.Barrier(16)

    def one() -> None:
        start.wait()
        outcome = _try(sessions, "target", "10.0.0.1")
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    allowed = [r for r in results if r is not None]
    assert len(results) == 16 and len(allowed) == PAIR_LIMIT
    assert sum(r.last_allowed for r in allowed) == 1
    assert _try(sessions, "target", "10.0.0.2") is not None  # another address is not blocked


def test_a_new_window_counts_afresh_and_a_right_password_gives_claims_back(sessions: sessionmaker[Session]) -> None:
    for _ in range(PAIR_LIMIT):
        assert _try(sessions, "someone", "10.0.0.3") is not None
    assert _try(sessions, "someone", "10.0.0.3") is None
    later = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + WINDOW + dt.timedelta(seconds=1)
    attempt = _try(sessions, "someone", "10.0.0.3", later)
    assert attempt is not None and not attempt.last_allowed
    with sessions.begin() as db:
        attempt_succeeded(db, attempt, later)
    with sessions() as db:
        counts = {row.key: row.failures for row in db.query(LoginCounter)}
    assert attempt.pair_key not in counts
    assert counts[attempt.address_key] == counts[attempt.name_key] == 0


def test_an_address_spraying_names_is_blocked_for_every_name(sessions: sessionmaker[Session]) -> None:
    for i in range(ADDRESS_LIMIT):
        assert _try(sessions, f"name-{i}", "10.0.0.4") is not None
    assert _try(sessions, "fresh-name", "10.0.0.4") is None
    assert _try(sessions, "fresh-name", "10.0.0.5") is not None


def test_logins_and_guesses_at_once_neither_deadlock_nor_fail(sessions: sessionmaker[Session]) -> None:
    """Successful logins give claims back and purge stale counters while other attempts are counting."""
    errors: list[BaseException] = []
    start = threading.Barrier(8)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    def worker(n: int) -> None:
        start.wait()
        try:
            for i in range(25):
                # Every other round a quarter of an hour later: yesterday's counters are stale, to be purged.
                at = now + (WINDOW + dt.timedelta(seconds=i)) * (i % 2)
                attempt = _try(sessions, f"name-{(n + i) % 3}", f"10.9.0.{(n * i) % 3}", at)
                if attempt is not None and (n + i) % 2:
                    with sessions.begin() as db:
                        attempt_succeeded(db, attempt, at)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
