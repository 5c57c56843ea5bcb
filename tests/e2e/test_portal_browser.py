"""The staff portal and the hotline console in real headless Chromium against the running stack: a staff
member changes opening hours and the bot's next answer has them; an operator searches in French and
reads the Arabic answer beside it, and sees the emergency reply first when the caller is in danger; a script in a service name stays text in the portal, the widget and
WhatsApp."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

import pytest

from i18n.catalogs import translate
from i18n.formatting import clock_time
from services_db.database import make_engine, session_factory
from services_db.hsds_io import export_document, import_document
from services_db.models import Service
from settings import get_settings
from staff.accounts import create_account
from tests.conftest import state_dir
from tests.e2e.conftest import ARTIFACTS, new_session
from tests.e2e.test_walking_skeleton import nearest_health_services
from tests.e2e.test_whatsapp import fixture, twilio_post
from tests.e2e.test_widget_browser import browser, open_widget, send  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.e2e
PASSWORD = "a long staff password 2026"


def _owner_of(service_id: str) -> str:
    data = json.loads(Path(get_settings().sample_directory_json).read_text(encoding="utf-8"))
    return next(org["id"] for org in data["organizations"] for s in org["services"] if s["id"] == service_id)


@pytest.fixture(scope="module")
def alfama_clinic(stack) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    """The health service the bot offers first near Alfama, its organisation's staff account, and that
    organisation restored afterwards so the other tests see the sample listings."""
    service, _ = nearest_health_services("Alfama", k=1)[0]
    organization_id = _owner_of(service["id"])
    engine = make_engine(get_settings().directory_db_url)
    saved = export_document(engine, [organization_id])
    with session_factory(engine).begin() as db:
        for username, role, org in (("clinic.staff", "staff", organization_id), ("hotline.op", "operator", None)):
            create_account(db, username, PASSWORD, role, org)
    yield {"service": service, "organization_id": organization_id, "engine": engine}
    import_document(engine, saved)


def portal_page(browser, stack, username: str):  # type: ignore[no-untyped-def]
    # http://localhost is a secure context for Chromium, so the Secure session cookie works without TLS.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"http://localhost:{stack.ports.portal}/portal/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _lisbon_closing_time() -> dt.time:
    """A closing time still ahead today in Lisbon, and unlike any in the sample data (:47)."""
    now = dt.datetime.now(ZoneInfo("Europe/Lisbon"))
    return dt.time(now.hour + 1, 47) if now.hour < 22 else dt.time(23, 59)


def test_staff_edit_opening_hours_and_the_bot_answers_with_them(browser, stack, say, alfama_clinic) -> None:  # type: ignore[no-untyped-def]
    service = alfama_clinic["service"]
    page = portal_page(browser, stack, "clinic.staff")
    assert page.url.endswith(f"/portal/orgs/{alfama_clinic['organization_id']}")
    page.click(f"a[href='/portal/services/{service['id']}']")
    closes = _lisbon_closing_time().strftime("%H:%M")
    for weekday in range(7):
        page.fill(f"input[name=hours_{weekday}_0_opens]", "00:00")
        page.fill(f"input[name=hours_{weekday}_0_closes]", closes)
        for slot in range(1, page.locator(f"input[name^=hours_{weekday}_][name$=_opens]").count()):
            page.fill(f"input[name=hours_{weekday}_{slot}_opens]", "")
            page.fill(f"input[name=hours_{weekday}_{slot}_closes]", "")
    page.click("button:text('Save')")
    page.wait_for_selector("text=Saved.")
    page.screenshot(path=str(ARTIFACTS / "portal-saved.png"), full_page=True)

    sender = new_session(stack)
    replies = say(sender, "find a clinic near Alfama")
    text = "\n".join(r.get("text", "") for r in replies)
    assert service["name"] in text
    expected = translate("service.open_until", "en", time=clock_time(dt.time.fromisoformat(closes), "en"))
    first_card = text.split("\n2. ")[0]
    assert expected in first_card, first_card


def test_operator_searches_in_french_and_reads_the_arabic_answer_beside_it(browser, stack, alfama_clinic) -> None:  # type: ignore[no-untyped-def]
    page = portal_page(browser, stack, "hotline.op")
    page.goto(f"http://localhost:{stack.ports.portal}/console")
    canary = "Zorbulax"  # a made-up name, to look for in every file afterwards
    page.fill("#q", f"est-ce que mon fils {canary} peut aller à l'école sans papiers")
    page.select_option("#operator_language", "fr")
    page.select_option("#caller_language", "ar")
    page.click("button:text('Search')")
    page.wait_for_selector(".column[data-language=ar]")
    placeholders = get_settings().deployment_placeholders()
    french = translate("topic.school.PT.answer", "fr", **placeholders)
    arabic = translate("topic.school.PT.answer", "ar", **placeholders)
    first = page.locator("section").first
    assert french[:50] in first.locator(".column[data-language=fr]").inner_text()
    arabic_column = first.locator(".column[data-language=ar]")
    assert arabic[:50] in arabic_column.inner_text()
    assert arabic_column.get_attribute("dir") == "rtl"
    assert page.locator("button[data-copy]:visible").count() >= 2  # copy buttons, shown by the script
    page.screenshot(path=str(ARTIFACTS / "console-fr-ar.png"), full_page=True)

    # With a place, the nearest services come in both languages too.
    page.fill("#q", "centre de santé près de Alfama")
    page.click("button:text('Search')")
    page.wait_for_selector(".column[data-language=ar] >> text=" + alfama_clinic["service"]["translations"]["ar"]["name"])

    # The console kept nothing of the question: no file of the run mentions it.
    for folder in (state_dir(), ARTIFACTS / "e2e-logs"):
        for path in folder.rglob("*"):
            if path.is_file():
                assert canary.encode() not in path.read_bytes(), path


def test_operator_sees_what_to_say_first_when_the_caller_is_in_danger(browser, stack, alfama_clinic) -> None:  # type: ignore[no-untyped-def]
    page = portal_page(browser, stack, "hotline.op")
    page.goto(f"http://localhost:{stack.ports.portal}/console")
    page.fill("#q", "мой муж бьёт меня прямо сейчас, я заперлась в ванной")
    page.select_option("#operator_language", "pt")
    page.click("button:text('Search')")
    danger = page.locator("section.danger")
    danger.wait_for()
    placeholders = get_settings().deployment_placeholders()
    assert translate("safety.violence_now", "pt", **placeholders)[:60] in danger.locator(".column[data-language=pt]").inner_text()
    assert translate("safety.violence_now", "ru", **placeholders)[:60] in danger.locator(".column[data-language=ru]").inner_text()


def test_a_script_in_a_service_name_stays_text_in_the_portal_widget_and_whatsapp(browser, stack, alfama_clinic) -> None:  # type: ignore[no-untyped-def]
    service = alfama_clinic["service"]
    hostile = '<img src=x onerror="document.title=\'pwned\'"> Clinic'
    page = portal_page(browser, stack, "clinic.staff")
    page.click(f"a[href='/portal/services/{service['id']}']")
    page.fill("#name", hostile)
    page.click("button:text('Save')")
    page.wait_for_selector("text=Saved.")
    assert page.get_by_role("link", name=hostile, exact=True).count() == 1  # shown as the text it is
    assert page.locator("img[src=x]").count() == 0 and page.title() != "pwned"
    with session_factory(alfama_clinic["engine"])() as db:
        assert db.get(Service, service["id"]).name == hostile

    widget = open_widget(browser, stack, "en-GB")
    send(widget, "find a clinic near Alfama")
    widget.wait_for_selector(".mra-bot >> text=onerror")
    assert widget.locator(".mra img").count() == 0 and widget.title() != "pwned"

    status, xml = twilio_post(stack, fixture("twilio_location.json"))
    assert status == 200 and "&lt;img src=x onerror=" in xml and "<img" not in xml
