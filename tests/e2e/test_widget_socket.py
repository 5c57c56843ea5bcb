"""The widget's socket.io channel: only allowed origins connect, and each socket gets only its own replies."""
from __future__ import annotations

import asyncio

import pytest
import socketio

from i18n.catalogs import translate

pytestmark = pytest.mark.e2e


async def connect(url: str, origin: str) -> tuple[socketio.AsyncClient, list[dict]]:
    client = socketio.AsyncClient(reconnection=False)
    received: list[dict] = []
    client.on("bot_uttered", lambda data: received.append(data))
    # Long-polling: this python-engineio client needs a newer aiohttp than Rasa allows for websockets.
    await client.connect(url, socketio_path="/socket.io", transports=["polling"], headers={"Origin": origin})
    return client, received


async def wait_for(received: list[dict], predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not any(predicate(message) for message in received):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no matching message in {received}")
        await asyncio.sleep(0.1)


def test_a_page_from_another_origin_cannot_connect(stack) -> None:  # type: ignore[no-untyped-def]
    async def attempt() -> None:
        await connect(stack.rasa_url, "https://evil.example")

    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(attempt())


def test_each_socket_gets_only_its_own_replies_whatever_session_id_it_sends(stack) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        alice, alice_got = await connect(stack.rasa_url, stack.portal_url)
        mallory, mallory_got = await connect(stack.rasa_url, stack.portal_url)
        await alice.emit("session_request", {"session_id": "shared-session"})
        await mallory.emit("session_request", {"session_id": "shared-session"})
        await alice.emit("user_uttered", {"message": "bonjour", "session_id": "shared-session"})
        await wait_for(alice_got, lambda m: translate("greet.hello", "fr") in (m.get("text") or ""))
        await asyncio.sleep(1.0)
        assert not any("text" in m for m in mallory_got), "a reply to Alice reached another socket"
        await mallory.emit("user_uttered", {"message": "مرحبا", "session_id": "shared-session"})
        await wait_for(mallory_got, lambda m: translate("greet.hello", "ar") in (m.get("text") or ""))
        assert not any(translate("greet.hello", "ar") in (m.get("text") or "") for m in alice_got)
        custom = [m["custom"] for m in mallory_got if "custom" in m]
        assert custom and custom[-1]["language"] == "ar" and custom[-1]["direction"] == "rtl"
        await alice.disconnect()
        await mallory.disconnect()

    asyncio.run(scenario())
