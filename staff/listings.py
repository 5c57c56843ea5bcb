"""What staff do with their organisation's listings: the overview, one listing's form, saving, creating
and confirming it, and the organisation's listings out (HSDS) and in. Each runs in one unit of work
(services_db/unit_of_work.py), which checks who may read or change what, with its audit entry; a
refusal or a failed check rolls all of it back. Plain data comes out, never an ORM object, so callers
hold no session. Synchronous: the portal calls these in a worker thread."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services_db.editing import (
    FieldError, ServiceForm, apply_form, confirm_accurate, form_from_service, missing_languages, snapshot,
    validate_form,
)
from services_db.freshness import is_stale
from services_db.hsds_io import export_from_session, import_into_session
from services_db.hsds_validation import Problem, ValidationFailed, validate_document
from services_db.models import Location, Organization, Service, ServiceAtLocation
from services_db.unit_of_work import UnitOfWork
from settings import Settings
from staff.audit import record_change
from staff.roles import Actor

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListingRow:
    id: str
    name: str
    category: str
    status: str
    assured_date: dt.date | None
    stale: bool
    missing: list[str]  # launch languages without a name yet


@dataclass(frozen=True)
class OrganizationListings:
    id: str
    name: str
    listings: list[ListingRow]


@dataclass(frozen=True)
class EditorPage:
    """What the listing form shows: whose listing, which one (None for a new one) and its fields."""

    organization_id: str
    organization_name: str
    service_id: str | None
    form: ServiceForm


class InvalidListing(ValueError):
    """The form has mistakes: nothing was saved. Carries the page to show again with them."""

    def __init__(self, page: EditorPage, errors: dict[str, FieldError]) -> None:
        super().__init__(sorted(errors))
        self.page, self.errors = page, errors


# --- reading ------------------------------------------------------------------------------------

def organizations_overview(uow: UnitOfWork) -> list[tuple[str, str, int]]:
    """(id, name, number of listings) of every organisation, by name."""
    rows = uow.session.execute(
        select(Organization.id, Organization.name, func.count(Service.id))
        .outerjoin(Service, Service.organization_id == Organization.id)
        .group_by(Organization.id, Organization.name).order_by(Organization.name)
    ).all()
    return [(organization_id, name, count) for organization_id, name, count in rows]


def organization_listings(uow: UnitOfWork, actor: Actor, organization_id: str,
                          settings: Settings) -> OrganizationListings:
    organization = uow.organization(organization_id, actor)
    listings = [ListingRow(s.id, s.name, s.category, s.status, s.assured_date, is_stale(s.assured_date, settings),
                           missing_languages(t.language for t in s.translations if t.name.strip()))
                for s in sorted(organization.services, key=lambda s: s.name.lower())]
    return OrganizationListings(organization.id, organization.name, listings)


def listing_editor(uow: UnitOfWork, actor: Actor, service_id: str) -> EditorPage:
    """An existing listing's form; anyone who may read the organisation sees it (read-only if they may not
    change it)."""
    service = uow.service(service_id, actor)
    return EditorPage(service.organization_id, service.organization.name, service.id, form_from_service(service))


def new_listing_editor(uow: UnitOfWork, actor: Actor, organization_id: str) -> EditorPage:
    organization = uow.organization(organization_id, actor, write=True)
    return EditorPage(organization.id, organization.name, None, ServiceForm())


# --- writing ------------------------------------------------------------------------------------

def save_listing(uow: UnitOfWork, actor: Actor, service_id: str, form: ServiceForm, today: dt.date) -> str:
    """Saves the form onto the listing; the organisation's id. InvalidListing if the form has mistakes."""
    service = uow.service(service_id, actor, write=True)
    errors = validate_form(form)
    if errors:
        raise InvalidListing(EditorPage(service.organization_id, service.organization.name, service.id, form), errors)
    before = snapshot(service)
    apply_form(uow, service, form, today)
    uow.flush()
    record_change(uow.session, actor, "update", "service", service.id, service.organization_id, before,
                  snapshot(service))
    return service.organization_id


def create_listing(uow: UnitOfWork, actor: Actor, organization_id: str, form: ServiceForm, today: dt.date) -> str:
    """A new listing at a new location from the form; its id. InvalidListing if the form has mistakes."""
    organization = uow.organization(organization_id, actor, write=True)
    errors = validate_form(form)
    if errors:
        raise InvalidListing(EditorPage(organization.id, organization.name, None, form), errors)
    service_id, location_id = f"svc-{uuid.uuid4().hex[:12]}", f"loc-{uuid.uuid4().hex[:12]}"
    uow.add_location(Location(id=location_id, organization_id=organization_id, name=form.name, address=form.address,
                              latitude=float(form.latitude), longitude=float(form.longitude), timezone=form.timezone))
    service = Service(id=service_id, organization_id=organization_id, name=form.name, category=form.category)
    service.service_at_locations = [ServiceAtLocation(id=f"{service_id}-at-{location_id}", location_id=location_id)]
    uow.add(service)
    uow.flush()
    apply_form(uow, service, form, today)
    uow.flush()
    record_change(uow.session, actor, "create", "service", service_id, organization_id, None, snapshot(service))
    return service_id


def confirm_listing(uow: UnitOfWork, actor: Actor, service_id: str, today: dt.date) -> str:
    """"Still accurate": the listing is confirmed as of today; the organisation's id."""
    service = uow.service(service_id, actor, write=True)
    before = service.assured_date.isoformat() if service.assured_date else None
    confirm_accurate(service, today)
    record_change(uow.session, actor, "confirm", "service", service.id, service.organization_id,
                  {"assured_date": before}, {"assured_date": service.assured_date.isoformat()})
    return service.organization_id


# --- an organisation's listings out and in (HSDS) ------------------------------------------------

def check_organization(uow: UnitOfWork, actor: Actor, organization_id: str, write: bool) -> None:
    """NotFound or Forbidden unless the actor may read (or change) this organisation."""
    uow.organization(organization_id, actor, write=write)


def export_listings(uow: UnitOfWork, actor: Actor, organization_id: str) -> dict[str, Any]:
    uow.organization(organization_id, actor)
    return export_from_session(uow.session, [organization_id])


def import_listings(uow: UnitOfWork, actor: Actor, organization_id: str, document: dict[str, Any]) -> dict[str, int]:
    """Replaces the organisation's listings with the document's, with its audit entry; counts per table.
    ValidationFailed lists every problem of the file, its records of other organisations included."""
    uow.organization(organization_id, actor, write=True)
    try:
        validate_document(document)
        problems: list[Problem] = []
    except ValidationFailed as failure:
        problems = failure.problems
    problems += uow.foreign_records(organization_id, document)
    if problems:
        raise ValidationFailed(problems)
    try:
        before = export_from_session(uow.session, [organization_id])
        counts = import_into_session(uow.session, document)
        uow.flush()
        record_change(uow.session, actor, "import", "organization", organization_id, organization_id, before,
                      export_from_session(uow.session, [organization_id]))
        uow.commit()
    except IntegrityError:
        # Checked above, so only a record made by someone else while this import ran: rolled back, say so.
        uow.rollback()
        logger.warning("import for %s clashed with a concurrent change", organization_id)
        raise ValidationFailed([Problem("document", "-", "id", "names a record that was just created elsewhere; "
                                        "import the file again")]) from None
    return counts
