"""The chat channels under abuse, against the running stack: odd text in secrets, old REST sessions, huge
bodies, floods per conversation and per address, replayed webhooks, sockets without an Origin, and
"delete my data" reaching every memory. Bad input gets a clear message or a 4xx, never a 5xx, and other
users are served meanwhile.

Floods from "another machine" use other loopback addresses (127.0.0.2, ...) as their source, so that the
per-address budget they exhaust is not the one every other test uses (127.0.0.1)."""
from __future__ import annotations

import asyncio
import http.client
import json
import socket
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest
import socketio
from twilio.request_validator import RequestValidator

from bot.channels.abuse import bad_signature_budget
from i18n.catalogs import translate
from launcher.stack import Stack
from privacy.sessions import issue_session
from settings import get_settings
from tests.conftest import state_dir
from tests.e2e.conftest import ABUSE_LIMITS_ENV, ARTIFACTS, WHATSAPP_ENV, FakeGraphApi, Send, new_session, post
from tests.e2e.test_deletion_phrase import phrase_we_tell_users_to_type
from tests.e2e.test_whatsapp import fixture, meta_post, twilio_post, with_sender
from tests.e2e.test_whatsapp import http as http_get
from tests.e2e.test_widget_socket import connect, wait_for

pytestmark = pytest.mark.e2e
SENDER_LIMIT = int(ABUSE_LIMITS_ENV["RATE_LIMIT_SENDER_PER_MINUTE"])
ADDRESS_LIMIT = int(ABUSE_LIMITS_ENV["RATE_LIMIT_ADDRESS_PER_MINUTE"])
BAD_SIGNATURE_LIMIT = bad_signature_budget(ADDRESS_LIMIT)
TWILIO_PATH, META_PATH = "/webhooks/twilio_whatsapp/webhook", "/webhooks/meta_whatsapp/webhook"
REST_PATH = "/webhooks/rest/webhook"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Written in some messages below, and looked for in every log and store at the end.
CANARY = "Quellbrandt"
NUMBERS = [f"35191666{n:04d}" for n in range(1, 12)]


def slow_down(language: str) -> str:
    return translate("abuse.slow_down", language)


class Client:
    """Keep-alive HTTP from a chosen loopback source address, raw headers allowed (bytes values)."""

    def __init__(self, stack: Stack, source: str = "127.0.0.1") -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", stack.ports.rasa, timeout=60,
                                                      source_address=(source, 0))

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, Any] | None = None
                ) -> tuple[int, str]:
        self._connection.request(method, path, body=body, headers=headers or {})
        reply = self._connection.getresponse()
        return reply.status, reply.read().decode("utf-8", "replace")

    def close(self) -> None:
        self._connection.close()


def rest_message(sender: str, message: str) -> bytes:
    return json.dumps({"sender": sender, "message": message}).encode()


def texts(replies: Any) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies) if isinstance(replies, list) else str(replies)


FLOOD_BURST = 25


def flood(send: Callable[[], Any]) -> list[Any]:
    """A conversation's whole budget one message after the other, then a burst all at once. The budget
    refills while messages are answered, so only a burst is sure to go past it; and answered messages of
    one conversation queue behind Rasa's lock (which polls once a second), so the burst stays small."""
    results = [send() for _ in range(SENDER_LIMIT)]
    with ThreadPoolExecutor(max_workers=FLOOD_BURST) as pool:
        return results + list(pool.map(lambda _: send(), range(FLOOD_BURST)))


def twilio_params(number: str, body: str) -> dict[str, str]:
    return dict(fixture("twilio_text.json"), From=f"whatsapp:+{number}", WaId=number, Body=body)


def meta_text(number: str, body: str, message_id: str | None = None, sent: float | None = None) -> dict:
    payload = with_sender(fixture("meta_text.json"), number)
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["text"]["body"] = body
    message["id"] = message_id or f"wamid.{uuid.uuid4().hex}"
    message["timestamp"] = str(int(sent if sent is not None else time.time()))
    return payload


# --- 1. Odd text in secrets is refused, never a 500 ----------------------------------------------------

@pytest.mark.parametrize("sender", ["a." + "é" * 32, "é" * 32 + ".29000000." + "é" * 32, "\ud800" * 32 + ".1.x"])
def test_a_session_id_with_non_ascii_text_is_refused_not_a_server_error(stack, sender: str) -> None:  # type: ignore[no-untyped-def]
    status, body = post(f"{stack.rasa_url}{REST_PATH}", rest_message(sender, "hello"))
    assert status == 403 and "session" in body


