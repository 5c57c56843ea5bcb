"""The seizure drill: imagine the server is taken and every file it wrote is read. Canaries (a name, a
passport number, a street, a phone number, a WhatsApp profile name, an exact pin) are sent through every
channel, in plain text, in hand-typed "/" payloads, as typed entities and inside place names; at INFO
and, on a second stack, at DEBUG. Then every file the runs wrote is searched: none may hold a canary.

The canaries are made up afresh for each run, so only this run's files can contain them."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Iterator

import pytest
from twilio.request_validator import RequestValidator

from launcher.stack import Ports, Stack
from settings import ROOT
from tests.conftest import state_dir
from tests.e2e.conftest import ARTIFACTS, WHATSAPP_ENV, FakeGraphApi, _free_port, post
from tests.e2e.test_whatsapp import http

pytestmark = pytest.mark.e2e


def _word() -> str:
    # Letters only, capitalised like a name; long enough that it cannot occur by chance.
    return "Zq" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))


class Canaries:
    def __init__(self) -> None:
        self.first, self.last, self.street = _word().capitalize(), _word().capitalize(), _word().capitalize()
        self.profile = _word().capitalize()
        self.passport = "P" + "".join(secrets.choice("0123456789") for _ in range(7))
        self.phone = "3519" + "".join(secrets.choice("0123456789") for _ in range(8))
        self.latitude = f"38.71{secrets.randbelow(9000) + 1000}"
        self.longitude = f"-9.13{secrets.randbelow(9000) + 1000}"

    def all(self) -> list[bytes]:
        return [value.encode() for value in (self.first, self.last, self.street, self.profile, self.passport,
                                             self.phone, self.phone[3:], self.latitude, self.longitude)]

    def messages(self) -> list[str]:
        who = f"{self.first} {self.last}"
        return [
            f"hi, my name is {who} and my passport is {self.passport}",
            f"/ my name is {who}, passport {self.passport}, Rua {self.street} 12",
            '/find_service{"place": "Rua ' + self.street + ' 12 3Esq ' + self.first + '"}',
            '/ask_health{"topic": "' + self.last + '", "name": "' + who + '"}',
            f"find a clinic near Rua {self.street}, I am {self.last}",
            f"I live at Rua {self.street} 123, my location is {self.latitude}, {self.longitude}, call {self.phone}",
            f"quero um médico perto de {self.street}ова",  # an inflected, unknown place name
        ]


def _rest_conversation(stack: Stack, canaries: Canaries) -> None:
    status, body = post(f"{stack.rasa_url}/webhooks/rest/session", b"")
    assert status == 200
    for message in canaries.messages():
        status, replies = post(f"{stack.rasa_url}/webhooks/rest/webhook",
                               json.dumps({"sender": body["sender"], "message": message}).encode())
        assert status == 200 and replies, (message, replies)
        assert not any(secret.decode() in json.dumps(replies, ensure_ascii=False) for secret in canaries.all())


def _twilio(stack: Stack, canaries: Canaries) -> None:
    sender = f"whatsapp:+{canaries.phone}"
    requests = [{"Body": message} for message in canaries.messages()]
    requests.append({"Body": "", "Latitude": canaries.latitude, "Longitude": canaries.longitude,
                     "Address": f"Rua {canaries.street} 12"})
    for number, fields in enumerate(requests):
        params = {"From": sender, "To": "whatsapp:+14155238886", "WaId": canaries.phone,
                  "ProfileName": canaries.profile, "MessageSid": f"SM{secrets.token_hex(16)}", "NumMedia": "0",
                  **fields}
        signature = RequestValidator(WHATSAPP_ENV["TWILIO_AUTH_TOKEN"]).compute_signature(
            WHATSAPP_ENV["TWILIO_WEBHOOK_URL"], params)
        status, xml = http(f"{stack.rasa_url}/webhooks/twilio_whatsapp/webhook",
                           urllib.parse.urlencode(params).encode(),
                           {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
        assert status == 200 and "<Message>" in xml, (number, xml)


def _meta(stack: Stack, canaries: Canaries) -> None:
    messages = [{"type": "text", "text": {"body": message}} for message in canaries.messages()]
    messages.append({"type": "location", "location": {"latitude": float(canaries.latitude),
                                                      "longitude": float(canaries.longitude),
                                                      "name": canaries.street, "address": f"Rua {canaries.street}"}})
    for message in messages:
        payload = {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
            "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                "contacts": [{"profile": {"name": canaries.profile}, "wa_id": canaries.phone}],
                "messages": [{"from": canaries.phone, "id": f"wamid.{secrets.token_hex(20)}",
                              "timestamp": str(int(time.time())), **message}]}}]}]}
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(WHATSAPP_ENV["META_APP_SECRET"].encode(), body, hashlib.sha256).hexdigest()
        status, _ = http(f"{stack.rasa_url}/webhooks/meta_whatsapp/webhook", body,
                         {"Content-Type": "application/json", "X-Hub-Signature-256": signature})
        assert status == 200


def _widget(stack: Stack, canaries: Canaries) -> None:
    import socketio

    async def conversation() -> None:
        client = socketio.AsyncClient(reconnection=False)
        received: list[dict] = []
        client.on("bot_uttered", lambda data: received.append(data))
        await client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"],
                             headers={"Origin": stack.portal_url})
        await client.emit("session_request", {"session_id": canaries.first})
        for message in [*canaries.messages(), None]:
            before = len(received)
            data = ({"message": message, "session_id": canaries.first} if message is not None else
                    {"location": {"latitude": float(canaries.latitude), "longitude": float(canaries.longitude)}})
            await client.emit("user_uttered", data)
            deadline = time.monotonic() + 30
            while len(received) == before and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert len(received) > before, f"no reply to {message!r}"
            await asyncio.sleep(0.5)  # one message at a time, as a person types
        await client.disconnect()

    asyncio.run(conversation())


def _every_channel(stack: Stack, canaries: Canaries) -> None:
    _rest_conversation(stack, canaries)
    _twilio(stack, canaries)
    _meta(stack, canaries)
    _widget(stack, canaries)


def _search(canaries: Canaries, folders: list[Path], since: float) -> int:
    searched = 0
    for folder in folders:
        for path in folder.rglob("*") if folder.exists() else []:
            try:
                if not path.is_file() or (folder == Path(tempfile.gettempdir()) and path.stat().st_mtime < since):
                    continue
                content = path.read_bytes()
            except OSError:  # another process's private file, or gone meanwhile
                continue
            searched += 1
            found = [canary for canary in canaries.all() if canary in content]
            assert not found, f"{found} found in {path}"
    return searched


@pytest.fixture(scope="module")
def debug_stack(fake_graph: FakeGraphApi) -> Iterator[Stack]:
    """A second stack logging at DEBUG, as an operator chasing a bug might run it."""
    running = Stack(Ports(_free_port(), _free_port(), _free_port()), log_dir=ARTIFACTS / "e2e-debug-logs",
                    extra_env={**WHATSAPP_ENV, "META_GRAPH_URL": fake_graph.url, "LOG_LEVEL": "DEBUG",
                               "ALLOW_DEBUG_LOGGING": "true"})
    running.start()
    yield running
    running.stop()


def _rasa_debug_lines(stack: Stack) -> int:
    log = stack.log_dir / "rasa.log" if stack.log_dir else None
    return sum(1 for line in log.read_text(errors="replace").splitlines() if " DEBUG " in line) if log else 0


def test_seizure_drill_every_channel_at_info_and_debug(stack: Stack, debug_stack: Stack) -> None:
    started = time.time()
    canaries = Canaries()
    _every_channel(stack, canaries)
    _every_channel(debug_stack, canaries)
    assert _rasa_debug_lines(debug_stack) > 100, "the DEBUG run must really log at DEBUG"
    searched = _search(canaries, [state_dir(), ARTIFACTS, stack.model.parent, ROOT / ".rasa",
                                  Path(tempfile.gettempdir())], since=started)
    assert searched >= 8  # the conversation database, the directory, the logs of both stacks, the model


def test_logs_and_databases_are_readable_by_their_owner_only(stack: Stack) -> None:
    for path in [*stack.log_dir.glob("*.log"), *state_dir().glob("*.sqlite3"), *state_dir().glob("*.key")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_the_rasa_process_reports_its_guards(stack: Stack) -> None:
    status, body = http(f"{stack.rasa_url}/webhooks/guard/")
    assert status == 200
    report = json.loads(body)
    assert report["conversation_store"] == "privacy" and report["telemetry"] is False
    assert report["schema_validators_built_once"] is True  # bot/schema_validation.py, installed by the guard


def _rasa_command(stack: Stack, endpoints: Path, port: int) -> list[str]:
    import sys

    return [str(Path(sys.executable).parent / "rasa"), "run", "--model", str(stack.model), "--endpoints",
            str(endpoints), "--credentials", "bot/credentials.yml", "--port", str(port), "--interface", "127.0.0.1"]


def _run_rasa(stack: Stack, endpoints: Path, extra_env: dict[str, str]) -> tuple[int, str]:
    import subprocess

    env = {**stack._env(), **extra_env}
    run = subprocess.run(_rasa_command(stack, endpoints, _free_port()), cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    return run.returncode, run.stdout + run.stderr


def test_rasa_refuses_to_serve_with_any_conversation_store_but_ours(stack: Stack, tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    text = (ROOT / "bot" / "endpoints.yml").read_text().replace("bot.privacy_store.PrivacyTrackerStore",
                                                                   "bot.privacy_store_typo.PrivacyTrackerStore")
    endpoints.write_text(text)
    code, output = _run_rasa(stack, endpoints, {})
    assert code == 78 and "Refusing to serve" in output and "InMemoryTrackerStore" in output, output[-3000:]


def test_rasa_refuses_debug_logging_unless_allowed(stack: Stack) -> None:
    code, output = _run_rasa(stack, ROOT / "bot" / "endpoints.yml", {"LOG_LEVEL": "DEBUG"})
    assert code == 78 and "DEBUG logging is on" in output, output[-3000:]


def test_production_mode_refuses_weak_secrets(stack: Stack) -> None:
    code, output = _run_rasa(stack, ROOT / "bot" / "endpoints.yml",
                             {"DEPLOYMENT_MODE": "production", "SENDER_HASH_KEY": "short",
                              "SESSION_SIGNING_KEY": os.urandom(32).hex(), "INTERNAL_TOKEN": os.urandom(32).hex()})
    assert code == 78 and "SENDER_HASH_KEY must be set" in output, output[-3000:]
