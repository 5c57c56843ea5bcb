"""The directory's unit of work (services_db/unit_of_work.py) and the portal's way of running one off the
event loop (portal/offload.py): committed on success, rolled back on error, ownership checked before
anything is read or written, the spatial index kept in step, and the event loop free while it runs."""
from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from portal.keys import DB_SESSIONS
from portal.offload import in_unit_of_work
from services_db.database import make_engine, session_factory
from services_db.geo import Point
from services_db.listing import SearchFilters
from services_db.models import Location, Organization
from services_db.repository import SqliteDirectory
from services_db.sample_loader import load_directory_file
from services_db.unit_of_work import Forbidden, NotFound, UnitOfWork
from settings import get_settings
from staff.roles import ADMIN, OPERATOR, STAFF, Actor

ORG_A, ORG_B = "org-saude-popular-arroios", "org-casa-justa"
CLINIC = "svc-arroios-clinica"
ADMIN_ACTOR = Actor(1, "admin", ADMIN, None)
STAFF_A = Actor(2, "staff-a", STAFF, ORG_A)
OPERATOR_ACTOR = Actor(3, "operator", OPERATOR, None)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'directory.sqlite3'}")
    load_directory_file(engine, Path(get_settings().sample_directory_json))
    return session_factory(engine)


def _name(sessions: sessionmaker[Session], organization_id: str) -> str:
    with sessions() as db:
        return db.execute(select(Organization.name).where(Organization.id == organization_id)).scalar_one()


def test_commits_when_the_block_ends_and_rolls_back_when_it_raises(sessions: sessionmaker[Session]) -> None:
    with UnitOfWork(sessions) as uow:
        uow.organization(ORG_A, STAFF_A, write=True).name = "Renamed"
    assert _name(sessions, ORG_A) == "Renamed"
    with pytest.raises(ValueError), UnitOfWork(sessions) as uow:
        uow.organization(ORG_A, STAFF_A, write=True).name = "Half done"
        uow.flush()  # written to the database, then rolled back
        raise ValueError("a check failed")
    assert _name(sessions, ORG_A) == "Renamed"


def test_ownership_is_checked_before_anything_is_written(sessions: sessionmaker[Session]) -> None:
    with UnitOfWork(sessions) as uow:
        with pytest.raises(NotFound) as missing:
            uow.service("svc-nowhere", ADMIN_ACTOR)
        assert missing.value.what == "service"
        with pytest.raises(NotFound):
            uow.organization("org-nowhere", ADMIN_ACTOR)
        with pytest.raises(Forbidden):
            uow.organization(ORG_B, STAFF_A)  # staff read only their own organisation
        assert uow.service(CLINIC, STAFF_A, write=True).organization_id == ORG_A
        assert uow.organization(ORG_B, OPERATOR_ACTOR).id == ORG_B  # operators read everything...
        with pytest.raises(Forbidden):
            uow.service(CLINIC, OPERATOR_ACTOR, write=True)  # ...and change nothing


def test_a_location_added_through_it_is_found_by_the_nearest_search(sessions: sessionmaker[Session]) -> None:
    with UnitOfWork(sessions) as uow:
        uow.organization(ORG_A, STAFF_A, write=True)
        uow.add_location(Location(id="loc-new", organization_id=ORG_A, name="New", address="Somewhere",
                                  latitude=38.7200, longitude=-9.1300, timezone="Europe/Lisbon"))
    with sessions() as db:
        indexed = db.execute(text("SELECT r.min_lat, r.min_lon FROM location_rtree r JOIN location l ON l.rowid = r.id "
                                  "WHERE l.id = 'loc-new'")).one()
    assert indexed == pytest.approx((38.72, -9.13), abs=1e-4)
    # and a failed unit leaves the index as it was
    with pytest.raises(RuntimeError), UnitOfWork(sessions) as uow:
        uow.add_location(Location(id="loc-gone", organization_id=ORG_A, name="Gone", address="Nowhere",
                                  latitude=1.0, longitude=1.0, timezone="Europe/Lisbon"))
        raise RuntimeError
    with sessions() as db:
        assert db.execute(text("SELECT count(*) FROM location_rtree WHERE min_lat < 2")).scalar_one() == 0
    directory = SqliteDirectory(sessions.kw["bind"])
    assert directory.nearest(Point(1.0, 1.0), 1, SearchFilters(), 10_000) == []


def test_an_import_may_not_name_another_organisations_records(sessions: sessionmaker[Session]) -> None:
    document: dict[str, Any] = {
        "organizations": [{"id": ORG_A}, {"id": ORG_B}],
        "services": [{"id": "svc-casajusta-procura", "organization_id": ORG_A,
                      "phones": [{"id": "svc-casajusta-procura-phone-0"}]}],
    }
    with UnitOfWork(sessions) as uow:
        problems = {(p.table, p.record, p.message) for p in uow.foreign_records(ORG_A, document)}
    assert ("organization", ORG_B, "is not your organisation") in problems
    assert ("service", "svc-casajusta-procura", "belongs to another organisation") in problems
    assert ("phone", "svc-casajusta-procura-phone-0", "belongs to another organisation") in problems


def test_the_unit_runs_in_a_worker_thread_while_the_loop_keeps_ticking(sessions: sessionmaker[Session]) -> None:
    """A database that takes half a second to answer: the loop goes on serving meanwhile."""
    slow = sessionmaker(sessions.kw["bind"], future=True)
    threads: list[str] = []

    def slow_name(uow: UnitOfWork, organization_id: str) -> str:
        threads.append(threading.current_thread().name)
        time.sleep(0.5)
        return uow.organization(organization_id, ADMIN_ACTOR).name

    async def main() -> tuple[str, int, int]:
        app = web.Application()
        app[DB_SESSIONS] = slow
        request = make_mocked_request("GET", "/", app=app)
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        name = await in_unit_of_work(request, slow_name, ORG_B)
        during = ticks
        with pytest.raises(web.HTTPNotFound) as missing:
            await in_unit_of_work(request, slow_name, "org-nowhere")
        with pytest.raises(web.HTTPForbidden):
            await in_unit_of_work(request, lambda uow: uow.organization(ORG_B, STAFF_A))
        ticker.cancel()
        assert missing.value.text == "No such organisation."
        return name, during, ticks

    name, during, _ = asyncio.run(main())
    assert name == "Associação Casa Justa"
    assert during >= 20  # ~50 ticks of 10 ms in half a second; none if the loop had slept with the query
    assert threads and threading.main_thread().name not in threads
