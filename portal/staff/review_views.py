"""Legal review: the list of topic versions that need a lawyer, one version side by side (English,
sources, every translation), and signing it or flagging that the law changed. The ledger is read and
written off the event loop (portal/offload.py)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from aiohttp import web

from i18n.languages import RIGHT_TO_LEFT, SUPPORTED, own_name
from knowledge.review import ReviewState, ReviewUnit, content_hash, find_unit, reviewed_content
from portal.keys import SETTINGS
from portal.offload import in_unit_of_work
from portal.request_bodies import read_form
from portal.staff.pages import forbidden, render
from portal.staff.security import actor_of
from services_db.unit_of_work import UnitOfWork
from staff.reviews import ReviewError, flag_version as flag, reviews_due, sign_version as sign, version_state
from staff.roles import Actor


def _unit_or_404(request: web.Request) -> ReviewUnit:
    unit = find_unit(request.match_info["topic_id"], request.match_info["jurisdiction"])
    if unit is None:
        raise web.HTTPNotFound(text="No such topic version.")
    return unit


async def reviews_page(request: web.Request) -> web.Response:
    if not actor_of(request).can_see_reviews:
        raise forbidden()
    rows = await in_unit_of_work(request, reviews_due, request.app[SETTINGS].review_interval_days)
    return render(request, "reviews.html", {"rows": rows, "attention": sum(row.needs_attention for row in rows),
                                            "today": dt.date.today()})


def _version_page(request: web.Request, unit: ReviewUnit, state: ReviewState, error: str | None = None,
                  status: int = 200, done: str | None = None) -> web.Response:
    return render(request, "review_version.html", {
        "unit": unit, "state": state, "content": reviewed_content(unit),
        "content_hash": content_hash(unit.topic.id, unit.jurisdiction),
        "columns": [(code, own_name(code), code in RIGHT_TO_LEFT) for code in SUPPORTED],
        "error": error, "done": done,
    }, status=status)


async def version_page(request: web.Request) -> web.Response:
    if not actor_of(request).can_see_reviews:
        raise forbidden()
    unit = _unit_or_404(request)
    return _version_page(request, unit, await in_unit_of_work(request, version_state, unit))


async def _record(request: web.Request, allowed: bool,
                  action: Callable[[UnitOfWork, Actor, ReviewUnit, str], ReviewState],
                  field: str, error_status: int, done: str) -> web.Response:
    """Signing and flagging: same checks, one unit of work, the page again with what happened."""
    if not allowed:
        raise forbidden()
    unit = _unit_or_404(request)
    form = await read_form(request)
    try:
        state = await in_unit_of_work(request, action, actor_of(request), unit, str(form.get(field, "")))
    except ReviewError as error:
        state = await in_unit_of_work(request, version_state, unit)
        return _version_page(request, unit, state, error=str(error), status=error_status)
    return _version_page(request, unit, state, done=done)


async def sign_version(request: web.Request) -> web.Response:
    # 409: the text changed after the page was opened; the reviewer reads the new one before signing.
    return await _record(request, actor_of(request).can_sign_topics, sign, "content_hash", 409, "signed")


async def flag_version(request: web.Request) -> web.Response:
    return await _record(request, actor_of(request).can_flag_topics, flag, "note", 400, "flagged")
