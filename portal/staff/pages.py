"""Rendering a staff page: the template gets the actor, the CSRF token and the language names."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from i18n.languages import RIGHT_TO_LEFT, SUPPORTED, own_name
from portal.staff.security import ACTOR, CSRF


def render(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    page = {
        "actor": request.get(ACTOR),
        "csrf_token": request.get(CSRF, ""),
        "languages": [(code, own_name(code), code in RIGHT_TO_LEFT) for code in SUPPORTED],
        **context,
    }
    return aiohttp_jinja2.render_template(template, request, page, status=status)


def forbidden() -> web.HTTPForbidden:
    return web.HTTPForbidden(text="Your account may not see or change this.")
