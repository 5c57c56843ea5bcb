"""Log in and log out."""
from __future__ import annotations

import asyncio

from aiohttp import web

from portal.offload import in_unit_of_work
from portal.request_bodies import read_form
from portal.staff.client_address import client_address
from portal.staff.pages import render
from portal.staff.security import (
    ACTOR, LOGIN_CSRF_COOKIE, new_login_csrf, session_cookie_name, set_cookie, tokens_match, actor_of,
)
from staff.accounts import MAX_PASSWORD_LENGTH
from staff.login_throttle import LoginBlocked
from staff.sessions import claim_login, log_in, log_out

MAX_USERNAME_LENGTH = 80


def _login_page(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    token = new_login_csrf()
    response = render(request, "login.html", {"login_csrf": token, "error": error}, status=status)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


async def login_form(request: web.Request) -> web.Response:
    if request.get(ACTOR) is not None:
        raise web.HTTPSeeOther("/portal/")
    return _login_page(request)


async def login(request: web.Request) -> web.Response:
    form = await read_form(request)
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf_token")):
        return _login_page(request, "expired", status=403)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    if not username or not password or len(username) > MAX_USERNAME_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        return _login_page(request, "wrong", status=401)
    try:  # committed before the password check: parallel guesses see the claim
        attempt = await in_unit_of_work(request, claim_login, username, client_address(request))
    except LoginBlocked:
        return _login_page(request, "throttled", status=429)
    # Many failures at this name from many addresses: it waits here, on the event loop, holding no thread.
    await asyncio.sleep(attempt.delay)
    # argon2 takes tens of milliseconds on purpose: off the event loop, which serves everyone else meanwhile.
    token = await in_unit_of_work(request, log_in, attempt, username, password,
                                  request.cookies.get(session_cookie_name(request)))
    if token is None:
        return _login_page(request, "throttled" if attempt.last_allowed else "wrong",
                           status=429 if attempt.last_allowed else 401)
    response = web.HTTPSeeOther("/portal/")
    set_cookie(request, response, session_cookie_name(request), token)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    raise response


async def logout(request: web.Request) -> web.Response:
    actor_of(request)
    token = request.cookies.get(session_cookie_name(request))
    if token:
        await in_unit_of_work(request, log_out, token)
    response = web.HTTPSeeOther("/portal/login")
    response.del_cookie(session_cookie_name(request), path="/")
    raise response
