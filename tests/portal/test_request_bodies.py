"""Request bodies: too big is a 413 before the body is read (Content-Length) or as soon as it passes the
limit (chunked), however it is split into form fields; malformed is a 400. The memory tests run the
portal as its own process (python -m portal), so that only the server's memory is measured (VmRSS and
its peak, VmHWM, from /proc), and stream their 300 MB bodies, so that the test process holds none."""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests

from services_db.database import make_engine, session_factory
from services_db.sample_loader import load_directory_file
from settings import ROOT, get_settings
from staff.accounts import create_account
from staff.roles import STAFF
from tests.portal.conftest import ORG_A, logged_in
from tests.portal_client import PASSWORD, PortalClient, PortalServer, free_port, portal_python

LIMIT = 256 * 1024
BOUNDARY = "----portal-test-boundary"
CONFIRM = "/portal/services/svc-arroios-clinica/confirm"


def multipart(fields: list[tuple[str, bytes]], boundary: str = BOUNDARY, headers: bytes = b"") -> bytes:
    body = b""
    for name, value in fields:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n".encode() + headers
                 + b"\r\n" + value + b"\r\n")
    return body + f"--{boundary}--\r\n".encode()


def chunked(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A generator body: requests sends it with Transfer-Encoding: chunked and no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start:start + size]


def post(client: PortalClient, path: str, body: Any, content_type: str | None = None,
         headers: dict[str, str] | None = None) -> requests.Response:
    content_type = content_type or f"multipart/form-data; boundary={BOUNDARY}"
    return requests.post(client.server.url + path, data=body, allow_redirects=False, timeout=60,
                         headers=client._headers({"Content-Type": content_type, **(headers or {})}))


def login_page(server: Any) -> PortalClient:
    client = PortalClient(server)
    client.get("/portal/login")
    return client


# --- a big body, however it is cut up -----------------------------------------------------------

def test_many_small_fields_adding_up_past_the_limit_get_413(server: PortalServer) -> None:
    client = login_page(server)
    fields = [("username", b"staff-a"), ("password", PASSWORD.encode()), ("csrf_token", client.csrf.encode())]
    fields += [(f"pad{i}", b"x" * 200_000) for i in range(25)]  # each under the limit, 5 MB in all
    assert post(client, "/portal/login", multipart(fields)).status_code == 413
    assert post(client, "/portal/login", chunked(multipart(fields))).status_code == 413
    staff = logged_in(server, "staff-a")
    form = [("csrf_token", staff.csrf.encode())] + [(f"pad{i}", b"x" * 200_000) for i in range(25)]
    assert post(staff, CONFIRM, chunked(multipart(form))).status_code == 413


def test_a_big_urlencoded_form_gets_413_with_or_without_content_length(server: PortalServer) -> None:
    client = login_page(server)
    body = b"username=staff-a&password=" + b"x" * (5 * 1024 * 1024)
    form = "application/x-www-form-urlencoded"
    assert post(client, "/portal/login", body, form).status_code == 413
    assert post(client, "/portal/login", chunked(body), form).status_code == 413


def test_an_import_over_its_own_limit_is_refused_and_a_chunked_one_needs_a_length(server: PortalServer) -> None:
    staff = logged_in(server, "staff-a")
    body = multipart([("csrf_token", staff.csrf.encode()), ("file", b"x" * (6 * 1024 * 1024))])
    reply = post(staff, f"/portal/orgs/{ORG_A}/import", body)
    assert reply.status_code == 400 and "too big" in reply.text
    assert post(staff, f"/portal/orgs/{ORG_A}/import", chunked(body)).status_code == 411


# --- malformed bodies --------------------------------------------------------------------------

