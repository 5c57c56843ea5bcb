"""The listing editor: an organisation's listings, one listing's form, "still accurate". The work itself
is in staff/listings.py, run off the event loop (portal/offload.py)."""
from __future__ import annotations

import datetime as dt

from aiohttp import web

from i18n.languages import SUPPORTED
from portal.keys import SETTINGS
from portal.offload import in_unit_of_work
from portal.request_bodies import read_form
from portal.staff.pages import render
from portal.staff.security import actor_of
from services_db.categories import CATEGORIES
from services_db.editing import ServiceForm, form_from_post
from services_db.hsds_validation import SERVICE_STATUSES, YES_NO_UNKNOWN
from services_db.opening_hours import WEEKDAY_CODES
from staff.listings import (
    EditorPage, InvalidListing, confirm_listing, create_listing, listing_editor, new_listing_editor,
    organization_listings, organizations_overview, save_listing,
)
from staff.roles import REVIEWER, STAFF, Actor


def _today() -> dt.date:
    return dt.date.today()


async def home(request: web.Request) -> web.Response:
    actor = actor_of(request)
    if actor.role == STAFF:
        raise web.HTTPSeeOther(f"/portal/orgs/{actor.organization_id}")
    if actor.role == REVIEWER:
        raise web.HTTPSeeOther("/portal/reviews")  # a legal reviewer has no listings to see
    rows = await in_unit_of_work(request, organizations_overview)
    return render(request, "home.html", {"organizations": rows})


async def organization_page(request: web.Request) -> web.Response:
    actor = actor_of(request)
    organization = await in_unit_of_work(request, organization_listings, actor, request.match_info["organization_id"],
                                         request.app[SETTINGS])
    return render(request, "organization.html", {
        "organization_id": organization.id, "organization_name": organization.name,
        "listings": organization.listings, "stale": [listing for listing in organization.listings if listing.stale],
        "can_write": actor.can_write(organization.id), "saved": request.query.get("saved"),
    })


def _form_page(request: web.Request, actor: Actor, page: EditorPage, errors: dict | None = None,
               status: int = 200) -> web.Response:
    return render(request, "service_form.html", {
        "organization_id": page.organization_id, "organization_name": page.organization_name,
        "service_id": page.service_id, "form": page.form, "errors": errors or {},
        "read_only": not actor.can_write(page.organization_id),
        "categories": CATEGORIES, "statuses": SERVICE_STATUSES, "id_choices": YES_NO_UNKNOWN,
        "weekdays": list(enumerate(WEEKDAY_CODES)), "supported": SUPPORTED,
        "missing": page.form.missing_translations(),
    }, status=status)


async def service_page(request: web.Request) -> web.Response:
    actor = actor_of(request)
    page = await in_unit_of_work(request, listing_editor, actor, request.match_info["service_id"])
    return _form_page(request, actor, page)


async def _posted_form(request: web.Request) -> ServiceForm:
    data = await read_form(request)
    return form_from_post({k: str(v) for k, v in data.items() if isinstance(v, str)},
                          [str(v) for v in data.getall("languages_spoken", [])])


async def save_service(request: web.Request) -> web.Response:
    actor = actor_of(request)
    service_id = request.match_info["service_id"]
    form = await _posted_form(request)
    try:
        organization_id = await in_unit_of_work(request, save_listing, actor, service_id, form, _today())
    except InvalidListing as invalid:
        return _form_page(request, actor, invalid.page, invalid.errors, status=400)
    raise web.HTTPSeeOther(f"/portal/orgs/{organization_id}?saved={service_id}")


async def new_service_page(request: web.Request) -> web.Response:
    actor = actor_of(request)
    page = await in_unit_of_work(request, new_listing_editor, actor, request.match_info["organization_id"])
    return _form_page(request, actor, page)


async def create_service(request: web.Request) -> web.Response:
    actor = actor_of(request)
    organization_id = request.match_info["organization_id"]
    form = await _posted_form(request)
    try:
        service_id = await in_unit_of_work(request, create_listing, actor, organization_id, form, _today())
    except InvalidListing as invalid:
        return _form_page(request, actor, invalid.page, invalid.errors, status=400)
    raise web.HTTPSeeOther(f"/portal/orgs/{organization_id}?saved={service_id}")


async def confirm_service(request: web.Request) -> web.Response:
    actor = actor_of(request)
    organization_id = await in_unit_of_work(request, confirm_listing, actor, request.match_info["service_id"], _today())
    raise web.HTTPSeeOther(f"/portal/orgs/{organization_id}")
