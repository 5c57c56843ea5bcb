"""Logins, sessions and forms: what a stolen cookie, a forged form or a password guesser gets."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess

from services_db.database import session_factory
from settings import ROOT
from staff.login_throttle import PAIR_LIMIT as MAX_FAILURES
from staff.models import LoginCounter, StaffAccount, StaffSession
from tests.portal.conftest import ORG_A, logged_in
from tests.portal_client import PASSWORD, PortalClient, PortalServer, portal_python

SESSION = "__Host-portal_session"


def _set_cookie_header(reply) -> str:  # type: ignore[no-untyped-def]
    return next(c for c in reply.raw.headers.getlist("Set-Cookie") if c.startswith(SESSION))


def test_session_cookie_is_secure_httponly_strict_and_new_at_each_login(server: PortalServer) -> None:
    client = PortalClient(server)
    client.get("/portal/login")
    client.cookies[SESSION] = "planted-by-an-attacker"
    reply = client.post("/portal/login", {"username": "staff-a", "password": PASSWORD})
    assert reply.status_code == 303
    header = _set_cookie_header(reply)
    for attribute in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert attribute in header
    first = client.cookies[SESSION]
    assert first != "planted-by-an-attacker"
    assert client.get("/portal/login").headers["Location"] == "/portal/"  # already in
    client.get("/console")
    client.post("/portal/logout")
    assert client.login("staff-a").status_code == 303
    assert client.cookies[SESSION] != first
    stale = PortalClient(server)
    stale.cookies[SESSION] = first
    assert stale.get(f"/portal/orgs/{ORG_A}").status_code == 303


def test_cookie_replayed_after_logout_opens_nothing(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    stolen = dict(client.cookies)
    assert client.post("/portal/logout").status_code == 303
    thief = PortalClient(server)
    thief.cookies = stolen
    page = thief.get(f"/portal/orgs/{ORG_A}")
    assert page.status_code == 303 and page.headers["Location"] == "/portal/login"
    thief.csrf = client.csrf
    assert thief.post("/portal/services/svc-arroios-clinica/confirm").status_code == 403


def test_only_a_hash_of_the_session_token_is_stored(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    with session_factory(server.engine)() as db:
        stored = {row.token_hash for row in db.query(StaffSession)}
    assert client.cookies[SESSION] not in stored and len(stored) >= 1


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    reply = client.post("/portal/services/svc-arroios-clinica", {"name": "Forged"}, with_csrf=False)
    assert reply.status_code == 403 and "expired" in reply.text
    wrong = client.post("/portal/services/svc-arroios-clinica/confirm", {"csrf_token": "guess"}, with_csrf=False)
    assert wrong.status_code == 403
    assert "Forged" not in client.get("/portal/services/svc-arroios-clinica").text


def test_a_multipart_form_without_the_token_is_refused_too(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    reply = client.post("/portal/services/svc-arroios-clinica/confirm", with_csrf=False,
                        files={"name": (None, "Forged")})
    assert reply.status_code == 403
    upload = client.post(f"/portal/orgs/{ORG_A}/import", with_csrf=False, files={"file": ("x.json", b"{}")})
    assert upload.status_code == 403


def test_a_form_posted_from_another_site_is_refused(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    reply = client.post("/portal/services/svc-arroios-clinica/confirm", origin="https://evil.example")
    assert reply.status_code == 403 and "another site" in reply.text
    login = PortalClient(server)
    login.get("/portal/login")
    assert login.post("/portal/login", {"username": "staff-a", "password": PASSWORD},
                      origin="https://evil.example").status_code == 403


def test_login_form_needs_its_own_token(server: PortalServer) -> None:
    client = PortalClient(server)
    reply = client.post("/portal/login", {"username": "staff-a", "password": PASSWORD}, with_csrf=False)
    assert reply.status_code == 403 and SESSION not in client.cookies


def test_pages_are_not_cached_or_framed(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    # A page, a redirect and a refusal alike.
    for page in (client.get(f"/portal/orgs/{ORG_A}"), client.get("/portal/"), client.get("/portal/accounts")):
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_failed_logins_are_throttled_per_account_and_address(server: PortalServer) -> None:
    server.add_account("guessed", "operator")
    guesser = PortalClient(server)
    statuses = []
    for attempt in range(MAX_FAILURES + 1):
        guesser.get("/portal/login")
        statuses.append(guesser.post("/portal/login", {"username": "guessed", "password": f"wrong-{attempt}"})
                        .status_code)
    assert statuses[:MAX_FAILURES - 1] == [401] * (MAX_FAILURES - 1) and statuses[-1] == 429
    # Even the right password waits now; the page says so.
    guesser.get("/portal/login")
    reply = guesser.post("/portal/login", {"username": "guessed", "password": PASSWORD})
    assert reply.status_code == 429 and "Too many failed attempts" in reply.text
    # After the window the account works again.
    with session_factory(server.engine).begin() as db:
        for row in db.query(LoginCounter):
            row.window_start -= dt.timedelta(minutes=16)
    assert PortalClient(server).login("guessed").status_code == 303
    # Another account is not affected by the guessing.
    assert PortalClient(server).login("staff-a").status_code == 303


def test_passwords_are_argon2id_hashes(server: PortalServer) -> None:
    with session_factory(server.engine)() as db:
        account = db.query(StaffAccount).filter_by(username="staff-a").one()
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash


def test_idle_sessions_expire(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    with session_factory(server.engine).begin() as db:
        for row in db.query(StaffSession):
            row.last_seen_at -= dt.timedelta(hours=1)
    assert client.get(f"/portal/orgs/{ORG_A}").status_code == 303
    with session_factory(server.engine).begin() as db:
        for row in db.query(StaffSession):
            row.last_seen_at -= dt.timedelta(hours=1)
    logged_in(server, "staff-b")  # a login tidies away every timed-out session
    with session_factory(server.engine)() as db:
        assert db.query(StaffSession).count() == 1


def test_create_admin_from_the_command_line(server: PortalServer) -> None:
    env = {**os.environ, "DIRECTORY_DB_URL": server.db_url}
    made = subprocess.run([portal_python(), "-m", "portal", "create-admin", "root.admin"], input="a long enough password\n",
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert made.returncode == 0 and "root.admin created" in made.stdout
    short = subprocess.run([portal_python(), "-m", "portal", "create-admin", "second"], input="short\n",
                           capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    admin = PortalClient(server)
    assert admin.login("root.admin", "a long enough password").status_code == 303
    assert "Accounts" in admin.get("/portal/accounts").text


def test_admins_disable_accounts_and_set_new_passwords(server: PortalServer) -> None:
    server.add_account("leaving", "staff", ORG_A)
    server.add_account("the.admin", "admin")
    leaving = logged_in(server, "leaving")
    admin = logged_in(server, "the.admin")
    admin.get("/portal/accounts")
    reply = admin.post("/portal/accounts/leaving/disable")
    assert reply.status_code == 200 and "disabled; its sessions are closed" in reply.text
    assert leaving.get(f"/portal/orgs/{ORG_A}").status_code == 303  # the open session ended
    assert PortalClient(server).login("leaving").status_code == 401
    assert admin.post("/portal/accounts/the.admin/disable").status_code == 400  # not oneself
    assert admin.post("/portal/accounts/nobody/disable").status_code == 404
    admin.post("/portal/accounts/leaving/enable")
    assert admin.post("/portal/accounts/leaving/password", {"password": "short"}).status_code == 400
    new_password = "a brand new password 7"
    assert admin.post("/portal/accounts/leaving/password", {"password": new_password}).status_code == 200
    assert PortalClient(server).login("leaving").status_code == 401  # the old password is gone
    assert PortalClient(server).login("leaving", new_password).status_code == 303
    with session_factory(server.engine)() as db:
        from staff.audit import entries

        log = json.dumps([(e.action, e.after) for e in entries(db, limit=50)])
    assert '"disable"' in log and '"password"' in log and new_password not in log


# hmac.compare_digest refuses str with non-ASCII characters (TypeError): such a token once gave a 500.
NON_ASCII_TOKEN = "a." + "é" * 32


def test_a_non_ascii_csrf_token_gets_the_403_page_never_a_500(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    form = client.post("/portal/services/svc-arroios-clinica/confirm", {"csrf_token": NON_ASCII_TOKEN},
                       with_csrf=False)
    assert form.status_code == 403 and "expired" in form.text
    upload = client.post(f"/portal/orgs/{ORG_A}/import", {"csrf_token": NON_ASCII_TOKEN}, with_csrf=False,
                         files={"file": ("x.json", b"{}")})
    assert upload.status_code == 403
    login = PortalClient(server)
    login.get("/portal/login")
    reply = login.post("/portal/login", {"username": "staff-a", "password": PASSWORD,
                                         "csrf_token": NON_ASCII_TOKEN}, with_csrf=False)
    assert reply.status_code == 403 and "expired" in reply.text
    # The same token in the login cookie (sent as Latin-1 bytes, which are not UTF-8) and in the form.
    login.cookies["portal_login_csrf"] = NON_ASCII_TOKEN
    both = login.post("/portal/login", {"username": "staff-a", "password": PASSWORD,
                                        "csrf_token": NON_ASCII_TOKEN}, with_csrf=False)
    assert both.status_code == 403 and SESSION not in login.cookies
    # And as the session cookie: no session, so the login page, and the form is refused.
    stranger = PortalClient(server)
    stranger.cookies[SESSION] = NON_ASCII_TOKEN
    assert stranger.get(f"/portal/orgs/{ORG_A}").status_code == 303
    stranger.csrf = NON_ASCII_TOKEN
    assert stranger.post("/portal/services/svc-arroios-clinica/confirm").status_code == 403
    # Quoted, a cookie value may hold any byte: Latin-1 "é" is not UTF-8 and reaches the server as a surrogate.
    stranger.cookies[SESSION] = f'"{NON_ASCII_TOKEN}"'
    assert stranger.get(f"/portal/orgs/{ORG_A}").status_code == 303
    login.cookies["portal_login_csrf"] = f'"{NON_ASCII_TOKEN}"'
    assert login.post("/portal/login", {"username": "staff-a", "password": PASSWORD,
                                        "csrf_token": NON_ASCII_TOKEN}, with_csrf=False).status_code == 403
