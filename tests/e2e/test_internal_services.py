"""The action server and the console parser answer only with the shared token, on loopback."""
from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import post

pytestmark = pytest.mark.e2e
TRACKER = {"sender_id": "rest-abc", "slots": {"language": "fr"}, "latest_message": {"text": "my name is Amina"},
           "events": []}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "wrong"}])
def test_action_server_refuses_requests_without_the_token(stack, headers: dict) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"next_action": "action_answer_rights", "sender_id": "rest-abc", "tracker": TRACKER,
                       "domain": {}, "version": "3.6.21"}).encode()
    status, reply = post(f"http://127.0.0.1:{stack.ports.actions}/webhook", body, headers)
    assert status == 401 and "Amina" not in str(reply) and "tracker" not in str(reply)


def test_internal_services_listen_on_loopback_only(stack) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
    for port in (stack.ports.actions, stack.ports.portal, stack.ports.rasa):
        lines = [line for line in listening.splitlines() if f":{port} " in line]
        assert lines and all("127.0.0.1:" in line for line in lines), lines


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}])
def test_console_parse_refuses_requests_without_the_token(stack, headers: dict) -> None:  # type: ignore[no-untyped-def]
    status, reply = post(f"{stack.rasa_url}/webhooks/console/parse", json.dumps({"text": "hola"}).encode(), headers)
    assert status == 401 and "intent" not in str(reply)


def test_console_parse_reads_a_question_without_starting_a_conversation(stack) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.conftest import conversation_db

    before = conversation_db().read_bytes() if conversation_db().exists() else b""
    auth = {"Authorization": f"Bearer {stack.internal_token}"}
    status, reply = post(f"{stack.rasa_url}/webhooks/console/parse",
                         json.dumps({"text": "mon fils peut aller à l'école sans papiers ?"}).encode(), auth)
    assert status == 200 and reply["language"] == "fr" and reply["intent"] == "ask_education"
    status, reply = post(f"{stack.rasa_url}/webhooks/console/parse", b'{"text": 5}', auth)
    assert status == 400 and "must be a non-empty string" in str(reply)
    assert (conversation_db().read_bytes() if conversation_db().exists() else b"") == before
