"""Starts the three real processes (Rasa, action server, portal) once for the end-to-end tests."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

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


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    settings = get_settings()
    load_directory_file(make_engine(settings.directory_db_url), Path(settings.sample_directory_json))
    running = Stack(Ports(_free_port(), _free_port(), _free_port()), log_dir=ARTIFACTS / "e2e-logs")
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


@pytest.fixture
def new_sender() -> str:
    return f"+3519{uuid.uuid4().int % 10**8:08d}"


@pytest.fixture
def say(stack: Stack) -> Send:
    def send(sender: str, message: str) -> list[dict[str, Any]]:
        status, replies = post(f"{stack.rasa_url}/webhooks/rest/webhook",
                               json.dumps({"sender": sender, "message": message}).encode())
        assert status == 200, replies
        return replies

    return send


def conversation_db() -> Path:
    return state_dir() / "conversations.sqlite3"
