"""Password guessing against the staff login, from one address and from many: the guesser locks only
himself out, the real owner still gets in (a little later), and parallel guesses cannot beat the count.

The portal sits behind a reverse proxy in production; these tests play the proxy, telling the portal each
client's address in the header it is configured to trust."""
from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from typing import Any, Iterator

import pytest
import requests

import staff.accounts
from services_db.database import session_factory
from settings import get_settings
from staff.login_throttle import ADDRESS_LIMIT, MAX_DELAY_SECONDS, PAIR_LIMIT, slowdown
from staff.models import LoginCounter
from staff.roles import ADMIN, OPERATOR
from tests.portal_client import PASSWORD, PortalClient, PortalServer

PROXY_HEADER = "X-Forwarded-For"


@pytest.fixture(scope="module")
def portal_settings() -> dict[str, Any]:
    """This module's server is configured to trust the proxy's header, as a deployment behind one is."""
    return {"portal_trusted_proxy_header": PROXY_HEADER}


class CountingHasher:
    """The real password hasher, counting how many passwords it was asked to check."""

    def __init__(self, real: Any) -> None:
        self.real, self.verified, self._lock = real, 0, threading.Lock()

    def verify(self, hashed: str, password: str) -> bool:
        with self._lock:
            self.verified += 1
        return self.real.verify(hashed, password)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingHasher]:
    counting = CountingHasher(staff.accounts._hasher)
    monkeypatch.setattr(staff.accounts, "_hasher", counting)
    yield counting


def client_at(server: PortalServer, address: str) -> PortalClient:
    client = PortalClient(server)
    client.extra_headers[PROXY_HEADER] = address
    client.get("/portal/login")
    return client


def attempt(server: PortalServer, username: str, address: str, password: str) -> requests.Response:
    client = client_at(server, address)
    return client.post("/portal/login", {"username": username, "password": password})


def in_parallel(server: PortalServer, guesses: list[tuple[str, str, str]]) -> list[int]:
    """Every (name, address, password) posted at the same moment, each from its own client."""
    clients = [client_at(server, address) for _, address, _ in guesses]
    start = threading.Barrier(len(guesses))
    statuses: list[int] = [0] * len(guesses)

    def post(i: int) -> None:
        username, _, password = guesses[i]
        start.wait()
        statuses[i] = clients[i].post("/portal/login", {"username": username, "password": password}).status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(guesses))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def timed_login(server: PortalServer, username: str, address: str) -> tuple[int, float]:
    client = client_at(server, address)
    started = time.monotonic()
    status = client.post("/portal/login", {"username": username, "password": PASSWORD}).status_code
    return status, time.monotonic() - started


def test_a_parallel_burst_of_guesses_checks_no_more_passwords_than_the_limit(server: PortalServer,
                                                                            hasher: CountingHasher) -> None:
    server.add_account("burst.target", ADMIN)
    statuses = in_parallel(server, [("burst.target", "10.1.0.1", f"wrong-{i}") for i in range(10)])
    assert set(statuses) <= {401, 429} and statuses.count(429) >= 10 - PAIR_LIMIT
    assert hasher.verified <= PAIR_LIMIT
    # The address stays locked out for this name, right password or not, without a password check.
    before = hasher.verified
    assert attempt(server, "burst.target", "10.1.0.1", PASSWORD).status_code == 429
    assert hasher.verified == before


def test_an_attacker_locks_only_himself_out_the_owner_logs_in_from_elsewhere(server: PortalServer) -> None:
    server.add_account("owner", ADMIN)
    statuses = [attempt(server, "owner", "203.0.113.9", f"guess-{i}").status_code for i in range(PAIR_LIMIT + 2)]
    assert statuses[:PAIR_LIMIT - 1] == [401] * (PAIR_LIMIT - 1) and statuses[-1] == 429
    page = attempt(server, "owner", "203.0.113.9", PASSWORD)
    assert page.status_code == 429 and "Too many failed attempts" in page.text
    assert attempt(server, "owner", "198.51.100.20", PASSWORD).status_code == 303
    # The block ends with its window.
    with session_factory(server.engine).begin() as db:
        for row in db.query(LoginCounter):
            row.window_start -= dt.timedelta(minutes=16)
    assert attempt(server, "owner", "203.0.113.9", PASSWORD).status_code == 303


def test_one_address_spraying_many_names_is_blocked(server: PortalServer) -> None:
    server.add_account("sprayed", OPERATOR)
    sprayer = "192.0.2.77"
    statuses = in_parallel(server, [(f"nobody-{i}", sprayer, "Winter2026!") for i in range(ADDRESS_LIMIT)])
    assert statuses.count(401) >= ADDRESS_LIMIT - 1  # each name was tried once: no pair was blocked
    assert attempt(server, "sprayed", sprayer, PASSWORD).status_code == 429
    assert attempt(server, "sprayed", "192.0.2.78", PASSWORD).status_code == 303


def test_guesses_from_many_addresses_slow_the_name_down_but_never_lock_the_owner_out(server: PortalServer) -> None:
    server.add_account("popular", ADMIN)
    status, baseline = timed_login(server, "popular", "100.64.0.1")
    assert status == 303
    # Twelve addresses, one wrong guess each: twelve failures for the name, no address blocked.
    in_parallel(server, [("popular", f"100.64.1.{i}", "wrong") for i in range(12)])
    status, slowed = timed_login(server, "popular", "100.64.0.2")
    assert status == 303
    assert slowed - baseline >= slowdown(12) * 0.9 > 0
    # Twelve more: the delay has grown to its cap, and stops there.
    in_parallel(server, [("popular", f"100.64.2.{i}", "wrong") for i in range(12)])
    status, capped = timed_login(server, "popular", "100.64.0.3")
    assert status == 303
    assert slowdown(24) == MAX_DELAY_SECONDS > slowdown(12)
    assert MAX_DELAY_SECONDS * 0.9 <= capped - baseline < MAX_DELAY_SECONDS + 2.0


def test_only_hashes_of_names_and_addresses_are_stored(server: PortalServer) -> None:
    attempt(server, "hash.check", "198.18.0.42", "wrong password")
    with session_factory(server.engine)() as db:
        keys = [row.key for row in db.query(LoginCounter)]
    assert keys and all(len(key) == 64 and int(key, 16) >= 0 for key in keys)
    assert not any("198.18" in key or "hash.check" in key for key in keys)


def test_the_address_header_counts_only_when_the_portal_was_started_trusting_it() -> None:
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from portal.keys import SETTINGS
    from portal.staff.client_address import client_address

    class Peer:
        def get_extra_info(self, name: str, default: Any = None) -> Any:
            return ("127.0.0.1", 50000) if name == "peername" else default

    def address_seen(trusted: str) -> str:
        app = web.Application()
        app[SETTINGS] = dataclasses.replace(get_settings(), portal_trusted_proxy_header=trusted)
        request = make_mocked_request("POST", "/portal/login", app=app, transport=Peer(),
                                      headers={PROXY_HEADER: "198.51.100.1, 203.0.113.7"})
        return client_address(request)

    assert address_seen(PROXY_HEADER) == "203.0.113.7"  # the last address: the one the proxy saw
    assert address_seen("") == "127.0.0.1"  # the default: a header anyone could write is ignored
