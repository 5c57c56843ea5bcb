"""Account management (admins) and the audit log (admins: everything; staff: their organisation), each
in one unit of work with its audit entry. Synchronous: the portal calls these in a worker thread."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from services_db.models import Organization
from services_db.unit_of_work import Forbidden, UnitOfWork
from staff.accounts import AccountError, create_account, find_account, set_disabled, set_password
from staff.audit import AuditView, entries, record_change
from staff.models import StaffAccount, StaffSession
from staff.roles import ADMIN, STAFF, Actor

ACCOUNT_ACTIONS = ("disable", "enable", "password")


@dataclass(frozen=True)
class AuditLog:
    scope: str | None  # the organisation shown, None for everything
    entries: list[AuditView]


def audit_log(uow: UnitOfWork, actor: Actor, organization_id: str | None) -> AuditLog:
    """An admin sees the organisation asked for, or everything; staff always their own organisation."""
    if actor.role == ADMIN:
        scope = organization_id
    elif actor.role == STAFF:
        scope = actor.organization_id
    else:
        raise Forbidden()
    return AuditLog(scope, entries(uow.session, scope))


@dataclass(frozen=True)
class AccountsOverview:
    accounts: list[tuple[str, str, str | None, object]]  # username, role, organisation, disabled at
    organizations: list[tuple[str, str]]  # id, name


def accounts_overview(uow: UnitOfWork, actor: Actor) -> AccountsOverview:
    if not actor.can_manage_accounts:
        raise Forbidden()
    accounts = uow.session.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars().all()
    organizations = uow.session.execute(select(Organization.id, Organization.name).order_by(Organization.name)).all()
    return AccountsOverview([(a.username, a.role, a.organization_id, a.disabled_at) for a in accounts],
                            [(organization_id, name) for organization_id, name in organizations])


def add_account(uow: UnitOfWork, actor: Actor, username: str, password: str, role: str,
                organization_id: str | None) -> str:
    """The new account's name; AccountError (with a code the page explains) if it cannot be created."""
    if not actor.can_manage_accounts:
        raise Forbidden()
    if organization_id and uow.session.get(Organization, organization_id) is None:
        raise AccountError("no_such_organisation")
    account = create_account(uow.session, username, password, role, organization_id)
    record_change(uow.session, actor, "create", "account", str(account.id), account.organization_id, None,
                  {"username": account.username, "role": account.role, "organization_id": account.organization_id})
    return account.username


def change_account(uow: UnitOfWork, actor: Actor, username: str, action: str, password: str = "") -> None:
    """Disables or re-enables an account, or gives it a new password; disabling and a new password also end
    its sessions. AccountError with a code the page explains if that cannot be done."""
    if not actor.can_manage_accounts:
        raise Forbidden()
    if action not in ACCOUNT_ACTIONS:
        raise AccountError("no_such_action")
    account = find_account(uow.session, username)
    if account is None:
        raise AccountError("no_such_account")
    if account.username == actor.username and action == "disable":
        raise AccountError("not_yourself")
    if action == "password":
        set_password(account, password)
    else:
        set_disabled(account, action == "disable")
    if action != "enable":
        uow.session.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
    record_change(uow.session, actor, action, "account", str(account.id), account.organization_id,
                  None, {"username": account.username, "disabled": account.disabled_at is not None})