MALFORMED: list[tuple[str, Callable[[PortalClient], tuple[Any, str]]]] = [
    ("multipart without a boundary", lambda c: (b"whatever", "multipart/form-data")),
    ("multipart whose boundary never comes", lambda c: (b"no boundary here at all\r\n" * 10,
                                                        f"multipart/form-data; boundary={BOUNDARY}")),
    ("multipart cut short", lambda c: (multipart([("csrf_token", c.csrf.encode())])[:-30],
                                       f"multipart/form-data; boundary={BOUNDARY}")),
    ("multipart field not UTF-8", lambda c: (multipart([("csrf_token", c.csrf.encode()), ("q", b"\xff\xfe")]),
                                             f"multipart/form-data; boundary={BOUNDARY}")),
    ("multipart field in an unknown charset",
     lambda c: (multipart([("csrf_token", c.csrf.encode()), ("q", b"x")],
                          headers=b"Content-Type: text/plain; charset=no-such-charset\r\n"),
                f"multipart/form-data; boundary={BOUNDARY}")),
    ("nested multipart",
     lambda c: (multipart([("csrf_token", c.csrf.encode()), ("q", multipart([("a", b"b")], "inner"))],
                          headers=b"Content-Type: multipart/mixed; boundary=inner\r\n"),
                f"multipart/form-data; boundary={BOUNDARY}")),
    ("urlencoded not UTF-8", lambda c: (b"csrf_token=" + c.csrf.encode() + b"&q=\xff\xfe",
                                        "application/x-www-form-urlencoded")),
    ("urlencoded in an unknown charset", lambda c: (b"csrf_token=" + c.csrf.encode() + b"&q=x",
                                                    "application/x-www-form-urlencoded; charset=no-such-charset")),
]


@pytest.mark.parametrize("build", [b for _, b in MALFORMED], ids=[name for name, _ in MALFORMED])
@pytest.mark.parametrize("path", ["/portal/login", "/console", f"/portal/orgs/{ORG_A}/import"])
def test_a_malformed_body_gets_a_4xx_never_a_500(server: PortalServer, build, path: str) -> None:  # type: ignore[no-untyped-def]
    client = login_page(server) if path == "/portal/login" else logged_in(server, "staff-a")
    body, content_type = build(client)
    reply = post(client, path, body, content_type)
    assert 400 <= reply.status_code < 500, reply.text[:300]
    assert "Traceback" not in reply.text


def test_an_ordinary_multipart_form_still_works(server: PortalServer) -> None:
    client = login_page(server)
    fields = [("username", b"staff-a"), ("password", PASSWORD.encode()), ("csrf_token", client.csrf.encode())]
    assert post(client, "/portal/login", multipart(fields)).status_code == 303


# --- the server's memory, measured in its own process ------------------------------------------

