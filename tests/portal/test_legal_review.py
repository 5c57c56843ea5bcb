"""Legal review in a real portal: a reviewer reads a topic version (English, sources, every translation)
and signs it; the signature binds the content's hash, lands in the audit log, and the bot's reply says
"Checked by a lawyer on DATE" only while the content is exactly what was signed. Only reviewers sign."""
from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

import knowledge.review as review
from i18n.catalogs import translate
from i18n.formatting import long_date
from knowledge.repository import all_topics
from replies.catalog_replies import RenderContext, render
from settings import Settings
from staff.audit import entries
from staff.review_ledger import signed_on
from staff.roles import ADMIN, OPERATOR, REVIEWER, STAFF
from tests.portal.conftest import ORG_A, logged_in
from tests.portal_client import PortalServer
from services_db.database import session_factory

TOKEN = "review-test-internal-token"
TOPIC, COUNTRY = "report_crime", "PT"
VERSION_PAGE = f"/portal/reviews/{TOPIC}/{COUNTRY}"
FORBIDDEN = "Your account may not see or change this."


@pytest.fixture(scope="module")
def server() -> Iterator[PortalServer]:
    running = PortalServer(Path(tempfile.mkdtemp(prefix="portal-review-")), internal_token=TOKEN)
    running.add_account("admin", ADMIN)
    running.add_account("staff-a", STAFF, ORG_A)
    running.add_account("operator", OPERATOR)
    running.add_account("lawyer", REVIEWER)
    yield running
    running.stop()


def review_line(server: PortalServer, topic: str = TOPIC, language: str = "en") -> str:
    """What the bot says under its sources: the rights action reads the ledger (staff.review_ledger.signed_on,
    on this portal's database) and the Rasa process renders its arguments (replies.catalog_replies)."""
    arguments = {"topic": topic, "signed_on": signed_on(session_factory(server.engine), all_topics()[topic], COUNTRY)}
    context = RenderContext(language=language, arguments=arguments, settings=Settings(deployment_country=COUNTRY),
                            now=dt.datetime.now(dt.timezone.utc), channel="rest")
    return render("utter_rights_sources", context).text


def page_hash(html: str) -> str:
    return re.search(r'name="content_hash" value="([0-9a-f]{64})"', html).group(1)


def test_a_reviewer_sees_the_version_side_by_side_signs_it_and_the_bot_says_so(server: PortalServer) -> None:
    assert translate("rights.draft", "en") in review_line(server)
    lawyer = logged_in(server, "lawyer")
    page = lawyer.get(VERSION_PAGE)
    assert page.status_code == 200
    # The English source, its sources with official URLs, and every translation, side by side.
    assert "You have rights as a victim, with or without papers." in page.text
    assert "https://www.pgdlisboa.pt/leis/lei_mostra_articulado.php?nid=920&amp;tabela=leis" in page.text
    assert "146(1)" in page.text
    assert translate("topic.report_crime.PT.risk", "ar")[:30] in page.text
    assert 'lang="ti" dir="ltr"' in page.text and 'lang="fa" dir="rtl"' in page.text

    signed = lawyer.post(f"{VERSION_PAGE}/sign", {"content_hash": page_hash(page.text)})
    assert signed.status_code == 200 and "Signed." in signed.text
    today = dt.datetime.now(dt.timezone.utc).date()
    assert translate("rights.lawyer_checked", "en", date=long_date(today, "en")) in review_line(server)
    assert translate("rights.draft", "en") not in review_line(server)
    assert translate("rights.lawyer_checked", "fr", date=long_date(today, "fr")) in review_line(server, language="fr")
    # Only this version: another topic is still a draft.
    assert translate("rights.draft", "en") in review_line(server, topic="work_pay")

    with session_factory(server.engine)() as db:
        [entry] = [e for e in entries(db) if e.action == "sign"]
    assert entry.actor == "lawyer" and entry.record_id == f"{TOPIC}.{COUNTRY}"
    assert entry.after["content_hash"] == review.content_hash(TOPIC, COUNTRY)


