"""A real portal server on loopback, in a thread, and a small browser-like client for it: it keeps
cookies by hand (Secure cookies too: the server runs with its production default, Secure on), sends
the Origin header a browser would send, and reads CSRF tokens from the pages."""
from __future__ import annotations

import asyncio
import dataclasses
import re
import socket
import threading
from pathlib import Path
from typing import Any

import requests

from portal.app import init_app
from services_db.database import make_engine, session_factory
from services_db.sample_loader import load_directory_file
from settings import ROOT, get_settings
from staff.accounts import create_account

PASSWORD = "correct horse battery staple"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def portal_python() -> str:
    """The interpreter a separate `python -m portal` process runs on, as launcher/stack.py starts it: the
    portal's own environment (scripts/setup.sh), a current Python without Rasa."""
    python = ROOT / ".venv-portal" / "bin" / "python"
    if not python.exists():
        raise RuntimeError(f"{python} is missing: run scripts/setup.sh, which creates the portal's environment.")
    return str(python)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PortalServer:
    def __init__(self, folder: Path, **overrides: Any) -> None:
        from aiohttp import web

        self.db_url = f"sqlite:///{folder / 'directory.sqlite3'}"
        self.engine = make_engine(self.db_url)
        load_directory_file(self.engine, Path(get_settings().sample_directory_json))
        self.port = free_port()
        self.settings = dataclasses.replace(get_settings(), directory_db_url=self.db_url, portal_port=self.port,
                                            rasa_internal_url=f"http://127.0.0.1:{free_port()}", **overrides)
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(init_app(self.settings), access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_account(self, username: str, role: str, organization_id: str | None = None) -> None:
        with session_factory(self.engine).begin() as session:
            create_account(session, username, PASSWORD, role, organization_id)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


class PortalClient:
    def __init__(self, server: PortalServer) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        # Sent with every request, e.g. the address header a trusted reverse proxy would add.
        self.extra_headers: dict[str, str] = {}

    def _headers(self, extra: dict[str, str] | None = None, origin: str | None = None) -> dict[str, str]:
        headers = {"Origin": origin or self.server.url, **self.extra_headers, **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, reply: requests.Response) -> requests.Response:
        for cookie in reply.raw.headers.getlist("Set-Cookie"):
            name, _, rest = cookie.partition("=")
            value = rest.split(";")[0]
            if value in ("", '""') or "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        found = CSRF_FIELD.search(reply.text) if "text/html" in reply.headers.get("Content-Type", "") else None
        if found:
            self.csrf = found.group(1)
        return reply

    def get(self, path: str) -> requests.Response:
        return self._keep(requests.get(self.server.url + path, headers=self._headers(), allow_redirects=False,
                                       timeout=30))

    def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]] | None = None, with_csrf: bool = True,
             origin: str | None = None, files: dict[str, Any] | None = None) -> requests.Response:
        fields: list[tuple[str, str]] = list(data.items()) if isinstance(data, dict) else list(data or [])
        if with_csrf:
            fields.append(("csrf_token", self.csrf))
        return self._keep(requests.post(self.server.url + path, data=fields, files=files, allow_redirects=False,
                                        headers=self._headers(origin=origin), timeout=30))

    def login(self, username: str, password: str = PASSWORD) -> requests.Response:
        self.get("/portal/login")
        return self.post("/portal/login", {"username": username, "password": password})


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    """What a browser would submit from the form posting to `action`, unchanged (inputs, checked boxes,
    selected options, textareas), without the CSRF token, which the client adds itself."""
    from html.parser import HTMLParser

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = False
            self.fields: list[tuple[str, str]] = []
            self._textarea: str | None = None
            self._select: str | None = None
            self._text = ""

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag == "form":
                self.inside = a.get("action") == action
            if not self.inside:
                return
            if tag == "input" and a.get("name") and a.get("name") != "csrf_token":
                if a.get("type") == "checkbox":
                    if "checked" in a:
                        self.fields.append((a["name"], a.get("value") or "on"))
                elif a.get("type") != "file":
                    self.fields.append((a["name"], a.get("value", "")))
            elif tag == "textarea":
                self._textarea, self._text = a.get("name"), ""
            elif tag == "select":
                self._select = a.get("name")
            elif tag == "option" and self._select and "selected" in a:
                self.fields.append((self._select, a.get("value", "")))

        def handle_data(self, data: str) -> None:
            if self._textarea is not None:
                self._text += data

        def handle_endtag(self, tag: str) -> None:
            if tag == "form":
                self.inside = False
            elif tag == "textarea" and self._textarea is not None:
                self.fields.append((self._textarea, self._text))
                self._textarea = None
            elif tag == "select":
                self._select = None

    collector = Collector()
    collector.feed(html)
    return collector.fields


def with_changes(fields: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    kept = [(name, value) for name, value in fields if name not in changes]
    return kept + [(name, value) for name, value in changes.items()]
