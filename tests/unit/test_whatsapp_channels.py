"""The WhatsApp channels on their documented payloads: signatures, parsing, reply formats and limits."""
from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.meta_whatsapp import incoming_messages, interactive_message, signature_is_valid
from bot.channels.twilio_whatsapp import twiml
from bot.channels.whatsapp_common import OptionMemory, location_message

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "whatsapp"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_meta_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = (FIXTURES / "meta_text.json").read_bytes()
    good = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert signature_is_valid("app-secret", body, good)
    assert not signature_is_valid("app-secret", body + b" ", good)
    assert not signature_is_valid("app-secret", body, good.replace("sha256=", "sha1="))
    assert not signature_is_valid("", body, good)  # no secret configured: closed
    assert not signature_is_valid("app-secret", body, "")


@pytest.mark.parametrize("name, text", [
    ("meta_text.json", "bonjour"), ("meta_button_reply.json", "/ask_health"), ("meta_list_reply.json", "/ask_education"),
])
def test_meta_messages_become_text_or_button_payloads(name: str, text: str) -> None:
    assert [(m.wa_id, m.text, m.metadata) for m in incoming_messages(fixture(name))] == [("351912000111", text, {})]


def test_a_shared_location_becomes_a_search_with_the_point_only_in_metadata() -> None:
    [(sender, _, text, metadata, *_)] = incoming_messages(fixture("meta_location.json"))
    assert text == "/find_service" and "38.711234" not in text
    assert metadata == {"location": {"latitude": 38.711234, "longitude": -9.129876}}
    assert location_message("91", "0") is None and location_message("x", "1") is None


def test_status_callbacks_and_garbage_carry_no_messages() -> None:
    assert incoming_messages(fixture("meta_status.json")) == []
    assert incoming_messages({"entry": "nope"}) == [] and incoming_messages([]) == []


def test_interactive_messages_respect_whatsapp_limits() -> None:
    three = [{"title": "A title much longer than twenty characters", "payload": "/ask_health"}] * 3
    message = interactive_message("body", three, "Options")
    assert message["type"] == "button" and len(message["action"]["buttons"]) == 3
    assert all(len(b["reply"]["title"]) <= 20 for b in message["action"]["buttons"])
    twelve = [{"title": f"Option number {i} with a long name", "payload": f"/p{i}"} for i in range(12)]
    listed = interactive_message("x" * 2000, twelve, "Options")
    rows = listed["action"]["sections"][0]["rows"]
    assert listed["type"] == "list" and len(rows) == 10 and all(len(r["title"]) <= 24 for r in rows)
    assert len(listed["body"]["text"]) <= 1024


def test_twilio_reply_is_twiml_with_numbered_options_answered_by_digits() -> None:
    messages = [{"text": "Hello <you> & welcome", "buttons": [{"title": "Health", "payload": "/ask_health"},
                                                              {"title": "School", "payload": "/ask_education"}]},
                {"text": "More", "buttons": [{"title": "Person", "payload": "/human_handoff"}]}]
    xml = twiml(messages)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello &lt;you&gt; &amp; welcome')
    assert "1. Health\n2. School" in xml and "3. Person" in xml
    memory = OptionMemory()
    memory.remember("pseudonym", [b for m in messages for b in m["buttons"]])
    assert memory.resolve("pseudonym", "2") == "/ask_education" and memory.resolve("pseudonym", "3") == "/human_handoff"
    assert memory.resolve("pseudonym", "9") == "9" and memory.resolve("other", "1") == "1"


def test_twilio_signatures_follow_twilios_algorithm() -> None:
    params = fixture("twilio_text.json")
    url = "https://bot.example.org/webhooks/twilio_whatsapp/webhook"
    signature = RequestValidator("token").compute_signature(url, params)
    assert RequestValidator("token").validate(url, params, signature)
    assert not RequestValidator("token").validate(url.replace("https", "http"), params, signature)


@pytest.mark.parametrize("sender", ["\ud83a", "+351912000111", "351 912", "", True, 3.5, "1" * 40])
def test_a_meta_message_whose_sender_is_not_a_whatsapp_id_is_not_answered(sender: object) -> None:
    # Found by the fuzzer: a lone surrogate as "from" could not be hashed and gave a 500.
    payload = fixture("meta_text.json")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = sender
    assert incoming_messages(payload) == []


def test_odd_ids_and_coordinates_from_a_signed_webhook_are_refused_not_crashed() -> None:
    # Found by the fuzzer: a lone surrogate as a message id, a coordinate of 10**309.
    from bot.channels.replay import ReplayGuard

    guard = ReplayGuard(b"key", 3600)
    assert guard.first_time("meta_whatsapp", "\ud800") and not guard.first_time("meta_whatsapp", "\ud800")
    assert location_message(0.0, 10**309) is None
