"""The portal's event loop never waits for its database. While a staff page waits on a slow database (a
query that takes a second, or another process holding SQLite's write lock), the health check and the
widget's files, which need no database, are answered at once: every view's database work, and the
security middleware's session lookup, runs in a worker thread (portal/offload.py).

With the database calls made on the event loop, the loop sleeps with the query: the health check is
only answered once the slow query is over (first test), or not before SQLite gives up on the lock
(second test)."""
from __future__ import annotations

import re
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.portal.conftest import ORG_A, logged_in
from tests.portal_client import PortalClient, PortalServer

SLOW_SECONDS = 1.0
WIDGET_JS = (Path(__file__).resolve().parents[2] / "widget" / "widget.js").read_bytes()
CLINIC = "svc-arroios-clinica"


class SlowQueries:
    """Makes the statements matching a pattern take SLOW_SECONDS, in whichever thread runs them, and
    says when the first one starts and ends its wait."""

    def __init__(self) -> None:
        self.pattern: re.Pattern[str] | None = None
        self.entered, self.left = threading.Event(), threading.Event()

    def __call__(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        pattern = self.pattern
        if pattern is None or not pattern.search(statement):
            return
        self.pattern = None  # one slow statement per request under test
        self.entered.set()
        self.left.wait(SLOW_SECONDS)
        self.left.set()

    def arm(self, pattern: str) -> None:
        self.entered.clear()
        self.left.clear()
        self.pattern = re.compile(pattern)


@pytest.fixture
def slow_queries() -> Iterator[SlowQueries]:
    slow = SlowQueries()
    event.listen(Engine, "before_cursor_execute", slow)  # every engine, the portal's own included
    yield slow
    slow.pattern = None
    event.remove(Engine, "before_cursor_execute", slow)


def _health_and_widget(server: PortalServer) -> tuple[requests.Response, requests.Response]:
    # The timeout only keeps a failing run short: answered at once, these take milliseconds.
    health = requests.get(server.url + "/health", timeout=3)
    widget = requests.get(server.url + "/widget/widget.js", timeout=3)
    return health, widget


# (what the staff page does, a statement of its own database work, something the finished page shows)
PAGES: list[tuple[str, Callable[[PortalClient], requests.Response], str, str]] = [
    ("home", lambda c: c.get("/portal/"), r"count\(service\.id\)", "Saúde Popular"),
    ("organisation", lambda c: c.get(f"/portal/orgs/{ORG_A}"), r"FROM organization\b", "Clínica Popular de Arroios"),
    ("listing", lambda c: c.get(f"/portal/services/{CLINIC}"), r"FROM service\b", "Clínica Popular de Arroios"),
    ("confirm", lambda c: c.post(f"/portal/services/{CLINIC}/confirm"), r"^UPDATE service\b", ""),
    ("export", lambda c: c.get(f"/portal/orgs/{ORG_A}/export.json"), r"FROM location\b", '"Rua '),
    ("audit log", lambda c: c.get("/portal/audit"), r"FROM audit_entry\b", "Audit log"),
    ("accounts", lambda c: c.get("/portal/accounts"), r"ORDER BY staff_account\.username", "staff-a"),
    ("reviews", lambda c: c.get("/portal/reviews"), r"FROM topic_review_event\b", "Legal review"),
    # The Rasa server is not running: the console finds the place by itself, and the nearest services.
    ("console search", lambda c: c.post("/console", {"q": "clínica em Arroios", "operator_language": "en"}),
     r"FROM service\b", "Clínica Popular de Arroios"),
]


@pytest.mark.parametrize("name, visit, statement, shown", PAGES, ids=[page[0] for page in PAGES])
def test_a_slow_query_of_a_staff_page_stalls_nothing_else(server: PortalServer, slow_queries: SlowQueries, name: str,
                                                           visit: Callable[[PortalClient], requests.Response],
                                                           statement: str, shown: str) -> None:
    client = logged_in(server, "admin")
    slow_queries.arm(statement)
    with ThreadPoolExecutor(1) as pool:
        page = pool.submit(visit, client)
        assert slow_queries.entered.wait(10), f"the {name} page never ran {statement!r}"
        health, widget = _health_and_widget(server)
        answered_during_the_query = not slow_queries.left.is_set()
        reply = page.result(timeout=30)
    assert answered_during_the_query, f"/health waited for the {name} page's database query"
    assert health.json() == {"status": "ok"}
    assert widget.status_code == 200 and widget.content == WIDGET_JS
    # The slow page itself is served in full once its query is done.
    if name == "confirm":
        assert reply.status_code == 303 and reply.headers["Location"] == f"/portal/orgs/{ORG_A}"
    else:
        assert reply.status_code == 200, reply.text[:300]
        assert shown in reply.text


def test_a_locked_database_delays_staff_pages_but_not_the_health_check(
        server: PortalServer, slow_queries: SlowQueries) -> None:
    client = logged_in(server, "operator")
    # Any staff page touches its session's idle clock: a write, which waits for the lock.
    slow_queries.arm(r"^UPDATE staff_session\b")
    slow_queries.left.set()  # no added delay here: the lock is what makes it wait
    holder = sqlite3.connect(server.db_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with ThreadPoolExecutor(1) as pool:
            page = pool.submit(client.get, "/console")
            assert slow_queries.entered.wait(10), "the console page never touched its session"
            try:
                health, widget = _health_and_widget(server)
            except requests.Timeout:
                pytest.fail("/health was not answered while a staff page waited for the database's write lock")
            assert not page.done()  # still waiting for the lock, which this test holds
            holder.execute("ROLLBACK")
            reply = page.result(timeout=30)
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    assert health.json() == {"status": "ok"}
    assert widget.status_code == 200 and widget.content == WIDGET_JS
    assert reply.status_code == 200 and "Hotline console" in reply.text
