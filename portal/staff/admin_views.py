"""The audit log (admins: everything; staff: their organisation) and account management (admins)."""
from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import select

from portal.keys import DB_SESSIONS
from portal.request_bodies import read_form
from portal.staff.pages import forbidden, render
from portal.staff.security import actor_of
from services_db.models import Organization
from staff.accounts import AccountError, create_account, find_account, set_disabled, set_password
from staff.audit import entries, record_change
from staff.models import StaffAccount, StaffSession
from staff.roles import ADMIN, ROLES, STAFF


async def audit_log(request: web.Request) -> web.Response:
    actor = actor_of(request)
    if actor.role == ADMIN:
        scope = request.query.get("organization") or None
    elif actor.role == STAFF:
        scope = actor.organization_id
    else:
        raise forbidden()
    with request.app[DB_SESSIONS]() as db:
        log = entries(db, scope)
    return render(request, "audit.html", {"entries": log, "scope": scope})


def _accounts_context(request: web.Request) -> dict:
    with request.app[DB_SESSIONS]() as db:
        accounts = db.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars().all()
        organizations = db.execute(select(Organization.id, Organization.name).order_by(Organization.name)).all()
        return {"accounts": [(a.username, a.role, a.organization_id, a.disabled_at) for a in accounts],
                "organizations": organizations, "roles": ROLES}


async def accounts_page(request: web.Request) -> web.Response:
    if not actor_of(request).can_manage_accounts:
        raise forbidden()
    return render(request, "accounts.html", _accounts_context(request))


async def add_account(request: web.Request) -> web.Response:
    actor = actor_of(request)
    if not actor.can_manage_accounts:
        raise forbidden()
    form = await read_form(request)
    username, role = str(form.get("username", "")), str(form.get("role", ""))
    organization_id = str(form.get("organization_id", "")) or None
    password = str(form.get("password", ""))

    def create() -> str | None:
        with request.app[DB_SESSIONS].begin() as db:
            if organization_id and db.get(Organization, organization_id) is None:
                return "no_such_organisation"
            try:
                account = create_account(db, username, password, role, organization_id)
            except AccountError as error:
                return error.code
            record_change(db, actor, "create", "account", str(account.id), account.organization_id, None,
                          {"username": account.username, "role": account.role,
                           "organization_id": account.organization_id})
        return None

    error = await asyncio.get_running_loop().run_in_executor(None, create)
    context = _accounts_context(request)
    context.update({"error": error, "created": None if error else username.strip().lower()})
    return render(request, "accounts.html", context, status=400 if error else 200)


ACCOUNT_ACTIONS = ("disable", "enable", "password")


async def change_account(request: web.Request) -> web.Response:
    """Disable or re-enable an account, or give it a new password (which also ends its sessions)."""
    actor = actor_of(request)
    if not actor.can_manage_accounts:
        raise forbidden()
    action, username = request.match_info["action"], request.match_info["username"]
    if action not in ACCOUNT_ACTIONS:
        raise web.HTTPNotFound(text="No such action.")
    form = await read_form(request)
    password = str(form.get("password", ""))

    def change() -> str | None:
        with request.app[DB_SESSIONS].begin() as db:
            account = find_account(db, username)
            if account is None:
                return "no_such_account"
            if account.username == actor.username and action == "disable":
                return "not_yourself"
            try:
                if action == "password":
                    set_password(account, password)
                else:
                    set_disabled(account, action == "disable")
            except AccountError as error:
                return error.code
            if action != "enable":
                db.query(StaffSession).filter_by(account_id=account.id).delete()
            record_change(db, actor, action, "account", str(account.id), account.organization_id,
                          None, {"username": account.username, "disabled": account.disabled_at is not None})
        return None

    error = await asyncio.get_running_loop().run_in_executor(None, change)
    context = _accounts_context(request)
    context.update({"error": error, "changed": None if error else (username, action)})
    return render(request, "accounts.html", context, status=(404 if error == "no_such_account" else 400) if error else 200)
