"""The REST channel, hardened: a conversation is a session id the server issued (POST
/webhooks/rest/session), signed and dated, so a forged id cannot read or extend anyone's conversation
and an old one stops working; the body is validated; the sender is pseudonymised before Rasa sees it;
client metadata is dropped; long messages are cut; floods are slowed down (per conversation and per
address, bot.channels.abuse); and errors never echo a payload."""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.abuse import address_key, controls, slow_down_text
from bot.channels.inbound import handling, screen_text
from bot.channels.rate_limit import RateLimiter
from contract import FALLBACK_PAYLOAD
from privacy.pseudonym import pseudonymise
from privacy.sessions import SessionCheck, check_session, issue_session
from settings import get_settings

logger = logging.getLogger(__name__)
MAX_SENDER_LENGTH = 256
# An empty message still deserves an answer: it goes through the fallback like any unclear one.
EMPTY_MESSAGE_PAYLOAD = FALLBACK_PAYLOAD


class BadRequest(ValueError):
    """The body is not what the REST channel accepts; the message says what is wrong."""


def parse_body(raw: bytes, max_chars: int) -> tuple[str, str]:
    """(sender, text) from a REST body, or BadRequest."""
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):  # "[[[[...": nested too deep
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
    # A lone surrogate ("\\ud800" is valid JSON) cannot be stored or logged as UTF-8: it becomes "?".
    text = text.strip()[:max_chars].encode("utf-8", "replace").decode("utf-8")
    return sender, text or EMPTY_MESSAGE_PAYLOAD


def too_many(limiter: RateLimiter, key: str) -> bool:
    return not limiter.check(key).allowed


async def slow_down(request: Request, limiter: RateLimiter, key: str, sender_id: Optional[str]) -> HTTPResponse:
    """429 with the reply in the shape of any other reply, so a client shows it like one."""
    text = await slow_down_text(request.app, sender_id)
    headers = {"Retry-After": str(max(1, limiter.retry_after(key)))}
    return response.json([{"recipient_id": sender_id, "text": text}], status=429, headers=headers)


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
        async def new_session(request: Request) -> HTTPResponse:
            # Counted per address: a new session is a fresh per-conversation budget.
            address = address_key(request)
            if too_many(controls().addresses, address):
                return await slow_down(request, controls().addresses, address, None)
            return response.json({"sender": issue_session(get_settings().session_signing_key)})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            settings = get_settings()
            address = address_key(request)
            address_refused = too_many(controls().addresses, address)
            try:
                sender, text = parse_body(request.body, settings.max_message_chars)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=400)
            session = check_session(sender, settings.session_signing_key, settings.rest_session_hours)
            if session is SessionCheck.EXPIRED:
                return response.json({"error": "This session has expired: POST /webhooks/rest/session for a new one."},
                                     status=403)
            if session is not SessionCheck.VALID:
                return response.json({"error": "Unknown session: POST /webhooks/rest/session for one."}, status=403)
            sender_id = pseudonymise(self.name(), sender, settings.sender_hash_key)
            if address_refused:
                return await slow_down(request, controls().addresses, address, sender_id)
            if too_many(controls().senders, sender_id):
                return await slow_down(request, controls().senders, sender_id, sender_id)
            # Our own fallback payload is not the user's text: only the user's text is screened.
            screened = text if text == EMPTY_MESSAGE_PAYLOAD else screen_text(text) or EMPTY_MESSAGE_PAYLOAD
            collector = CollectingOutputChannel()
            try:
                with handling(text, screened, sender):
                    await on_new_message(UserMessage(screened, collector, sender_id, input_channel=self.name()))
            except Exception as error:  # noqa: BLE001 - the user must get an answer, and the log no payload
                logger.error("REST message handling failed: %s", type(error).__name__)
                return response.json({"error": "The assistant could not answer. Please try again."}, status=503)
            return response.json(collector.messages)

        return webhook
