"""One real portal server per test module, on its own directory database with the sample listings."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from staff.roles import ADMIN, OPERATOR, STAFF
from tests.portal_client import PortalClient, PortalServer

ORG_A = "org-saude-popular-arroios"
ORG_B = "org-casa-justa"


@pytest.fixture(scope="module")
def portal_settings() -> dict[str, Any]:
    """Settings the module's server starts with instead of the defaults; a test module overrides this."""
    return {}


@pytest.fixture(scope="module")
def server(portal_settings: dict[str, Any]) -> Iterator[PortalServer]:
    running = PortalServer(Path(tempfile.mkdtemp(prefix="portal-test-")), **portal_settings)
    running.add_account("admin", ADMIN)
    running.add_account("staff-a", STAFF, ORG_A)
    running.add_account("staff-b", STAFF, ORG_B)
    running.add_account("operator", OPERATOR)
    yield running
    running.stop()


@pytest.fixture
def client(server: PortalServer) -> PortalClient:
    return PortalClient(server)


def logged_in(server: PortalServer, username: str) -> PortalClient:
    client = PortalClient(server)
    reply = client.login(username)
    assert reply.status_code == 303, reply.text
    assert client.get("/console").status_code == 200  # every role's page; it carries the session's CSRF token
    return client
