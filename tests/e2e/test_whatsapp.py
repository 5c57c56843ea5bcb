"""WhatsApp end to end: real Rasa, actions and portal behind the Twilio and Meta Cloud API channels,
with documented payload shapes and a local fake Graph API that records what the bot sends."""
from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from i18n.catalogs import translate
from tests.conftest import state_dir
from tests.e2e.conftest import ARTIFACTS, WHATSAPP_ENV, FakeGraphApi, conversation_db
from tests.e2e.test_walking_skeleton import nearest_health_services

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "whatsapp"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def twilio_post(stack, params: dict[str, str], signature: str | None = None,  # type: ignore[no-untyped-def]
                replay: bool = False) -> tuple[int, str]:
    """Posts as Twilio would: each call a new message with its own MessageSid (an id already answered is
    not answered again), unless `replay` sends the given one as it is."""
    if not replay:
        params = {**params, **dict.fromkeys(("MessageSid", "SmsMessageSid", "SmsSid"), "SM" + uuid.uuid4().hex)}
    signed = RequestValidator(WHATSAPP_ENV["TWILIO_AUTH_TOKEN"]).compute_signature(
        WHATSAPP_ENV["TWILIO_WEBHOOK_URL"], params)
    return http(f"{stack.rasa_url}/webhooks/twilio_whatsapp/webhook", urllib.parse.urlencode(params).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature or signed})


def meta_post(stack, payload: dict, secret: str = WHATSAPP_ENV["META_APP_SECRET"],  # type: ignore[no-untyped-def]
              replay: bool = False) -> tuple[int, str]:
    """Posts as Meta would: each message new (its own id, sent now), unless `replay` sends it as it is."""
    if not replay:
        payload = json.loads(json.dumps(payload))
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                for message in change.get("value", {}).get("messages", []):
                    message.update(id=f"wamid.{uuid.uuid4().hex}", timestamp=str(int(time.time())))
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return http(f"{stack.rasa_url}/webhooks/meta_whatsapp/webhook", body,
                {"Content-Type": "application/json", "X-Hub-Signature-256": signature})


def with_sender(payload: dict, number: str) -> dict:
    text = json.dumps(payload).replace("351912000111", number)
    return json.loads(text)


def stored_conversations() -> int:
    with sqlite3.connect(conversation_db()) as connection:
        return connection.execute("SELECT COUNT(*) FROM conversation").fetchone()[0]


def test_twilio_conversation_in_spanish_with_digit_replies(stack) -> None:  # type: ignore[no-untyped-def]
    status, xml = twilio_post(stack, fixture("twilio_text.json"))
    assert status == 200 and xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert translate("greet.hello", "es") in xml and "1. " + translate("button.health", "es") in xml
    status, xml = twilio_post(stack, dict(fixture("twilio_text.json"), Body="1"))  # "1" = the health button
    assert translate("topic.emergency_health.PT.answer", "es", emergency_number="112")[:60] in xml


def test_twilio_location_pin_finds_the_nearest_services(stack) -> None:  # type: ignore[no-untyped-def]
    status, xml = twilio_post(stack, fixture("twilio_location.json"))
    nearest, _ = nearest_health_services("Alfama", k=1)[0]
    assert status == 200 and nearest["name"] in xml
    assert "38.711234" not in conversation_db().read_bytes().decode("utf-8", "replace")


