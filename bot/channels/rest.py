"""The REST channel, hardened: a conversation is a session id the server issued (POST
/webhooks/rest/session) and signed, so a forged id cannot read or extend anyone's conversation; the body
is validated; the sender is pseudonymised before Rasa sees it; client metadata is dropped; long
messages are cut; and errors never echo a payload."""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from privacy.pseudonym import pseudonymise
from privacy.sessions import is_genuine, issue_session
from settings import get_settings

logger = logging.getLogger(__name__)
MAX_SENDER_LENGTH = 256
# An empty message still deserves an answer: it goes through the fallback like any unclear one.
EMPTY_MESSAGE_PAYLOAD = "/nlu_fallback"


class BadRequest(ValueError):
    """The body is not what the REST channel accepts; the message says what is wrong."""


def parse_body(raw: bytes, max_chars: int) -> tuple[str, str]:
    """(sender, text) from a REST body, or BadRequest."""
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body must be JSON: {\"sender\": \"...\", \"message\": \"...\"}.") from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    sender, text = body.get("sender"), body.get("message", "")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
        raise BadRequest(f"'sender' must be a non-empty string of at most {MAX_SENDER_LENGTH} characters.")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise BadRequest("'message' must be a string.")
    text = text.strip()[:max_chars]
    return sender, text or EMPTY_MESSAGE_PAYLOAD


class PrivateRestInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "PrivateRestInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("private_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/session", methods=["POST"])
        async def new_session(_: Request) -> HTTPResponse:
            return response.json({"sender": issue_session(get_settings().sender_hash_key)})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            settings = get_settings()
            try:
                sender, text = parse_body(request.body, settings.max_message_chars)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=400)
            if not is_genuine(sender, settings.sender_hash_key):
                return response.json({"error": "Unknown session: POST /webhooks/rest/session for one."}, status=403)
            sender_id = pseudonymise(self.name(), sender, settings.sender_hash_key)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name()))
            except Exception as error:  # noqa: BLE001 - the user must get an answer, and the log no payload
                logger.error("REST message handling failed: %s", type(error).__name__)
                return response.json({"error": "The assistant could not answer. Please try again."}, status=503)
            return response.json(collector.messages)

        return webhook
