"""One unit of work on the directory database (cosmicpython, chapter 6): the session, the checks of who
may read or change an organisation's records, and the spatial index, kept or dropped together.

    with UnitOfWork(sessions) as uow:
        service = uow.service(service_id, actor, write=True)
        ...
    # committed here; an exception anywhere inside rolls everything back

Synchronous on purpose, like every SQLAlchemy call: the portal runs each unit in a worker thread
(portal/offload.py), so that a slow database never stalls its event loop."""
from __future__ import annotations

from types import TracebackType
from typing import Any, Iterator, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services_db.database import index_location
from services_db.hsds_validation import CHILD_TABLES, Problem, child_id
from services_db.models import Language, Location, Organization, Phone, Schedule, Service, ServiceAtLocation

CHILD_MODELS = {"phones": Phone, "schedules": Schedule, "languages": Language,
                "service_at_locations": ServiceAtLocation}
IN_BATCH = 500  # ids per IN (...): SQLite allows a few thousand bound values per statement, a file has more


class NotFound(LookupError):
    """No such record; `what` is its kind ("organization", "service") for the page."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Forbidden(PermissionError):
    """The record exists, but this actor may not read it, or not change it."""


class Permissions(Protocol):
    """What the unit of work asks of an actor (staff.roles.Actor answers it)."""

    def can_read(self, organization_id: str | None) -> bool: ...

    def can_write(self, organization_id: str | None) -> bool: ...


class UnitOfWork:
    """A session for one use of the directory: committed when the block ends normally, rolled back when
    it raises (a refusal, a validation failure, a clash), and closed either way."""

    session: Session

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            if kind is None:
                self.commit()
            else:
                self.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def add(self, record: Any) -> None:
        self.session.add(record)

    def flush(self) -> None:
        self.session.flush()

    # --- ownership: 404 before 403, so that a refusal does not say more than a missing record ---

    def organization(self, organization_id: str, actor: Permissions, write: bool = False) -> Organization:
        organization = self.session.get(Organization, organization_id)
        if organization is None:
            raise NotFound("organization")
        _check(actor, organization.id, write)
        return organization

    def service(self, service_id: str, actor: Permissions, write: bool = False) -> Service:
        service = self.session.get(Service, service_id)
        if service is None:
            raise NotFound("service")
        _check(actor, service.organization_id, write)
        return service

    # --- the spatial index follows every location written through here ---

    def add_location(self, location: Location) -> None:
        self.session.add(location)
        self.reindex(location)

    def reindex(self, location: Location) -> None:
        self.session.flush()  # the row (and, on SQLite, its rowid) first
        index_location(self.session, location.id, location.latitude, location.longitude)

    # --- an import may only touch its own organisation's records ---

    def foreign_records(self, organization_id: str, document: dict[str, Any]) -> list[Problem]:
        """Records of the file that would land in, or take over, another organisation. Runs on files that
        failed validation too, so that one pass reports every problem."""
        problems = []
        organizations = _objects(document.get("organizations"))
        for org in organizations:
            if org.get("id") != organization_id:
                problems.append(Problem("organization", str(org.get("id")), "id", "is not your organisation"))
        if not any(org.get("id") == organization_id for org in organizations):
            problems.append(Problem("organization", organization_id, "id", "the file must contain your organisation"))
        for table, model in (("services", Service), ("locations", Location)):
            records = _objects(document.get(table))
            for record in records:
                if record.get("organization_id") != organization_id:
                    problems.append(Problem(table[:-1], str(record.get("id")), "organization_id",
                                            "is not your organisation"))
            for batch in _batches({r["id"] for r in records if isinstance(r.get("id"), str)}):
                rows = self.session.execute(select(model.id, model.organization_id).where(model.id.in_(batch)))
                for record_id, owner in rows:
                    if owner != organization_id:
                        problems.append(Problem(table[:-1], record_id, "id", "belongs to another organisation"))
        # A service's own records have ids too: naming another organisation's would move it here, or clash.
        services = [s for s in _objects(document.get("services")) if isinstance(s.get("id"), str)]
        for table, model in CHILD_MODELS.items():
            ids = [child_id(service["id"], table, index, item) for service in services
                   for index, item in enumerate(_objects(service.get(table)))]
            for batch in _batches({i for i in ids if isinstance(i, str)}):
                owners = self.session.execute(select(model.id, Service.organization_id)
                                              .outerjoin(Service, Service.id == model.service_id)
                                              .where(model.id.in_(batch)))
                for record_id, owner in owners:
                    if owner != organization_id:
                        problems.append(Problem(CHILD_TABLES[table], record_id, "id",
                                                "belongs to another organisation"))
        return problems


def _check(actor: Permissions, organization_id: str, write: bool) -> None:
    if not (actor.can_write(organization_id) if write else actor.can_read(organization_id)):
        raise Forbidden()


def _batches(ids: set[str]) -> Iterator[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), IN_BATCH):
        yield ordered[start:start + IN_BATCH]


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a list; validation reports anything else, this check just skips it."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
