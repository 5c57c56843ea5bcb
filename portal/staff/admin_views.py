"""The audit log (admins: everything; staff: their organisation) and account management (admins). The
work itself is in staff/admin.py, run off the event loop (portal/offload.py)."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from portal.offload import in_unit_of_work
from portal.request_bodies import read_form
from portal.staff.pages import forbidden, render
from portal.staff.security import actor_of
from staff import admin
from staff.accounts import AccountError
from staff.roles import ROLES


async def audit_log(request: web.Request) -> web.Response:
    log = await in_unit_of_work(request, admin.audit_log, actor_of(request), request.query.get("organization") or None)
    return render(request, "audit.html", {"entries": log.entries, "scope": log.scope})


async def _accounts_page(request: web.Request, status: int = 200, **outcome: Any) -> web.Response:
    overview = await in_unit_of_work(request, admin.accounts_overview, actor_of(request))
    return render(request, "accounts.html", {"accounts": overview.accounts, "organizations": overview.organizations,
                                             "roles": ROLES, **outcome}, status=status)


async def accounts_page(request: web.Request) -> web.Response:
    if not actor_of(request).can_manage_accounts:
        raise forbidden()
    return await _accounts_page(request)


async def add_account(request: web.Request) -> web.Response:
    actor = actor_of(request)
    if not actor.can_manage_accounts:
        raise forbidden()
    form = await read_form(request)
    try:
        created = await in_unit_of_work(
            request, admin.add_account, actor, str(form.get("username", "")), str(form.get("password", "")),
            str(form.get("role", "")), str(form.get("organization_id", "")) or None)
    except AccountError as error:
        return await _accounts_page(request, 400, error=error.code, created=None)
    return await _accounts_page(request, error=None, created=created)


async def change_account(request: web.Request) -> web.Response:
    """Disable or re-enable an account, or give it a new password (which also ends its sessions)."""
    actor = actor_of(request)
    if not actor.can_manage_accounts:
        raise forbidden()
    action, username = request.match_info["action"], request.match_info["username"]
    if action not in admin.ACCOUNT_ACTIONS:
        raise web.HTTPNotFound(text="No such action.")
    form = await read_form(request)
    try:
        await in_unit_of_work(request, admin.change_account, actor, username, action, str(form.get("password", "")))
    except AccountError as error:
        return await _accounts_page(request, 404 if error.code == "no_such_account" else 400,
                                    error=error.code, changed=None)
    return await _accounts_page(request, error=None, changed=(username, action))
