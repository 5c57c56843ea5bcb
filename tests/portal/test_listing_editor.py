"""Staff editing their listings: hours, translations, "still accurate", import and export, the audit
log, and every kind of bad input (nothing saved, a clear message, never a 5xx)."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from services_db.database import session_factory
from services_db.hsds_io import export_document
from services_db.repository import open_directory
from staff.audit import entries
from tests.portal.conftest import ORG_A, logged_in
from tests.portal_client import PASSWORD, PortalClient, PortalServer, form_fields, with_changes

CLINIC = "svc-arroios-clinica"
EDIT = f"/portal/services/{CLINIC}"


def _form(client: PortalClient, service_id: str = CLINIC) -> list[tuple[str, str]]:
    page = client.get(f"/portal/services/{service_id}")
    assert page.status_code == 200
    return form_fields(page.text, f"/portal/services/{service_id}")


def _organization_document(server: PortalServer) -> str:
    return json.dumps(export_document(server.engine, [ORG_A]), sort_keys=True)


def test_staff_change_opening_hours_and_the_directory_has_them(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    fields = with_changes(_form(client), hours_5_0_opens="10:15", hours_5_0_closes="13:45")  # Saturday
    reply = client.post(EDIT, fields)
    assert reply.status_code == 303, reply.text[:500]
    listing = open_directory(server.engine).get_many([CLINIC])[0]
    saturday = [rule for rule in listing.hours if 5 in rule.weekdays]
    assert [(r.opens_at, r.closes_at) for r in saturday] == [(dt.time(10, 15), dt.time(13, 45))]
    assert listing.assured_date == dt.date.today()  # saving confirms the listing
    with session_factory(server.engine)() as db:
        change = entries(db, ORG_A)[0]
    assert (change.actor, change.action, change.record_id) == ("staff-a", "update", CLINIC)
    assert not any(s["byday"] == "SA" for s in change.before["schedules"])
    assert {"byday": "SA", "opens_at": "10:15", "closes_at": "13:45"}.items() <= \
        next(s for s in change.after["schedules"] if s["byday"] == "SA").items()


@pytest.mark.parametrize("changes, message", [
    ({"hours_1_0_opens": "25:00", "hours_1_0_closes": "26:00"}, "Write times like 09:00"),
    ({"hours_1_0_opens": "18:00", "hours_1_0_closes": "09:00"}, "Closes (09:00) before it opens (18:00)"),
    ({"hours_2_0_opens": "09:00", "hours_2_0_closes": "", }, "Write times like 09:00"),
    ({"hours_3_0_opens": "09:00", "hours_3_0_closes": "14:00", "hours_3_1_opens": "13:00",
      "hours_3_1_closes": "17:00"}, "Two opening times of this day overlap"),
    ({"name": "x" * 301}, "Too long: 301 characters, at most 300"),
    ({"name": "   "}, "This is required"),
    ({"name_ar": "", "description_ar": "وصف بدون اسم"}, "A translation needs at least a name"),
    ({"latitude": "north"}, "Write a number"),
    ({"longitude": "200"}, "Must be between -180"),
    ({"timezone": "Lisbon/Nowhere"}, "time zone name like Europe/Lisbon"),
    ({"phone_1": "call me maybe"}, "Write a phone number"),
    ({"category": "weapons"}, "Choose one of the options"),
])
def test_bad_input_gets_a_clear_form_error_and_saves_nothing(server: PortalServer, changes, message) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(server, "staff-a")
    before = _organization_document(server)
    reply = client.post(EDIT, with_changes(_form(client), **changes))
    assert reply.status_code == 400
    assert "Nothing was saved" in reply.text and message in reply.text
    assert _organization_document(server) == before


def test_a_huge_form_is_refused_with_413(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    before = _organization_document(server)
    reply = client.post(EDIT, with_changes(_form(client), description="x" * 400_000))
    assert reply.status_code == 413
    assert _organization_document(server) == before


def test_a_script_in_a_service_name_is_shown_as_text(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    name = '<script>alert("x")</script> Clinic'
    assert client.post("/portal/services/svc-arroios-dentista",
                       with_changes(_form(client, "svc-arroios-dentista"), name=name)).status_code == 303
    for page in (client.get(f"/portal/orgs/{ORG_A}"), client.get("/portal/services/svc-arroios-dentista")):
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Clinic" in page.text


def test_translations_side_by_side_show_what_is_missing(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    page = client.get(EDIT).text
    for own_name in ("العربية", "پښتو", "Soomaali", "ትግርኛ", "українська"):
        assert own_name in page
    missing_before = page.split("Missing:")[1].split("</p>")[0] if "Missing:" in page else ""
    assert "(so)" in missing_before
    reply = client.post(EDIT, with_changes(_form(client), name_so="Rugta Caafimaadka ee Arroios",
                                           description_so="Dhakhtar bilaash ah, xitaa haddaanad waraaqo haysan."))
    assert reply.status_code == 303
    after = client.get(EDIT).text
    assert "Rugta Caafimaadka ee Arroios" in after
    assert "(so)" not in (after.split("Missing:")[1].split("</p>")[0] if "Missing:" in after else "")
    assert open_directory(server.engine).get_many([CLINIC])[0].name_in("so") == "Rugta Caafimaadka ee Arroios"


def test_still_accurate_moves_the_assured_date_and_empties_the_recheck_list(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    with session_factory(server.engine).begin() as db:
        from services_db.models import Service

        db.get(Service, "svc-arroios-dentista").assured_date = dt.date(2020, 1, 1)
    page = client.get(f"/portal/orgs/{ORG_A}").text
    assert "Need re-checking (" in page and "2020-01-01" in page
    assert client.post("/portal/services/svc-arroios-dentista/confirm").status_code == 303
    listing = open_directory(server.engine).get_many(["svc-arroios-dentista"])[0]
    assert listing.assured_date == dt.date.today()
    assert "2020-01-01" not in client.get(f"/portal/orgs/{ORG_A}").text
    with session_factory(server.engine)() as db:
        confirm = entries(db, ORG_A)[0]
    assert confirm.action == "confirm" and confirm.before == {"assured_date": "2020-01-01"}


def test_export_and_import_round_trip_in_json_and_csv(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    exported = client.get(f"/portal/orgs/{ORG_A}/export.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    document = exported.json()
    assert {o["id"] for o in document["organizations"]} == {ORG_A}
    assert all(s["organization_id"] == ORG_A for s in document["services"])
    document["services"][0]["name"] = "Renamed by import"
    reply = client.post(f"/portal/orgs/{ORG_A}/import",
                        files={"file": ("mine.json", json.dumps(document), "application/json")})
    assert reply.status_code == 200 and "Imported" in reply.text
    assert "Renamed by import" in client.get(f"/portal/orgs/{ORG_A}").text
    archive = client.get(f"/portal/orgs/{ORG_A}/export.zip")
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert {"organizations.csv", "services.csv", "schedules.csv"} <= set(names)
    before = _organization_document(server)
    again = client.post(f"/portal/orgs/{ORG_A}/import",
                        files={"file": ("mine.zip", archive.content, "application/zip")})
    assert again.status_code == 200, again.text[:500]
    assert _organization_document(server) == before  # the CSV round trip loses nothing


@pytest.mark.parametrize("filename, content, message", [
    ("x.json", b"{not json", "not a JSON file"),
    ("x.zip", b"PK\x03\x04 broken", "does not hold the HSDS CSV tables"),
    ("x.exe", b"MZ", "Import a .json file"),
    ("x.json", b'{"organizations": [{"id": "org-casa-justa", "name": "Mine now"}]}', "is not your organisation"),
])
def test_bad_imports_change_nothing(server: PortalServer, filename, content, message) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(server, "staff-a")
    before = json.dumps(export_document(server.engine), sort_keys=True)
    reply = client.post(f"/portal/orgs/{ORG_A}/import", files={"file": (filename, content)})
    assert reply.status_code == 400 and message in reply.text and "Nothing was changed" in reply.text
    assert json.dumps(export_document(server.engine), sort_keys=True) == before


def test_an_import_cannot_take_over_another_organisations_listing(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    document = client.get(f"/portal/orgs/{ORG_A}/export.json").json()
    stolen = dict(document["services"][0], id="svc-casajusta-procura", name="Hijacked")
    document["services"].append(stolen)
    before = json.dumps(export_document(server.engine), sort_keys=True)
    reply = client.post(f"/portal/orgs/{ORG_A}/import",
                        files={"file": ("x.json", json.dumps(document), "application/json")})
    assert reply.status_code == 400 and "belongs to another organisation" in reply.text
    assert json.dumps(export_document(server.engine), sort_keys=True) == before


def test_an_oversized_import_is_refused(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    reply = client.post(f"/portal/orgs/{ORG_A}/import", files={"file": ("big.json", b" " * (6 * 1024 * 1024))})
    assert reply.status_code == 400 and "too big" in reply.text


def test_staff_add_a_listing(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    fields = form_fields(client.get(f"/portal/orgs/{ORG_A}/services/new").text, f"/portal/orgs/{ORG_A}/services/new")
    fields = with_changes(fields, name="Consulta de Pediatria", category="health", address="Rua de Arroios 112",
                          latitude="38.7275", longitude="-9.1345", hours_0_0_opens="09:00", hours_0_0_closes="12:00")
    reply = client.post(f"/portal/orgs/{ORG_A}/services/new", fields)
    assert reply.status_code == 303, reply.text[:400]
    assert "Consulta de Pediatria" in client.get(f"/portal/orgs/{ORG_A}").text
    with session_factory(server.engine)() as db:
        assert entries(db, ORG_A)[0].action == "create"


def test_the_audit_log_never_holds_passwords_or_cookies(server: PortalServer) -> None:
    admin = PortalClient(server)
    server.add_account("boss", "admin")
    assert admin.login("boss").status_code == 303
    admin.get("/portal/accounts")
    new_password = "another long password 42"
    reply = admin.post("/portal/accounts", {"username": "new.staff", "password": new_password, "role": "staff",
                                            "organization_id": ORG_A})
    assert reply.status_code == 200 and "Account new.staff created" in reply.text
    bad = admin.post("/portal/accounts", {"username": "x", "password": "short", "role": "staff"})
    assert bad.status_code == 400 and "Nothing was changed" in bad.text
    cookie = next(iter(admin.cookies.values()))
    with session_factory(server.engine)() as db:
        log = entries(db, limit=1000)
    text = json.dumps([(e.before, e.after) for e in log], ensure_ascii=False)
    assert "new.staff" in text
    for secret in (new_password, PASSWORD, cookie, admin.csrf, "$argon2"):
        assert secret not in text
