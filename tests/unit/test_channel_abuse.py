"""Abuse controls of the chat channels: constant-time comparisons that survive any text, dated REST
sessions, message budgets, webhook replay protection, memories that "delete my data" clears, and the
request-size cap, registered once for the server (the last test serves every channel on loopback)."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import importlib
import socket
import threading
import time
from typing import Any

import pytest
import yaml

from bot.channels.meta_whatsapp import incoming_messages, signature_is_valid
from bot.channels.rate_limit import RateLimiter, Verdict
from bot.channels.replay import ReplayGuard, is_recent
from bot.channels.twilio_whatsapp import TwilioWhatsAppInput
from bot.channels.widget import origin_allowed, refuse_without_origin
from privacy.erasure import announce_erasure
from privacy.internal_token import is_authorised
from privacy.sessions import SessionCheck, check_session, issue_session
from settings import ROOT, get_settings

KEY = b"session-signing-key-for-tests-only"
HOUR = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- Finding 1: comparisons of secrets never raise on odd text ---------------------------------------

@pytest.mark.parametrize("presented", ["é" * 64, "\udce9" * 64, "\ud800", "", "sha256"])
def test_meta_signature_check_refuses_any_text_instead_of_raising(presented: str) -> None:
    body = b'{"entry": []}'
    assert not signature_is_valid("app-secret", body, "sha256=" + presented)
    good = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert signature_is_valid("app-secret", body, good)


@pytest.mark.parametrize("header", ["Bearer é", "Bearer \udce9\udcff", "Bearer \ud800", "é"])
def test_internal_token_refuses_non_ascii_and_undecodable_headers(header: str) -> None:
    # Sanic and aiohttp keep invalid UTF-8 header bytes as surrogates: encoding them strictly would raise.
    assert not is_authorised(header, "a" * 64)
    assert is_authorised("Bearer " + "a" * 64, "a" * 64)


@pytest.mark.parametrize("sender", ["a." + "é" * 32, "é" * 32 + ".1.x", "0" * 32 + ".1." + "é" * 32,
                                    "\ud800" * 32 + ".29000000." + "0" * 32, "0" * 32 + ".١٢٣." + "0" * 32])
def test_a_session_id_in_any_script_is_simply_unknown(sender: str) -> None:
    assert check_session(sender, KEY, 24) is SessionCheck.UNKNOWN


# --- Finding 2: REST sessions are dated, signed with their own key, and expire -----------------------

def test_a_session_is_valid_until_it_is_older_than_the_limit() -> None:
    issued_at = 1_800_000_000.0
    session = issue_session(KEY, now=issued_at)
    nonce, minutes, signature = session.split(".")
    assert len(nonce) == 32 and int(minutes) == int(issued_at // 60) and len(signature) == 32
    assert check_session(session, KEY, 24, now=issued_at) is SessionCheck.VALID
    assert check_session(session, KEY, 24, now=issued_at + 23.9 * HOUR) is SessionCheck.VALID
    assert check_session(session, KEY, 24, now=issued_at + 24.1 * HOUR) is SessionCheck.EXPIRED


def test_the_issue_time_cannot_be_edited_and_other_keys_do_not_sign() -> None:
    session = issue_session(KEY, now=time.time() - 48 * HOUR)
    nonce, minutes, signature = session.split(".")
    younger = f"{nonce}.{int(minutes) + 48 * 60}.{signature}"
    assert check_session(younger, KEY, 24) is SessionCheck.UNKNOWN
    assert check_session(issue_session(b"the-pseudonym-key"), KEY, 24) is SessionCheck.UNKNOWN
    assert check_session(f"{nonce}.{signature}", KEY, 24) is SessionCheck.UNKNOWN  # the old two-part form
    future = issue_session(KEY, now=time.time() + 2 * HOUR)
    assert check_session(future, KEY, 24) is SessionCheck.UNKNOWN


# --- Finding 4: message budgets ----------------------------------------------------------------------

def test_a_budget_allows_its_size_then_tells_once_then_refuses_quietly() -> None:
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.check("a") for _ in range(3)] == [Verdict.ALLOWED] * 3
    assert limiter.check("a") is Verdict.REFUSED_TELL
    assert limiter.check("a") is Verdict.REFUSED_QUIET
    assert limiter.check("b") is Verdict.ALLOWED  # other keys are unaffected
    assert limiter.exhausted("a") and limiter.retry_after("a") == 20
    clock.now += 20  # one message back (3 a minute), but the flood is not over: no second warning
    assert limiter.check("a") is Verdict.ALLOWED
    assert limiter.check("a") is Verdict.REFUSED_QUIET
    clock.now += 60  # a full minute of quiet: the next flood is told again
    assert [limiter.check("a") for _ in range(4)][-1] is Verdict.REFUSED_TELL


def test_forgetting_a_key_gives_it_a_fresh_budget() -> None:
    limiter = RateLimiter(1, clock=Clock())
    limiter.check("a")
    assert limiter.exhausted("a")
    limiter.forget("a")
    assert not limiter.exhausted("a") and limiter.check("a") is Verdict.ALLOWED


def test_memory_stays_bounded_whatever_the_number_of_keys() -> None:
    clock = Clock()
    limiter = RateLimiter(5, max_keys=100, clock=clock)
    for i in range(10_000):
        limiter.check(f"address-{i}")
    assert len(limiter) == 100
    assert limiter.check("address-9999") is Verdict.ALLOWED  # the most recent keys are the ones kept
    clock.now += 61  # idle keys are full again and hold nothing worth keeping
    limiter.check("someone")
    assert len(limiter) == 1


def test_erasing_a_conversation_forgets_its_budget() -> None:
    from bot.channels.abuse import controls

    senders = controls().senders
    while senders.check("widget-erased-pseudonym").allowed:
        pass
    announce_erasure("widget-erased-pseudonym")
    assert not senders.exhausted("widget-erased-pseudonym")


# --- Finding 5: webhook replays ------------------------------------------------------------------------

def test_a_message_id_is_answered_once_within_the_window() -> None:
    clock = Clock()
    guard = ReplayGuard(b"key", window_seconds=24 * HOUR, clock=clock)
    assert guard.first_time("twilio_whatsapp", "SM123")
    assert not guard.first_time("twilio_whatsapp", "SM123")
    assert guard.first_time("meta_whatsapp", "SM123")  # ids of different channels never collide
    clock.now += 24 * HOUR + 1
    assert guard.first_time("twilio_whatsapp", "SM123")


def test_the_replay_memory_is_bounded_and_keeps_no_raw_id() -> None:
    guard = ReplayGuard(b"key", window_seconds=HOUR, max_entries=50, clock=Clock())
    for i in range(1000):
        guard.first_time("meta_whatsapp", f"wamid.{i}")
    assert len(guard) == 50
    assert not guard.first_time("meta_whatsapp", "wamid.999")
    assert all(b"wamid" not in token for token in guard._seen)  # keyed hashes only


def test_meta_messages_older_than_the_window_are_refused() -> None:
    now = 1_800_000_000
    assert is_recent(str(now - 60), 24 * HOUR, now=now)
    assert not is_recent(str(now - 25 * 3600), 24 * HOUR, now=now)
    for odd in ("", None, "soon", "-5", "1e9", "١٢٣", "9" * 5000):
        assert not is_recent(odd, 24 * HOUR, now=now)


def test_meta_messages_carry_their_id_and_send_time_and_odd_shapes_do_not_crash() -> None:
    payload = {"entry": [{"changes": [{"value": {"messages": [
        {"from": "351900000001", "id": "wamid.A", "timestamp": "1749416383", "type": "text", "text": {"body": "olá"}},
        {"from": "351900000002", "id": "wamid.B", "type": "text", "text": "not an object"},
        {"from": "351900000003", "type": "interactive", "interactive": ["nope"]},
        {"from": "351900000004", "type": "location", "location": "here"},
    ]}}]}]}
    found = incoming_messages(payload)
    assert [(m.wa_id, m.message_id, m.timestamp) for m in found] == [
        ("351900000001", "wamid.A", "1749416383"), ("351900000002", "wamid.B", ""), ("351900000003", "", "")]
    assert [m.text for m in found] == ["olá", "/nlu_fallback", "/nlu_fallback"]


# --- Finding 6: the widget refuses sockets without an allowed Origin -----------------------------------

def test_a_socket_without_an_origin_header_is_refused() -> None:
    allowed = ["https://help.example.org"]
    assert origin_allowed({"HTTP_ORIGIN": "https://help.example.org"}, allowed)
    assert not origin_allowed({}, allowed)
    assert not origin_allowed({"HTTP_ORIGIN": "https://evil.example"}, allowed)
    assert not origin_allowed({"HTTP_ORIGIN": "https://help.example.org"}, [])


def test_the_socket_handshake_itself_is_refused_without_an_allowed_origin() -> None:
    from socketio import AsyncServer

    sio = AsyncServer(async_mode="asgi", cors_allowed_origins=["https://help.example.org"])
    refuse_without_origin(sio, ["https://help.example.org"])
    handshake = sio.eio.handlers["connect"]
    assert asyncio.run(handshake("eio-1", {})) is False  # python-engineio alone would accept it
    assert asyncio.run(handshake("eio-2", {"HTTP_ORIGIN": "https://help.example.org"})) is None
    assert "eio-2" in sio.environ and "eio-1" not in sio.environ


# --- Finding 7: numbered options are part of the conversation, and are erased with it ------------------

def test_delete_my_data_also_forgets_the_numbered_options() -> None:
    channel = TwilioWhatsAppInput("auth-token", "https://bot.example.org/webhooks/twilio_whatsapp/webhook")
    options = channel._options
    options.remember("whatsapp-pseudonym", [{"title": "Health", "payload": "/ask_health"}])
    assert options.resolve("whatsapp-pseudonym", "1") == "/ask_health"
    announce_erasure("whatsapp-pseudonym")
    assert options.resolve("whatsapp-pseudonym", "1") == "1"


# --- Review: the request-size cap is registered once per server, and still answers every chat endpoint --

CHAT_ENDPOINTS = ["/webhooks/rest/webhook", "/webhooks/rest/session", "/webhooks/twilio_whatsapp/webhook",
                  "/webhooks/meta_whatsapp/webhook", "/webhooks/console/parse", "/socket.io/?EIO=4&transport=polling"]
SIZE_HOOKS = ("limit_request_size.<locals>.cap_request_size", "limit_request_size.<locals>.refuse_unreadable_length")


def rasa_app(name: str) -> Any:
    """A Sanic app with every input channel of bot/credentials.yml, registered the way `rasa run` does. The
    guard is built directly: its from_credentials hardens the whole process (logging, files, Sentry)."""
    from rasa.core.channels.channel import register
    from sanic import Sanic

    from bot.channels.process_guard import ProcessGuard

    channels = []
    for path in yaml.safe_load((ROOT / "bot" / "credentials.yml").read_text(encoding="utf-8")):
        module, _, class_name = path.rpartition(".")
        channel_class = getattr(importlib.import_module(module), class_name)
        channels.append(ProcessGuard() if channel_class is ProcessGuard else channel_class.from_credentials(None))
    assert any(isinstance(channel, ProcessGuard) for channel in channels)
    app = Sanic(name)
    register(channels, app, "/webhooks/")
    return app


def hook_name(handler: Any) -> str:
    listener = getattr(handler, "keywords", {}).get("listener", handler)  # listeners are signals, wrapped
    return getattr(listener, "__qualname__", "")


def test_the_request_size_hooks_run_once_per_request_and_come_with_the_guard() -> None:
    app = rasa_app("size-hooks-counted")
    # What Sanic runs: every listener and request hook is a signal handler.
    registered = [hook_name(signal.handler) for signal in app.signal_router.routes]
    assert [registered.count(hook) for hook in SIZE_HOOKS] == [1, 1], registered
    carriers = {blueprint.name for blueprint in app.blueprints.values()
                for future in [*blueprint._future_listeners, *blueprint._future_signals]
                if hook_name(getattr(future, "listener", None) or future.handler) in SIZE_HOOKS}
    assert carriers == {"process_guard"}


def raw_answer(port: int, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(head)
        return raw.recv(4096)


def test_every_chat_endpoint_refuses_an_oversized_body_with_413_before_reading_it() -> None:
    app = rasa_app("size-hooks-served")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(app.create_server(host="127.0.0.1", port=port, access_log=False,
                                                       return_asyncio_server=True))
    loop.run_until_complete(server.startup())
    loop.run_until_complete(server.before_start())  # not after_start: that one wants a loaded model
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        assert app.config.REQUEST_MAX_SIZE == get_settings().max_request_bytes
        too_big = get_settings().max_request_bytes + 1
        for path in CHAT_ENDPOINTS:
            head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            assert raw_answer(port, f"{head}Content-Length: {too_big}\r\n\r\n".encode()).startswith(
                b"HTTP/1.1 413"), path
            assert raw_answer(port, f"{head}Transfer-Encoding: chunked\r\n\r\n{too_big:x}\r\n".encode()).startswith(
                b"HTTP/1.1 413"), path
            assert raw_answer(port, f"{head}Content-Length: abc\r\n\r\n".encode()).startswith(b"HTTP/1.1 400"), path
    finally:
        asyncio.run_coroutine_threadsafe(server.before_stop(), loop).result(timeout=10)
        server.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
