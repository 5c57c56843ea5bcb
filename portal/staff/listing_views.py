"""The listing editor: an organisation's listings, one listing's form, "still accurate"."""
from __future__ import annotations

import datetime as dt
import uuid

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from i18n.languages import SUPPORTED
from portal.keys import DB_SESSIONS, SETTINGS
from portal.request_bodies import read_form
from portal.staff.pages import forbidden, render
from portal.staff.security import actor_of
from services_db.categories import CATEGORIES
from services_db.database import index_location
from services_db.editing import (
    ServiceForm, apply_form, confirm_accurate, form_from_post, form_from_service, missing_languages, snapshot,
    validate_form,
)
from services_db.freshness import is_stale
from services_db.hsds_validation import SERVICE_STATUSES, YES_NO_UNKNOWN
from services_db.models import Location, Organization, Service, ServiceAtLocation
from services_db.opening_hours import WEEKDAY_CODES
from staff.audit import record_change
from staff.roles import REVIEWER, STAFF, Actor


def _today() -> dt.date:
    return dt.date.today()


def _organization_or_404(db: Session, organization_id: str) -> Organization:
    organization = db.get(Organization, organization_id)
    if organization is None:
        raise web.HTTPNotFound(text="No such organisation.")
    return organization


def _service_or_404(db: Session, service_id: str) -> Service:
    service = db.get(Service, service_id)
    if service is None:
        raise web.HTTPNotFound(text="No such listing.")
    return service


async def home(request: web.Request) -> web.Response:
    actor = actor_of(request)
    if actor.role == STAFF:
        raise web.HTTPSeeOther(f"/portal/orgs/{actor.organization_id}")
    if actor.role == REVIEWER:
        raise web.HTTPSeeOther("/portal/reviews")  # a legal reviewer has no listings to see
    with request.app[DB_SESSIONS]() as db:
        rows = db.execute(
            select(Organization.id, Organization.name, func.count(Service.id))
            .outerjoin(Service, Service.organization_id == Organization.id)
            .group_by(Organization.id, Organization.name).order_by(Organization.name)
        ).all()
    return render(request, "home.html", {"organizations": rows})


async def organization_page(request: web.Request) -> web.Response:
    actor = actor_of(request)
    organization_id = request.match_info["organization_id"]
    settings = request.app[SETTINGS]
    with request.app[DB_SESSIONS]() as db:
        organization = _organization_or_404(db, organization_id)
        if not actor.can_read(organization_id):
            raise forbidden()
        services = sorted(organization.services, key=lambda s: s.name.lower())
        listings = [{"id": s.id, "name": s.name, "category": s.category, "status": s.status,
                     "assured_date": s.assured_date, "stale": is_stale(s.assured_date, settings),
                     "missing": missing_languages(t.language for t in s.translations if t.name.strip())}
                    for s in services]
        name = organization.name
    return render(request, "organization.html", {
        "organization_id": organization_id, "organization_name": name, "listings": listings,
        "stale": [listing for listing in listings if listing["stale"]],
        "can_write": actor.can_write(organization_id), "saved": request.query.get("saved"),
    })


def _form_page(request: web.Request, actor: Actor, organization_id: str, organization_name: str,
               service_id: str | None, form: ServiceForm, errors: dict, status: int = 200) -> web.Response:
    return render(request, "service_form.html", {
        "organization_id": organization_id, "organization_name": organization_name, "service_id": service_id,
        "form": form, "errors": errors, "read_only": not actor.can_write(organization_id),
        "categories": CATEGORIES, "statuses": SERVICE_STATUSES, "id_choices": YES_NO_UNKNOWN,
        "weekdays": list(enumerate(WEEKDAY_CODES)), "supported": SUPPORTED,
        "missing": form.missing_translations(),
    }, status=status)


async def service_page(request: web.Request) -> web.Response:
    actor = actor_of(request)
    with request.app[DB_SESSIONS]() as db:
        service = _service_or_404(db, request.match_info["service_id"])
        if not actor.can_read(service.organization_id):
            raise forbidden()
        return _form_page(request, actor, service.organization_id, service.organization.name, service.id,
                          form_from_service(service), {})


async def _posted_form(request: web.Request) -> ServiceForm:
    data = await read_form(request)
    return form_from_post({k: str(v) for k, v in data.items() if isinstance(v, str)},
                          [str(v) for v in data.getall("languages_spoken", [])])


async def save_service(request: web.Request) -> web.Response:
    actor = actor_of(request)
    form = await _posted_form(request)
    with request.app[DB_SESSIONS].begin() as db:
        service = _service_or_404(db, request.match_info["service_id"])
        if not actor.can_write(service.organization_id):
            raise forbidden()
        errors = validate_form(form)
        if errors:
            return _form_page(request, actor, service.organization_id, service.organization.name, service.id,
                              form, errors, status=400)
        before = snapshot(service)
        apply_form(db, service, form, _today())
        db.flush()
        record_change(db, actor, "update", "service", service.id, service.organization_id, before, snapshot(service))
        organization_id = service.organization_id
    raise web.HTTPSeeOther(f"/portal/orgs/{organization_id}?saved={service.id}")


async def new_service_page(request: web.Request) -> web.Response:
    actor = actor_of(request)
    organization_id = request.match_info["organization_id"]
    with request.app[DB_SESSIONS]() as db:
        organization = _organization_or_404(db, organization_id)
        if not actor.can_write(organization_id):
            raise forbidden()
        return _form_page(request, actor, organization_id, organization.name, None, ServiceForm(), {})


async def create_service(request: web.Request) -> web.Response:
    actor = actor_of(request)
    organization_id = request.match_info["organization_id"]
    form = await _posted_form(request)
    with request.app[DB_SESSIONS].begin() as db:
        organization = _organization_or_404(db, organization_id)
        if not actor.can_write(organization_id):
            raise forbidden()
        errors = validate_form(form)
        if errors:
            return _form_page(request, actor, organization_id, organization.name, None, form, errors, status=400)
        service_id, location_id = f"svc-{uuid.uuid4().hex[:12]}", f"loc-{uuid.uuid4().hex[:12]}"
        db.add(Location(id=location_id, organization_id=organization_id, name=form.name, address=form.address,
                        latitude=float(form.latitude), longitude=float(form.longitude), timezone=form.timezone))
        db.flush()
        index_location(db, location_id, float(form.latitude), float(form.longitude))
        service = Service(id=service_id, organization_id=organization_id, name=form.name, category=form.category)
        service.service_at_locations = [ServiceAtLocation(id=f"{service_id}-at-{location_id}", location_id=location_id)]
        db.add(service)
        db.flush()
        apply_form(db, service, form, _today())
        db.flush()
        record_change(db, actor, "create", "service", service_id, organization_id, None, snapshot(service))
    raise web.HTTPSeeOther(f"/portal/orgs/{organization_id}?saved={service_id}")


async def confirm_service(request: web.Request) -> web.Response:
    actor = actor_of(request)
    with request.app[DB_SESSIONS].begin() as db:
        service = _service_or_404(db, request.match_info["service_id"])
        if not actor.can_write(service.organization_id):
            raise forbidden()
        before = service.assured_date.isoformat() if service.assured_date else None
        confirm_accurate(service, _today())
        record_change(db, actor, "confirm", "service", service.id, service.organization_id,
                      {"assured_date": before}, {"assured_date": service.assured_date.isoformat()})
        organization_id = service.organization_id
    raise web.HTTPSeeOther(f"/portal/orgs/{organization_id}")
