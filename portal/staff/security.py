"""Sessions, CSRF and headers for every staff page.

- The session cookie holds a random token (staff/sessions.py keeps only its hash); Secure, HttpOnly,
  SameSite=Strict, and `__Host-` prefixed when Secure so no subdomain can plant one.
- Every POST must come from our own origin (Origin header) and carry the session's CSRF token. The login
  form, which has no session yet, uses a double-submit cookie instead.
- Pages are never cached and never framed."""
from __future__ import annotations

import secrets
from typing import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from portal.keys import SETTINGS
from portal.offload import in_unit_of_work
from portal.request_bodies import read_form, reads_own_body
from privacy.constant_time import secrets_equal
from staff.roles import Actor
from staff.sessions import current_session

STAFF_PREFIXES = ("/portal", "/console")
LOGIN_PATH = "/portal/login"
ACTOR = "staff_actor"
CSRF = "staff_csrf"
LOGIN_CSRF_COOKIE = "portal_login_csrf"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": under it browsers send "Origin: null" with forms, and the origin check needs it.
    "Referrer-Policy": "same-origin",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def session_cookie_name(request: web.Request) -> str:
    return "__Host-portal_session" if request.app[SETTINGS].portal_cookie_secure else "portal_session"


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, path="/", httponly=True, samesite="Strict", max_age=max_age,
                        secure=request.app[SETTINGS].portal_cookie_secure)


def _same_origin(request: web.Request) -> bool:
    """A browser sends Origin with every POST; a request from another site's page carries that site."""
    origin = request.headers.get("Origin")
    if origin is None:
        # Older clients: fall back to Fetch Metadata when present; a plain script without either has
        # no cookie a browser would attach, and still needs the CSRF token.
        return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")
    public = request.app[SETTINGS].portal_public_url
    expected = urlsplit(public).netloc if public else request.host
    return urlsplit(origin).netloc == expected


def tokens_match(expected: object, given: object) -> bool:
    """Whether a form's token is the one we issued. Anything but non-empty text (an uploaded file where a
    token should be, nothing) is no match; text is compared as UTF-8 bytes, because compare_digest raises
    on a str with non-ASCII characters, and a stray "é" must get the 403 page, not a 500."""
    if not isinstance(expected, str) or not isinstance(given, str) or not expected or not given:
        return False
    return secrets_equal(given, expected)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


@web.middleware
async def staff_security(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(STAFF_PREFIXES):
        return await handler(request)
    if request.method not in ("GET", "HEAD", "POST"):
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "POST"])
    token = request.cookies.get(session_cookie_name(request))
    # Off the event loop like every database call: a slow database slows staff pages, nothing else.
    found = await in_unit_of_work(request, current_session, token) if token else None
    if found is not None:
        request[ACTOR], request[CSRF] = found
    try:
        if request.method == "POST":
            if not _same_origin(request):
                raise web.HTTPForbidden(text="This form was sent from another site, so it was refused.")
            if request.path != LOGIN_PATH and not reads_own_body(request):
                # The file import checks its token in the view, which streams the body.
                form = await read_form(request)
                if found is None or not tokens_match(found[1], form.get("csrf_token")):
                    raise web.HTTPForbidden(text="This form has expired. Go back, reload the page and try again.")
        elif found is None and request.path != LOGIN_PATH:
            raise web.HTTPSeeOther(LOGIN_PATH)
        response = await handler(request)
    except web.HTTPException as raised:  # redirects and refusals are responses too: same headers
        raised.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def actor_of(request: web.Request) -> Actor:
    """The logged-in actor; views behind the middleware always have one."""
    actor = request.get(ACTOR)
    if actor is None:
        raise web.HTTPForbidden(text="Please log in.")
    return actor
