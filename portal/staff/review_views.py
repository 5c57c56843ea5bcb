"""Legal review: the list of topic versions that need a lawyer, one version side by side (English,
sources, every translation), and signing it or flagging that the law changed."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from aiohttp import web
from sqlalchemy.orm import Session

from i18n.languages import RIGHT_TO_LEFT, SUPPORTED, own_name
from knowledge.review import ReviewUnit, content_hash, find_unit, reviewed_content
from portal.keys import DB_SESSIONS, SETTINGS
from portal.request_bodies import read_form
from portal.staff.pages import forbidden, render
from portal.staff.security import actor_of
from staff.reviews import ReviewError, flag_law_changed, review_rows, review_state, sign
from staff.roles import Actor


def _unit_or_404(request: web.Request) -> ReviewUnit:
    unit = find_unit(request.match_info["topic_id"], request.match_info["jurisdiction"])
    if unit is None:
        raise web.HTTPNotFound(text="No such topic version.")
    return unit


async def reviews_page(request: web.Request) -> web.Response:
    if not actor_of(request).can_see_reviews:
        raise forbidden()
    with request.app[DB_SESSIONS]() as db:
        rows = review_rows(db, request.app[SETTINGS].review_interval_days)
    return render(request, "reviews.html", {"rows": rows, "attention": sum(row.needs_attention for row in rows),
                                            "today": dt.date.today()})


def _version_page(request: web.Request, unit: ReviewUnit, error: str | None = None, status: int = 200,
                  done: str | None = None) -> web.Response:
    with request.app[DB_SESSIONS]() as db:
        state = review_state(db, unit)
    return render(request, "review_version.html", {
        "unit": unit, "state": state, "content": reviewed_content(unit),
        "content_hash": content_hash(unit.topic.id, unit.jurisdiction),
        "columns": [(code, own_name(code), code in RIGHT_TO_LEFT) for code in SUPPORTED],
        "error": error, "done": done,
    }, status=status)


async def version_page(request: web.Request) -> web.Response:
    if not actor_of(request).can_see_reviews:
        raise forbidden()
    return _version_page(request, _unit_or_404(request))


async def _record(request: web.Request, allowed: bool, action: Callable[[Session, Actor, ReviewUnit, str], None],
                  field: str, error_status: int, done: str) -> web.Response:
    """Signing and flagging: same checks, one transaction, the page again with what happened."""
    if not allowed:
        raise forbidden()
    unit = _unit_or_404(request)
    form = await read_form(request)
    try:
        with request.app[DB_SESSIONS].begin() as db:
            action(db, actor_of(request), unit, str(form.get(field, "")))
    except ReviewError as error:
        return _version_page(request, unit, error=str(error), status=error_status)
    return _version_page(request, unit, done=done)


async def sign_version(request: web.Request) -> web.Response:
    # 409: the text changed after the page was opened; the reviewer reads the new one before signing.
    return await _record(request, actor_of(request).can_sign_topics, sign, "content_hash", 409, "signed")


async def flag_version(request: web.Request) -> web.Response:
    return await _record(request, actor_of(request).can_flag_topics, flag_law_changed, "note", 400, "flagged")
