"""python -m portal: serves the NLG endpoint, the widget page, the staff portal and the hotline console.

    python -m portal                      run the server (loopback, PORTAL_PORT)
    python -m portal create-admin NAME    create an admin account; the password is asked for, twice
"""
from __future__ import annotations

import getpass
import sys

from aiohttp import web

from portal.app import init_app
from privacy.startup_checks import configure_logging, harden_process
from settings import get_settings


def serve() -> None:
    settings = get_settings()
    configure_logging(settings, "portal")
    harden_process(settings)
    # aiohttp's access log lines carry client addresses and paths: not needed, so not written.
    web.run_app(init_app(settings), host=settings.host, port=settings.portal_port, access_log=None,
                print=None)


def create_admin(username: str) -> int:
    from services_db.database import create_schema, make_engine, session_factory
    from staff.accounts import MIN_PASSWORD_LENGTH, AccountError, create_account
    from staff.audit import record_change
    from staff.roles import ADMIN

    # A password from stdin when it is not a terminal (scripts, tests); asked twice on a terminal.
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {username} (at least {MIN_PASSWORD_LENGTH} characters): ")
        if password != getpass.getpass("Again: "):
            print("The two passwords differ. No account was created.", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    engine = make_engine(get_settings().directory_db_url)
    create_schema(engine)
    try:
        with session_factory(engine).begin() as session:
            account = create_account(session, username, password, ADMIN)
            record_change(session, "command line", "create", "account", str(account.id), None, None,
                          {"username": account.username, "role": account.role})
    except AccountError as error:
        messages = {
            "bad_username": "Names are 3 to 80 characters: lowercase letters, digits, dot, dash, @.",
            "bad_password": f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            "username_taken": "This name is taken.",
        }
        print(messages.get(error.code, error.code) + " No account was created.", file=sys.stderr)
        return 1
    print(f"Admin account {account.username} created.")
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        serve()
        return 0
    if argv[0] == "create-admin" and len(argv) == 2:
        return create_admin(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