def test_non_ascii_signatures_tokens_and_texts_get_4xx_or_an_answer(stack, say: Send, new_sender: str) -> None:  # type: ignore[no-untyped-def]
    client = Client(stack)
    payload = json.dumps(meta_text(NUMBERS[0], "bonjour")).encode()
    for header in ("sha256=" + "é" * 64, ("sha256=" + "é" * 64).encode("utf-8"), b"sha256=" + b"\xe9" * 64):
        status, _ = client.request("POST", META_PATH, payload, {"Content-Type": "application/json",
                                                                "X-Hub-Signature-256": header})
        assert status == 403, header
    verify = "?" + urllib.parse.urlencode({"hub.mode": "subscribe", "hub.verify_token": "é" * 17, "hub.challenge": "1"})
    assert client.request("GET", META_PATH + verify)[0] == 403
    for authorization in (b"Bearer \xe9\xff", "Bearer é".encode()):
        status, _ = client.request("POST", "/webhooks/console/parse", b'{"text": "hola"}',
                                   {"Content-Type": "application/json", "Authorization": authorization})
        assert status == 401
    params = twilio_params(NUMBERS[0], "hola")
    status, _ = client.request("POST", TWILIO_PATH, urllib.parse.urlencode(params).encode(),
                               {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "é".encode()})
    assert status == 403
    # A lone surrogate is valid JSON but not text: the message is answered like any unclear one.
    status, replies = post(f"{stack.rasa_url}{REST_PATH}", rest_message(new_sender, f"\ud800 hello {CANARY} \udfff"))
    assert status == 200 and texts(replies).strip()
    client.close()


# --- 2. REST sessions expire ----------------------------------------------------------------------------

def test_an_old_rest_session_is_refused_with_a_way_to_a_new_one(stack, say: Send, new_sender: str) -> None:  # type: ignore[no-untyped-def]
    settings = get_settings()
    assert len(new_sender.split(".")) == 3  # nonce, issue minute, signature
    expired = issue_session(settings.session_signing_key, now=time.time() - (settings.rest_session_hours + 1) * 3600)
    status, body = post(f"{stack.rasa_url}{REST_PATH}", rest_message(expired, "hello"))
    assert status == 403 and "expired" in body and "/webhooks/rest/session" in json.loads(body)["error"]
    recent = issue_session(settings.session_signing_key, now=time.time() - (settings.rest_session_hours - 1) * 3600)
    assert translate("greet.hello", "en") in texts(say(recent, "hello"))
    # Signed with the pseudonym key (what the server used to do): not a session any more.
    status, body = post(f"{stack.rasa_url}{REST_PATH}", rest_message(issue_session(settings.sender_hash_key), "hi"))
    assert status == 403 and "Unknown session" in body
    assert translate("greet.hello", "en") in texts(say(new_sender, "hello"))


# --- 3. Body limits before parsing ------------------------------------------------------------------------