def test_twilio_rejects_a_missing_or_wrong_signature_before_storing_anything(stack) -> None:  # type: ignore[no-untyped-def]
    before = stored_conversations()
    params = dict(fixture("twilio_text.json"), From="whatsapp:+351919999999")
    assert twilio_post(stack, params, signature="bm90IGEgc2lnbmF0dXJl")[0] == 403
    assert http(f"{stack.rasa_url}/webhooks/twilio_whatsapp/webhook", urllib.parse.urlencode(params).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    assert stored_conversations() == before


def test_meta_verification_handshake(stack) -> None:  # type: ignore[no-untyped-def]
    base = f"{stack.rasa_url}/webhooks/meta_whatsapp/webhook?hub.mode=subscribe&hub.challenge=1158201444"
    assert http(f"{base}&hub.verify_token={WHATSAPP_ENV['META_VERIFY_TOKEN']}") == (200, "1158201444")
    assert http(f"{base}&hub.verify_token=wrong")[0] == 403


def test_meta_conversation_in_french_goes_out_through_the_graph_api(stack, fake_graph: FakeGraphApi) -> None:  # type: ignore[no-untyped-def]
    number = "351912000111"
    assert meta_post(stack, fixture("meta_text.json"))[0] == 200
    [greeting] = fake_graph.sent_to(number)
    assert greeting["type"] == "interactive" and greeting["interactive"]["type"] == "list"
    assert translate("greet.hello", "fr") in greeting["interactive"]["body"]["text"]
    # On WhatsApp the greeting does not promise more than we can keep: WhatsApp carries the chat too.
    assert translate("greet.privacy.whatsapp", "fr") in greeting["interactive"]["body"]["text"]
    rows = greeting["interactive"]["action"]["sections"][0]["rows"]
    assert rows[0] == {"id": "/ask_health", "title": translate("button.health", "fr")}
    assert fake_graph.sent[-1]["auth"] == f"Bearer {WHATSAPP_ENV['META_ACCESS_TOKEN']}"

    assert meta_post(stack, fixture("meta_button_reply.json"))[0] == 200  # taps "Santé"
    answer = fake_graph.sent_to(number)[1]
    assert translate("topic.emergency_health.PT.answer", "fr", emergency_number="112")[:60] in json.dumps(answer, ensure_ascii=False)


def test_meta_location_sends_a_tappable_location_for_each_service(stack, fake_graph: FakeGraphApi) -> None:  # type: ignore[no-untyped-def]
    number = "351912000333"
    assert meta_post(stack, with_sender(fixture("meta_location.json"), number))[0] == 200
    sent = fake_graph.sent_to(number)
    locations = [m["location"] for m in sent if m["type"] == "location"]
    nearest, _ = nearest_health_services("Alfama", k=1)[0]
    assert len(locations) == 3 and any(l["latitude"] == nearest["location"]["latitude"] for l in locations)


def test_meta_rejects_bad_signatures_and_ignores_status_callbacks(stack, fake_graph: FakeGraphApi) -> None:  # type: ignore[no-untyped-def]
    before, stored = len(fake_graph.sent), stored_conversations()
    assert meta_post(stack, with_sender(fixture("meta_text.json"), "351918888888"), secret="wrong")[0] == 403
    assert meta_post(stack, fixture("meta_status.json"))[0] == 200
    assert len(fake_graph.sent) == before and stored_conversations() == stored


def test_phone_numbers_appear_in_no_store_and_no_log(stack) -> None:  # type: ignore[no-untyped-def]
    for folder in (state_dir(), ARTIFACTS):
        for path in folder.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                for number in (b"351912000111", b"351912000333", b"351913000222"):
                    assert number not in content, f"{number!r} in {path}"


def test_is_this_chat_safe_on_whatsapp_names_who_else_carries_it(stack, fake_graph: FakeGraphApi) -> None:  # type: ignore[no-untyped-def]
    number = "351912000777"
    meta = with_sender(fixture("meta_text.json"), number)
    message = meta["entry"][0]["changes"][0]["value"]["messages"][0]
    message["text"]["body"], message["id"] = "/ask_privacy", "wamid.privacy-question"
    assert meta_post(stack, meta)[0] == 200
    sent = json.dumps(fake_graph.sent_to(number), ensure_ascii=False)
    assert translate("privacy.channel.meta_whatsapp", "en")[:60] in sent
    assert "Twilio" not in sent

    twilio = dict(fixture("twilio_text.json"), From="whatsapp:+351912000778", WaId="351912000778", Body="/ask_privacy")
    status, twiml = twilio_post(stack, twilio)
    assert status == 200 and "Twilio" in twiml and "WhatsApp (Meta)" in twiml
