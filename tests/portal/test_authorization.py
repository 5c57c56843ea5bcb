"""Authorisation as a property: staff of organisation A, whatever they try on organisation B's records,
get 403 or 404 and change nothing; an operator can read but write nothing anywhere."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings, strategies as st

from services_db.hsds_io import export_document
from tests.portal.conftest import ORG_A, ORG_B, logged_in
from tests.portal_client import PortalServer

FORBIDDEN = "Your account may not see or change this."
B_SERVICES = ["svc-casajusta-procura", "svc-casajusta-contratos"]
A_SERVICES = ["svc-arroios-clinica", "svc-arroios-dentista"]
# Every organisation-scoped page and action of the portal: (method, path, {org} or {service} in it).
ROUTES = [
    ("GET", "/portal/orgs/{org}"),
    ("GET", "/portal/orgs/{org}/services/new"),
    ("POST", "/portal/orgs/{org}/services/new"),
    ("GET", "/portal/orgs/{org}/export.json"),
    ("GET", "/portal/orgs/{org}/export.zip"),
    ("POST", "/portal/orgs/{org}/import"),
    ("GET", "/portal/services/{service}"),
    ("POST", "/portal/services/{service}"),
    ("POST", "/portal/services/{service}/confirm"),
    ("GET", "/portal/accounts"),
    ("POST", "/portal/accounts"),
    ("POST", "/portal/accounts/staff-b/disable"),
    ("POST", "/portal/accounts/staff-b/password"),
]
WRITES = [route for route in ROUTES if route[0] == "POST"]

form_values = st.dictionaries(
    st.sampled_from(["name", "description", "category", "status", "address", "latitude", "longitude", "timezone",
                     "hours_0_0_opens", "hours_0_0_closes", "name_ar", "phone_0", "requires_id", "username",
                     "password", "role", "organization_id"]),
    st.one_of(st.text(max_size=40), st.sampled_from(["health", "active", "38.7", "-9.1", "Europe/Lisbon", "09:00",
                                                     "18:00", ORG_A, ORG_B, "staff", "admin"])),
    max_size=8,
)


def _snapshot(server: PortalServer, organization_id: str | None = None) -> str:
    return json.dumps(export_document(server.engine, [organization_id] if organization_id else None), sort_keys=True)


def _import_file(organization_id: str, server: PortalServer) -> dict:
    document = export_document(server.engine, [organization_id])
    for service in document["services"]:
        service["name"] = "Taken over"
    return {"file": ("listings.json", json.dumps(document), "application/json")}


def _request(client, server: PortalServer, method: str, path: str, form: dict, target_org: str):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(path)
    if path.endswith("/import"):
        return client.post(path, files=_import_file(target_org, server))
    return client.post(path, form)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), service=st.sampled_from(B_SERVICES), form=form_values)
def test_staff_of_one_organisation_cannot_touch_another(server: PortalServer, route, service, form) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(server, "staff-a")
    before = _snapshot(server, ORG_B)
    method, template = route
    reply = _request(client, server, method, template.format(org=ORG_B, service=service), form, ORG_B)
    assert reply.status_code in (403, 404), (route, reply.status_code, reply.text[:300])
    assert reply.status_code == 404 or FORBIDDEN in reply.text  # refused as B's, not as a bad form
    assert "Casa Justa" not in reply.text  # nothing of B's listings leaks into an error page
    assert _snapshot(server, ORG_B) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(WRITES), service=st.sampled_from(A_SERVICES + B_SERVICES),
       organization=st.sampled_from([ORG_A, ORG_B]), form=form_values)
def test_operators_write_nothing(server: PortalServer, route, service, organization, form) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(server, "operator")
    before = _snapshot(server)
    method, template = route
    reply = _request(client, server, method, template.format(org=organization, service=service), form, organization)
    assert reply.status_code == 403 and FORBIDDEN in reply.text, (route, reply.status_code, reply.text[:300])
    assert _snapshot(server) == before


def test_operators_read_every_listing_but_get_no_form_to_save(server: PortalServer) -> None:
    client = logged_in(server, "operator")
    page = client.get("/portal/services/svc-casajusta-procura")
    assert page.status_code == 200 and "Associação Casa Justa" in page.text
    assert "You can read this listing but not change it." in page.text
    assert ">Save</button>" not in page.text


def test_staff_see_and_change_their_own_listings(server: PortalServer) -> None:
    client = logged_in(server, "staff-a")
    assert client.get("/portal/").headers["Location"] == f"/portal/orgs/{ORG_A}"
    page = client.get(f"/portal/orgs/{ORG_A}")
    assert page.status_code == 200 and "Clínica Popular de Arroios" in page.text
    assert "Still accurate" in page.text
    assert client.get("/portal/accounts").status_code == 403


def test_staff_audit_log_shows_only_their_organisation(server: PortalServer) -> None:
    logged_in(server, "staff-b").post("/portal/services/svc-casajusta-contratos/confirm")
    logged_in(server, "staff-a").post("/portal/services/svc-arroios-dentista/confirm")
    page = logged_in(server, "staff-a").get(f"/portal/audit?organization={ORG_B}")
    assert page.status_code == 200
    assert "svc-arroios-dentista" in page.text and "svc-casajusta-contratos" not in page.text
    assert logged_in(server, "operator").get("/portal/audit").status_code == 403
