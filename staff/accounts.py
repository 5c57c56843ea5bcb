"""Accounts and their argon2id password hashes. Failed logins are counted by staff/login_throttle.py."""
from __future__ import annotations

import datetime as dt
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from staff.models import StaffAccount
from staff.roles import ROLES, STAFF, Actor

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,79}$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 would hash a megabyte happily: a cheap denial of service

# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


class AccountError(ValueError):
    """The account cannot be created as asked; `code` names the reason for the page or the CLI."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_account(session: Session, username: str, password: str, role: str,
                   organization_id: str | None = None) -> StaffAccount:
    username = normalise_username(username)
    if not USERNAME.match(username):
        raise AccountError("bad_username")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError("bad_password")
    if role not in ROLES:
        raise AccountError("bad_role")
    if (role == STAFF) != bool(organization_id):
        raise AccountError("staff_need_one_organisation")
    if session.execute(select(StaffAccount).where(StaffAccount.username == username)).scalar_one_or_none():
        raise AccountError("username_taken")
    account = StaffAccount(username=username, password_hash=_hasher.hash(password), role=role,
                           organization_id=organization_id if role == STAFF else None, created_at=_now())
    session.add(account)
    session.flush()
    return account


def actor_of(account: StaffAccount) -> Actor:
    return Actor(account.id, account.username, account.role, account.organization_id)


def authenticate(session: Session, username: str, password: str) -> Actor | None:
    """The account's actor if the password is right and the account enabled. The caller cannot tell which
    of these failed: neither can someone guessing. Call it only for an attempt the throttle let through."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return None
    account = session.execute(
        select(StaffAccount).where(StaffAccount.username == normalise_username(username))
    ).scalar_one_or_none()
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
        verified = account is not None and account.disabled_at is None
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return actor_of(account)


def find_account(session: Session, username: str) -> StaffAccount | None:
    return session.execute(
        select(StaffAccount).where(StaffAccount.username == normalise_username(username))
    ).scalar_one_or_none()


def set_disabled(account: StaffAccount, disabled: bool) -> None:
    """A disabled account cannot log in, and its open sessions stop at their next request."""
    account.disabled_at = _now() if disabled else None


def set_password(account: StaffAccount, password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError("bad_password")
    account.password_hash = _hasher.hash(password)
