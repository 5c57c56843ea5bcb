"""The web widget's socket.io channel, hardened: only origins on the allowlist may connect (python-engineio
checks nothing when the list is empty, which is what Rasa's own socketio channel passes); the session is
the server's socket id, never an id the client sends, so a client cannot read another's replies; the
sender Rasa sees is a pseudonym of it; a shared location travels only in the message metadata."""
from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.whatsapp_common import location_message
from privacy.pseudonym import pseudonymise
from settings import get_settings

logger = logging.getLogger(__name__)
CHANNEL = "socketio"
USER_EVENT, BOT_EVENT = "user_uttered", "bot_uttered"


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
        return "/nlu_fallback", {}
    location = data.get("location")
    if isinstance(location, dict):
        located = location_message(location.get("latitude"), location.get("longitude"))
        if located:
            return located
    text = data.get("message")
    if not isinstance(text, str) or not text.strip():
        return "/nlu_fallback", {}
    return text.strip()[: get_settings().max_message_chars], {}


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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # An empty allowlist would let python-engineio accept every origin: keep it closed instead.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self._allowed_origins or ["null-origin-closed"])
        webhook = SocketBlueprint(sio, "/socket.io", "widget_socketio_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any) -> None:
            # The client's own session_id, if any, is ignored: the session is this socket.
            await sio.emit("session_confirm", uuid.uuid4().hex, room=sid)

        @sio.on(USER_EVENT)
        async def handle_message(sid: Text, data: Any) -> None:
            text, metadata = widget_message(data)
            sender_id = pseudonymise("widget", sid, get_settings().sender_hash_key)
            try:
                await on_new_message(UserMessage(text, SocketOutput(sio, sid), sender_id, input_channel=CHANNEL,
                                                 metadata=metadata))
            except Exception as error:  # noqa: BLE001 - one user's failure must not stop the server
                logger.error("Widget message handling failed: %s", type(error).__name__)

        return webhook