class PortalProcess:
    def __init__(self, folder: Path) -> None:
        db_url = f"sqlite:///{folder / 'directory.sqlite3'}"
        engine = make_engine(db_url)
        load_directory_file(engine, Path(get_settings().sample_directory_json))
        with session_factory(engine).begin() as db:
            create_account(db, "staff-a", PASSWORD, STAFF, ORG_A)
        engine.dispose()
        self.port = free_port()
        environment = {**os.environ, "DIRECTORY_DB_URL": db_url, "PORTAL_PORT": str(self.port),
                       "STATE_DIR": str(folder), "BIND_HOST": "127.0.0.1"}
        self.process = subprocess.Popen([portal_python(), "-m", "portal"], cwd=ROOT, env=environment,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise TimeoutError("python -m portal did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _status_kb(self, field: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise KeyError(field)

    def memory_during(self, action: Callable[[], Any]) -> tuple[Any, "Memory"]:
        """What `action` returned, and the server's resident memory before, at its peak during, and after it.
        The peak counts: a body read whole and then dropped would be back with the allocator by "after"."""
        before = self._status_kb("VmRSS")
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")  # resets the peak (VmHWM) to now
        assert self._status_kb("VmHWM") - self._status_kb("VmRSS") < 1024, "the kernel kept the old peak"
        result = action()
        time.sleep(0.2)
        return result, Memory(before / 1024, self._status_kb("VmHWM") / 1024, self._status_kb("VmRSS") / 1024)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def portal_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalProcess]:
    running = PortalProcess(tmp_path_factory.mktemp("portal-process"))
    yield running
    running.stop()


@dataclass(frozen=True)
class Memory:
    """The server's resident memory (VmRSS, VmHWM) in MB."""
    before: float
    peak: float
    after: float

    def __str__(self) -> str:
        return f"{self.before:.1f} MB before, {self.peak:.1f} MB at the peak, {self.after:.1f} MB after"


class StreamedForm:
    """A multipart form whose last field is `size` bytes long, made while it is sent: the test never holds
    it. Given as it is, requests asks its len() and sends a Content-Length; as iter(form), it sends chunks."""

    BLOCK = b"x" * (1024 * 1024)

    def __init__(self, fields: list[tuple[str, bytes]], name: str, size: int, filename: str | None = None) -> None:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        self.head = multipart(fields)[:-len(f"--{BOUNDARY}--\r\n")] \
            + f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size

    def __len__(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        for start in range(0, self.size, len(self.BLOCK)):
            yield self.BLOCK[:self.size - start]
        yield self.tail


HUGE = 300 * 1024 * 1024
ALLOWED_GROWTH_MB = 20


def test_one_300_mb_multipart_post_leaves_the_server_within_20_mb(portal_process: PortalProcess) -> None:
    """The login takes anyone's POST; the import reads its own body. With aiohttp's own form reading instead
    (request.post(), which reads a text field whole before comparing it with client_max_size), the login
    and the import's text field each took the server about 600 MB higher."""
    client = login_page(portal_process)
    staff = PortalClient(portal_process)  # type: ignore[arg-type]
    assert staff.login("staff-a").status_code == 303
    staff.get("/console")
    importing = f"/portal/orgs/{ORG_A}/import"

    def login_form(size: int) -> StreamedForm:
        return StreamedForm([("username", b"staff-a"), ("csrf_token", client.csrf.encode())], "password", size)

    def import_form(size: int) -> StreamedForm:
        return StreamedForm([("csrf_token", staff.csrf.encode())], "file", size, "listings.json")

    cases: list[tuple[str, PortalClient, str, Callable[[int], Any], int]] = [
        ("login, Content-Length", client, "/portal/login", login_form, 413),
        ("login, chunked", client, "/portal/login", lambda size: iter(login_form(size)), 413),
        ("import, Content-Length", staff, importing, import_form, 400),  # the page says "too big"
        ("import, chunked", staff, importing, lambda size: iter(import_form(size)), 411),
        ("import, a text field", staff, importing, lambda size: StreamedForm([], "csrf_token", size), 400),
    ]
    for _, who, path, body, _ in cases:  # every code path loaded before anything is measured
        post(who, path, body(6 * 1024 * 1024))
    measured = []
    for case, who, path, body, status in cases:
        reply, memory = portal_process.memory_during(lambda: post(who, path, body(HUGE)))
        print(f"{case}: {reply.status_code}; {memory}")
        measured.append((case, reply.status_code, status, memory))
    for case, answered, status, memory in measured:  # every case measured before any one fails
        assert memory.peak - memory.before < ALLOWED_GROWTH_MB, f"{case}: {memory}"
        assert memory.after - memory.before < ALLOWED_GROWTH_MB, f"{case}: {memory}"
        assert answered == status, (case, answered)


FIVE_MB = 5 * 1024 * 1024


def test_a_5_mb_field_is_refused_without_the_server_holding_it(portal_process: PortalProcess) -> None:
    """Bodies the 300 MB test does not send: a staff form's field (read by the security middleware) and an
    import whose token field is 5 MB, within the import's own limit."""
    staff = PortalClient(portal_process)  # type: ignore[arg-type]
    assert staff.login("staff-a").status_code == 303
    staff.get("/console")
    cases: list[tuple[str, Callable[[], Any]]] = [
        (CONFIRM, lambda: chunked(multipart([("csrf_token", staff.csrf.encode()), ("name", b"x" * FIVE_MB)]))),
        # The import reads its own upload: a token field of 5 MB must not be read whole either.
        (f"/portal/orgs/{ORG_A}/import", lambda: multipart([("csrf_token", b"x" * FIVE_MB)])),
    ]
    for path, body in cases:  # once to load every code path, then measured
        assert post(staff, path, body()).status_code in (403, 413)
    for path, body in cases:
        sent = body()
        reply, memory = portal_process.memory_during(lambda: post(staff, path, sent))
        assert reply.status_code in (403, 413), (path, reply.status_code)
        assert memory.peak - memory.before < 5, f"{path}: {memory} ({reply.status_code})"
