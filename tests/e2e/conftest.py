"""Starts the three real processes (Rasa, action server, portal) once for the end-to-end tests."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from i18n.bidi import strip_isolates
from launcher.stack import Ports, Stack
from services_db.database import make_engine
from services_db.sample_loader import load_directory_file
from settings import ROOT, get_settings
from tests.conftest import state_dir

ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakeGraphApi:
    """A local stand-in for Meta's Graph API that records every message the bot sends."""

    def __init__(self) -> None:
        import asyncio
        import threading

        from aiohttp import web

        self.sent: list[dict[str, Any]] = []
        self.port = _free_port()

        async def messages(request: web.Request) -> web.Response:
            self.sent.append({"path": request.path, "auth": request.headers.get("Authorization"),
                              "body": await request.json()})
            return web.json_response({"messaging_product": "whatsapp", "messages": [{"id": "wamid.fake"}]})

        app = web.Application()
        app.router.add_post("/v19.0/{phone_number_id}/messages", messages)
        self._loop = asyncio.new_event_loop()
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v19.0"

    def sent_to(self, to: str) -> list[dict[str, Any]]:
        return [call["body"] for call in self.sent if call["body"].get("to") == to]


class ActionCallCounter:
    """A pass-through in front of the action server that counts the calls the Rasa server makes to it
    (tests/e2e/test_reply_path.py: one message costs at most one call between processes)."""

    def __init__(self, action_port: int) -> None:
        import asyncio
        import threading

        import aiohttp
        from aiohttp import web

        self.calls = 0
        self.port = _free_port()
        self.action_port = action_port
        target = f"http://127.0.0.1:{action_port}/webhook"
        forwarded = ("Authorization", "Content-Type", "Content-Encoding")

        async def forward(request: web.Request) -> web.Response:
            self.calls += 1
            headers = {name: request.headers[name] for name in forwarded if name in request.headers}
            async with aiohttp.ClientSession() as session:
                async with session.post(target, data=await request.read(), headers=headers) as reply:
                    return web.Response(body=await reply.read(), status=reply.status,
                                        content_type=reply.content_type)

        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/webhook", forward)
        self._loop = asyncio.new_event_loop()
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"


WHATSAPP_ENV = {
    "TWILIO_AUTH_TOKEN": "test-twilio-auth-token",
    "TWILIO_WEBHOOK_URL": "https://bot.example.org/webhooks/twilio_whatsapp/webhook",
    "META_VERIFY_TOKEN": "test-verify-token",
    "META_APP_SECRET": "test-app-secret",
    "META_ACCESS_TOKEN": "test-access-token",
    "META_PHONE_NUMBER_ID": "106540352242922",
}


# Message budgets of the shared stack: above what the other tests send (one conversation walks every
# rights topic in a row, and every test comes from 127.0.0.1), low enough for test_abuse_controls to reach.
ABUSE_LIMITS_ENV = {"RATE_LIMIT_SENDER_PER_MINUTE": "60", "RATE_LIMIT_ADDRESS_PER_MINUTE": "3000"}


@pytest.fixture(scope="session")
def fake_graph() -> FakeGraphApi:
    return FakeGraphApi()


@pytest.fixture(scope="session")
def action_calls() -> ActionCallCounter:
    return ActionCallCounter(_free_port())


@pytest.fixture(scope="session")
def stack(fake_graph: FakeGraphApi, action_calls: ActionCallCounter) -> Iterator[Stack]:
    settings = get_settings()
    load_directory_file(make_engine(settings.directory_db_url), Path(settings.sample_directory_json))
    # The Rasa server reaches the action server through the counter; everything else is direct.
    running = Stack(Ports(_free_port(), action_calls.action_port, _free_port()), log_dir=ARTIFACTS / "e2e-logs",
                    extra_env={**WHATSAPP_ENV, **ABUSE_LIMITS_ENV, "META_GRAPH_URL": fake_graph.url,
                               "ACTION_SERVER_URL": action_calls.url})
    running.start()
    yield running
    running.stop()


Send = Callable[..., Any]


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def new_session(stack: Stack) -> str:
    status, body = post(f"{stack.rasa_url}/webhooks/rest/session", b"")
    assert status == 200 and "." in body["sender"]
    return body["sender"]


@pytest.fixture
def new_sender(stack: Stack) -> str:
    return new_session(stack)


def say_raw(stack: Stack, sender: str, message: str) -> list[dict[str, Any]]:
    status, replies = post(f"{stack.rasa_url}/webhooks/rest/webhook",
                           json.dumps({"sender": sender, "message": message}).encode())
    assert status == 200, replies
    return replies


def _as_read(reply: dict[str, Any]) -> dict[str, Any]:
    """A reply as a reader sees its characters: without the invisible direction marks around numbers in
    right-to-left replies (test_rtl_numbers checks those marks on the raw replies)."""
    read = {**reply}
    if isinstance(reply.get("text"), str):
        read["text"] = strip_isolates(reply["text"])
    if isinstance(reply.get("buttons"), list):
        read["buttons"] = [{**button, "title": strip_isolates(str(button.get("title", "")))}
                           for button in reply["buttons"]]
    return read


@pytest.fixture
def say(stack: Stack) -> Send:
    def send(sender: str, message: str) -> list[dict[str, Any]]:
        return [_as_read(reply) for reply in say_raw(stack, sender, message)]

    return send


def conversation_db() -> Path:
    return state_dir() / "conversations.sqlite3"