def test_any_change_to_the_content_returns_it_to_draft(server: PortalServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    lawyer = logged_in(server, "lawyer")
    lawyer.post(f"{VERSION_PAGE}/sign", {"content_hash": page_hash(lawyer.get(VERSION_PAGE).text)})
    assert translate("rights.draft", "en") not in review_line(server)

    # A translator changes one word of the Tigrinya answer: the content (and its hash) is not what was signed.
    original = review.reviewed_content

    def edited(unit):  # type: ignore[no-untyped-def]
        content = original(unit)
        if (unit.topic.id, unit.jurisdiction) == (TOPIC, COUNTRY):
            content["texts"][f"topic.{TOPIC}.{COUNTRY}.answer"]["ti"] += " ተወሳኺ"
        return content

    monkeypatch.setattr(review, "reviewed_content", edited)
    review.content_hash.cache_clear()
    try:
        assert translate("rights.draft", "en") in review_line(server)
        listing = lawyer.get("/portal/reviews")
        assert "Changed since lawyer signed it" in listing.text
        # A signature of the old page (its hash) is refused: the reviewer must read the new text.
        stale = lawyer.post(f"{VERSION_PAGE}/sign", {"content_hash": review.hash_content(original(
            review.find_unit(TOPIC, COUNTRY)))})
        assert stale.status_code == 409 and "The text changed after you opened this page" in stale.text
        assert translate("rights.draft", "en") in review_line(server)
    finally:
        monkeypatch.undo()
        review.content_hash.cache_clear()
    assert translate("rights.draft", "en") not in review_line(server)  # the signed text is back


def test_a_review_flagged_because_the_law_changed_is_a_draft_until_signed_again(server: PortalServer) -> None:
    lawyer, admin = logged_in(server, "lawyer"), logged_in(server, "admin")
    unit_page = "/portal/reviews/renting/PT"
    lawyer.post(f"{unit_page}/sign", {"content_hash": page_hash(lawyer.get(unit_page).text)})
    assert translate("rights.draft", "en") not in review_line(server, "renting")

    admin.get(unit_page)
    empty = admin.post(f"{unit_page}/flag", {"note": "   "})
    assert empty.status_code == 400 and "Nothing was recorded" in empty.text
    assert translate("rights.draft", "en") not in review_line(server, "renting")
    flagged = admin.post(f"{unit_page}/flag", {"note": "Lei 23/2007 amended: accommodation report rules"})
    assert flagged.status_code == 200
    assert translate("rights.draft", "en") in review_line(server, "renting")
    listing = admin.get("/portal/reviews").text
    assert "The law changed: Lei 23/2007 amended: accommodation report rules (admin)" in listing

    lawyer.post(f"{unit_page}/sign", {"content_hash": page_hash(lawyer.get(unit_page).text)})
    assert translate("rights.draft", "en") not in review_line(server, "renting")


@pytest.mark.parametrize("username", ["admin", "staff-a", "operator"])
def test_only_a_legal_reviewer_can_sign(server: PortalServer, username: str) -> None:
    client = logged_in(server, username)
    current = review.content_hash("work_safety", COUNTRY)
    reply = client.post("/portal/reviews/work_safety/PT/sign", {"content_hash": current})
    assert reply.status_code == 403 and FORBIDDEN in reply.text
    assert translate("rights.draft", "en") in review_line(server, "work_safety")
    with session_factory(server.engine)() as db:
        assert not [e for e in entries(db) if e.record_id == "work_safety.PT"]


@pytest.mark.parametrize("username", ["staff-a", "operator"])
def test_staff_and_operators_do_not_see_or_flag_reviews(server: PortalServer, username: str) -> None:
    client = logged_in(server, username)
    assert client.get("/portal/reviews").status_code == 403
    assert client.get(VERSION_PAGE).status_code == 403
    assert client.post(f"{VERSION_PAGE}/flag", {"note": "x"}).status_code == 403


def test_a_reviewer_lands_on_the_review_list_and_sees_no_listings(server: PortalServer) -> None:
    lawyer = logged_in(server, "lawyer")
    home = lawyer.get("/portal/")
    assert home.status_code == 303 and home.headers["Location"] == "/portal/reviews"
    assert lawyer.get(f"/portal/orgs/{ORG_A}").status_code == 403
    listing = lawyer.get("/portal/reviews")
    assert listing.status_code == 200 and "need a lawyer now" in listing.text
    assert lawyer.get("/portal/reviews/report_crime/XX").status_code == 404
    assert lawyer.get("/portal/reviews/no_such_topic/PT").status_code == 404


def test_topics_past_their_review_date_are_listed(server: PortalServer) -> None:
    overdue = PortalServer(Path(tempfile.mkdtemp(prefix="portal-review-due-")), internal_token=TOKEN,
                           review_interval_days=0)
    try:
        overdue.add_account("lawyer", REVIEWER)
        lawyer = logged_in(overdue, "lawyer")
        text = lawyer.get("/portal/reviews").text
        # With no interval, every version is due now.
        assert text.count("(past)") == len(review.review_units())
        assert text.count('<tr class="attention">') == len(review.review_units())
    finally:
        overdue.stop()
    fresh = logged_in(server, "lawyer").get("/portal/reviews").text
    assert "(past)" not in fresh  # 180 days after 2026-11-22 is not yet here
