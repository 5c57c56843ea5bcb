"""The web widget's socket.io channel, hardened: only pages from origins on the allowlist may connect
(python-engineio checks nothing when the list is empty, which is what Rasa's own socketio channel
passes, and nothing when the Origin header is missing: a script that leaves it out is refused here);
the session is the server's socket id, never an id the client sends, so a client cannot read another's
replies; the sender Rasa sees is a pseudonym of it; a shared location travels only in the message
metadata. Floods are slowed down per conversation and per address (bot.channels.abuse), and a socket
has at most MAX_IN_FLIGHT messages being answered at once."""
from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.abuse import address_key, controls, slow_down_text
from bot.channels.inbound import handling, screen_text
from bot.channels.rate_limit import Verdict
from bot.channels.whatsapp_common import location_message
from contract import FALLBACK_PAYLOAD
from privacy.pseudonym import pseudonymise
from settings import get_settings

logger = logging.getLogger(__name__)
CHANNEL = "socketio"
USER_EVENT, BOT_EVENT = "user_uttered", "bot_uttered"
# A person waits for the answer, or sends a second line before it comes; more than this at once is a script.
MAX_IN_FLIGHT = 2


class SocketOutput(SocketIOOutput):
    """Replies go to the socket that asked, whatever sender id Rasa uses."""

    def __init__(self, sio: AsyncServer, sid: str) -> None:
        super().__init__(sio, BOT_EVENT)
        self._sid = sid

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await self.sio.emit(self.bot_message_evt, response, room=self._sid)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # Rasa's version emits to the sender id as a room (and spreads the message into emit's arguments).
        await self._send_message(recipient_id, {"custom": json_message})


def widget_message(data: Any) -> tuple[str, dict[str, Any]]:
    """The text and metadata Rasa gets from a widget event; anything else the client sends is dropped."""
    if not isinstance(data, dict):
        return FALLBACK_PAYLOAD, {}
    location = data.get("location")
    if isinstance(location, dict):
        located = location_message(location.get("latitude"), location.get("longitude"))
        if located:
            return located
    text = data.get("message")
    if not isinstance(text, str) or not text.strip():
        return FALLBACK_PAYLOAD, {}
    # A lone surrogate ("\\ud800" is valid JSON) cannot be stored or logged as UTF-8: it becomes "?".
    text = text.strip()[: get_settings().max_message_chars].encode("utf-8", "replace").decode("utf-8")
    return screen_text(text) or FALLBACK_PAYLOAD, {}


def user_text(data: Any) -> str:
    """What the user typed, as sent (for the log filter)."""
    text = data.get("message") if isinstance(data, dict) else None
    return text if isinstance(text, str) else ""


def origin_allowed(environ: dict[str, Any], allowed_origins: list[str]) -> bool:
    return environ.get("HTTP_ORIGIN") in allowed_origins


def refuse_without_origin(sio: AsyncServer, allowed_origins: list[str]) -> None:
    """Refuses the Engine.IO handshake itself (401) unless it carries an allowed Origin, so a script
    that leaves the header out gets no session at all. Wraps python-socketio's own Engine.IO connect
    handler, as its admin instrumentation does."""
    socketio_connect = sio.eio.handlers["connect"]

    async def connect(eio_sid: str, environ: dict[str, Any]) -> Any:
        if not origin_allowed(environ, allowed_origins):
            return False
        return await socketio_connect(eio_sid, environ)

    sio.eio.on("connect", connect)


class WidgetInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WidgetInput":
        origins = str((credentials or {}).get("allowed_origins") or "")
        return cls([origin.strip() for origin in origins.split(",") if origin.strip()])

    def __init__(self, allowed_origins: list[str]) -> None:
        self._allowed_origins = allowed_origins
        self._app: Optional[Sanic] = None
        # Per socket, only while it is connected: the hashed address it came from, messages being answered.
        self._addresses: dict[str, str] = {}
        self._in_flight: dict[str, int] = {}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # An empty allowlist would let python-engineio accept every origin: keep it closed instead.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self._allowed_origins or ["null-origin-closed"],
                          max_http_buffer_size=get_settings().max_request_bytes)
        refuse_without_origin(sio, self._allowed_origins)
        webhook = SocketBlueprint(sio, "/socket.io", "widget_socketio_webhook", __name__)

        @webhook.listener("before_server_start")
        async def keep_app(app: Sanic, _loop: Any) -> None:
            self._app = app  # for the conversation's language in the slow-down reply

        @sio.on("connect")
        async def connect(sid: Text, environ: dict[str, Any], auth: Any = None) -> bool:
            if not origin_allowed(environ, self._allowed_origins):  # checked at the handshake too
                return False
            request = environ.get("sanic.request")
            address = address_key(request) if request is not None else "unknown"
            if not controls().addresses.check(address).allowed:
                return False
            self._addresses[sid] = address
            return True

        @sio.on("disconnect")
        async def disconnect(sid: Text, *_: Any) -> None:
            self._addresses.pop(sid, None)
            self._in_flight.pop(sid, None)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any) -> None:
            # The client's own session_id, if any, is ignored: the session is this socket.
            await sio.emit("session_confirm", uuid.uuid4().hex, room=sid)

        @sio.on(USER_EVENT)
        async def handle_message(sid: Text, data: Any = None, *_: Any) -> None:  # any number of arguments
            sender_id = pseudonymise("widget", sid, get_settings().sender_hash_key)
            output = SocketOutput(sio, sid)
            verdict = self._admit(sid, sender_id)
            if verdict is Verdict.REFUSED_TELL:
                await output.send_text_message(sender_id, await slow_down_text(self._app, sender_id))
            if not verdict.allowed:
                return
            text, metadata = widget_message(data)
            self._in_flight[sid] = self._in_flight.get(sid, 0) + 1
            try:
                with handling(user_text(data), text, sid):
                    await on_new_message(UserMessage(text, output, sender_id, input_channel=CHANNEL, metadata=metadata))
            except Exception as error:  # noqa: BLE001 - one user's failure must not stop the server
                logger.error("Widget message handling failed: %s", type(error).__name__)
            finally:
                if sid in self._in_flight:
                    self._in_flight[sid] -= 1

        return webhook

    def _admit(self, sid: str, sender_id: str) -> Verdict:
        """Whether this socket's message is answered: within its address's and its own budgets, and not
        more than MAX_IN_FLIGHT at once (python-socketio runs each event as its own task)."""
        address = self._addresses.get(sid)
        if address is None:
            return Verdict.REFUSED_QUIET  # not (or no longer) connected through `connect`
        for verdict in (controls().addresses.check(address), controls().senders.check(sender_id)):
            if not verdict.allowed:
                return verdict
        if self._in_flight.get(sid, 0) >= MAX_IN_FLIGHT:
            return Verdict.REFUSED_TELL
        return Verdict.ALLOWED