def raw_exchange(stack: Stack, head: bytes, timeout: float = 10.0) -> tuple[bytes, float]:
    """Sends a request head (and nothing else) and returns the start of the answer and how long it took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", stack.ports.rasa), timeout=timeout) as raw:
        raw.sendall(head)
        return raw.recv(4096), time.monotonic() - started


def test_a_10_mb_body_gets_413_before_it_is_read_and_the_server_keeps_serving(stack, say: Send, new_sender: str) -> None:  # type: ignore[no-untyped-def]
    ten_mb = 10 * 1024 * 1024
    announced = (f"POST {REST_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {ten_mb}\r\n\r\n").encode()
    answer, seconds = raw_exchange(stack, announced)  # not one byte of the body is sent
    assert answer.startswith(b"HTTP/1.1 413") and seconds < 5, answer[:200]
    # Chunked: no length up front; refused as soon as the chunks announced pass the limit.
    chunked = (f"POST {REST_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Transfer-Encoding: chunked\r\n\r\n{ten_mb:x}\r\n").encode()
    answer, seconds = raw_exchange(stack, chunked)
    assert answer.startswith(b"HTTP/1.1 413") and seconds < 5, answer[:200]
    # A length that is no number: 400 (Sanic alone would answer "abc" with a 500, and wait forever on "-5").
    for length in ("abc", "-5", "1e3"):
        head = f"POST {REST_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n\r\n".encode()
        answer, seconds = raw_exchange(stack, head)
        assert answer.startswith(b"HTTP/1.1 400") and seconds < 5, (length, answer[:200])
    # The whole 10 MB sent in earnest: refused quickly (413, or the connection closed on the rest of it).
    started = time.monotonic()
    try:
        status, _ = post(f"{stack.rasa_url}{REST_PATH}", b"x" * ten_mb)
        assert status == 413
    except OSError:
        pass
    assert time.monotonic() - started < 10
    assert translate("greet.hello", "en") in texts(say(new_sender, "hello"))


# --- 4. Rate limits ------------------------------------------------------------------------------------

def test_a_flooding_rest_conversation_is_slowed_down_in_its_language(stack, say: Send, new_sender: str) -> None:  # type: ignore[no-untyped-def]
    assert translate("greet.hello", "fr") in texts(say(new_sender, "bonjour"))
    url = f"{stack.rasa_url}{REST_PATH}"
    results = flood(lambda: post(url, rest_message(new_sender, "/greet")))
    statuses = [status for status, _ in results]
    assert statuses.count(429) >= 5 and set(statuses) == {200, 429}, statuses
    refused = [json.loads(body) for status, body in results if status == 429]
    assert all(reply[0]["text"] == slow_down("fr") for reply in refused)
    other = new_session(stack)
    assert translate("greet.hello", "en") in texts(say(other, "hello"))  # someone else is served


def test_one_address_cannot_open_sessions_without_end_and_other_addresses_are_served(stack, say: Send) -> None:  # type: ignore[no-untyped-def]
    flooder = Client(stack, source="127.0.0.2")
    statuses = []
    for _ in range(2 * ADDRESS_LIMIT):
        status, body = flooder.request("POST", "/webhooks/rest/session")
        statuses.append(status)
        if status == 429:
            break
    assert statuses[-1] == 429 and len(statuses) > ADDRESS_LIMIT, len(statuses)
    assert json.loads(body)[0]["text"] == slow_down("en")  # no conversation yet: English
    flooder.close()
    assert translate("greet.hello", "en") in texts(say(new_session(stack), "hello"))


def test_a_socket_has_at_most_two_messages_in_flight(stack) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        client, received = await connect(stack.rasa_url, stack.portal_url)
        for _ in range(6):
            await client.emit("user_uttered", {"message": "/greet"})
        await wait_for(received, lambda m: m.get("text") == slow_down("en"))
        await asyncio.sleep(3.0)
        greetings = [m for m in received if translate("greet.hello", "en") in (m.get("text") or "")]
        assert 1 <= len(greetings) <= 2, received
        await client.disconnect()

    asyncio.run(scenario())


def test_a_flooding_socket_is_told_once_in_its_language(stack) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        client, received = await connect(stack.rasa_url, stack.portal_url)
        hello, told = translate("greet.hello", "fr"), slow_down("fr")

        def greetings() -> int:
            return sum(hello in (m.get("text") or "") for m in received)

        sent = 0
        while not any(m.get("text") == told for m in received):  # one at a time, as a very fast person would
            assert sent <= 2 * SENDER_LIMIT, "never slowed down"
            sent += 1
            await client.emit("user_uttered", {"message": "bonjour" if sent == 1 else "/greet"})
            await wait_for(received, lambda m, n=sent: greetings() >= n or m.get("text") == told)
        assert sent > SENDER_LIMIT
        answered = greetings()
        for _ in range(3):  # the flood goes on: nothing more is said, nothing is answered
            await client.emit("user_uttered", {"message": f"/greet {CANARY}"})
        await asyncio.sleep(2.0)
        assert sum(m.get("text") == told for m in received) == 1 and greetings() == answered
        await client.disconnect()

    asyncio.run(scenario())


def test_a_flooding_twilio_sender_is_told_once_then_gets_empty_twiml(stack) -> None:  # type: ignore[no-untyped-def]
    number = NUMBERS[1]
    # The conversation's language is its `language` slot, which a lone "hola" is too short to set.
    assert twilio_post(stack, twilio_params(number, '/change_language{"language": "es"}'))[0] == 200
    results = flood(lambda: twilio_post(stack, twilio_params(number, "/greet")))
    assert all(status == 200 for status, _ in results)
    refused = [xml for _, xml in results if translate("greet.hello", "es") not in xml]
    told = [xml for xml in refused if slow_down("es") in xml]
    assert len(told) == 1 and "<Message>" + slow_down("es") + "</Message>" in told[0], refused[:3]
    assert len(refused) >= 5 and all(xml == EMPTY_TWIML for xml in refused if xml not in told), refused
    status, xml = twilio_post(stack, twilio_params(NUMBERS[2], "hola"))  # another number is answered
    assert status == 200 and translate("greet.hello", "es") in xml


def test_a_flooding_meta_sender_gets_200_and_one_slow_down_message(stack, fake_graph: FakeGraphApi) -> None:  # type: ignore[no-untyped-def]
    number = NUMBERS[3]
    assert meta_post(stack, meta_text(number, "bonjour"))[0] == 200
    results = flood(lambda: meta_post(stack, meta_text(number, "/greet")))
    assert all(status == 200 for status, _ in results)  # Meta retries anything else
    sent = [json.dumps(message, ensure_ascii=False) for message in fake_graph.sent_to(number)]
    assert sum(slow_down("fr") in message for message in sent) == 1
    assert meta_post(stack, meta_text(NUMBERS[4], "bonjour"))[0] == 200
    assert fake_graph.sent_to(NUMBERS[4])


def test_invalid_signatures_are_limited_per_address_and_genuine_webhooks_still_pass(stack) -> None:  # type: ignore[no-untyped-def]
    forger = Client(stack, source="127.0.0.3")
    body = urllib.parse.urlencode(twilio_params(NUMBERS[5], "hola")).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    statuses = []
    for _ in range(2 * BAD_SIGNATURE_LIMIT):
        statuses.append(forger.request("POST", TWILIO_PATH, body, headers)[0])
        if statuses[-1] == 429:
            break
    assert set(statuses[:-1]) == {403} and statuses[-1] == 429 and len(statuses) > BAD_SIGNATURE_LIMIT
    # Guessing Meta's verify token from there stops too, even with the right one.
    verify = "?" + urllib.parse.urlencode({"hub.mode": "subscribe", "hub.challenge": "7",
                                           "hub.verify_token": WHATSAPP_ENV["META_VERIFY_TOKEN"]})
    assert forger.request("GET", META_PATH + verify)[0] == 429
    # A genuinely signed request is never refused by the address budget (behind a proxy it shares it).
    params = dict(twilio_params(NUMBERS[5], "hola"), MessageSid="SM" + uuid.uuid4().hex)
    signed = RequestValidator(WHATSAPP_ENV["TWILIO_AUTH_TOKEN"]).compute_signature(
        WHATSAPP_ENV["TWILIO_WEBHOOK_URL"], params)
    status, xml = forger.request("POST", TWILIO_PATH, urllib.parse.urlencode(params).encode(),
                                 {**headers, "X-Twilio-Signature": signed})
    assert status == 200 and translate("greet.hello", "es") in xml
    forger.close()
    assert http_get(f"{stack.rasa_url}{META_PATH}{verify}") == (200, "7")  # other addresses are unaffected


# --- 5. Webhook replays ------------------------------------------------------------------------------

def test_a_replayed_twilio_request_gets_nothing(stack) -> None:  # type: ignore[no-untyped-def]
    params = dict(twilio_params(NUMBERS[6], "hola"), MessageSid="SM" + uuid.uuid4().hex)
    status, xml = twilio_post(stack, params, replay=True)
    assert status == 200 and translate("greet.hello", "es") in xml
    assert twilio_post(stack, params, replay=True) == (200, EMPTY_TWIML)


def test_a_replayed_or_stale_meta_message_is_not_answered(stack, fake_graph: FakeGraphApi) -> None:  # type: ignore[no-untyped-def]
    number = NUMBERS[7]
    payload = meta_text(number, "bonjour")
    assert meta_post(stack, payload, replay=True)[0] == 200
    answered = len(fake_graph.sent_to(number))
    assert answered >= 1
    assert meta_post(stack, payload, replay=True)[0] == 200
    stale = meta_text(number, "bonjour", sent=time.time() - (get_settings().webhook_dedup_hours + 1) * 3600)
    assert meta_post(stack, stale, replay=True)[0] == 200
    time.sleep(1.0)
    assert len(fake_graph.sent_to(number)) == answered


# --- 6. Sockets without an Origin ----------------------------------------------------------------------

def test_a_socket_without_an_origin_header_cannot_connect(stack) -> None:  # type: ignore[no-untyped-def]
    async def attempt() -> None:
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
        finally:
            await client.disconnect()

    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(attempt())


# --- 7. "Delete my data" reaches the numbered options ----------------------------------------------------

def test_after_delete_my_data_a_digit_no_longer_means_an_old_option(stack) -> None:  # type: ignore[no-untyped-def]
    number = NUMBERS[8]
    status, xml = twilio_post(stack, twilio_params(number, "hola"))
    assert status == 200 and "1. " + translate("button.health", "es") in xml
    status, xml = twilio_post(stack, twilio_params(number, phrase_we_tell_users_to_type("es")))
    assert status == 200 and translate("forget.done", "es") in xml
    status, xml = twilio_post(stack, twilio_params(number, "1"))
    # The erased conversation's language went with it: the old option would now be answered in English.
    assert status == 200 and not any(
        translate("topic.emergency_health.PT.answer", language, emergency_number="112")[:60] in xml
        for language in ("es", "en"))


# --- 8. Nothing of this reaches a log or a store ---------------------------------------------------------

def test_no_text_or_number_of_these_tests_is_in_a_log_or_store(stack) -> None:  # type: ignore[no-untyped-def]
    secrets = [CANARY.encode(), *(number.encode() for number in NUMBERS)]
    for folder in (state_dir(), ARTIFACTS / "e2e-logs"):
        for path in folder.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                found = [secret for secret in secrets if secret in content]
                assert not found, f"{found} in {path}"
