"""WhatsApp through Twilio: the signature is checked exactly as Twilio computes it (the `twilio` package's
RequestValidator, over the public URL Twilio called) before anything else happens; the sender's number
becomes a pseudonym at once; the reply goes back in the webhook response as TwiML."""
from __future__ import annotations

import logging
from urllib.parse import parse_qsl
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from xml.sax.saxutils import escape

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.whatsapp_common import OptionMemory, location_message, numbered_options
from privacy.pseudonym import pseudonymise
from settings import get_settings

logger = logging.getLogger(__name__)
CHANNEL = "twilio_whatsapp"


def twiml(messages: list[dict[str, Any]]) -> str:
    bodies, first = [], 1
    for message in messages:
        text = message.get("text") or ""
        if message.get("buttons"):
            # Numbered on across messages, like the options remembered for digit replies.
            text = f"{text}\n\n{numbered_options(message['buttons'], first)}".strip()
            first += len(message["buttons"])
        if text:
            bodies.append(f"<Message>{escape(text[:1600])}</Message>")
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(bodies) + "</Response>"


class TwilioCollectingOutput(CollectingOutputChannel):
    """Collects the replies for the TwiML answer, under this channel's own name: replies can say what is
    true of this channel (Twilio carries the messages too)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL


class TwilioWhatsAppInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TwilioWhatsAppInput":
        credentials = credentials or {}
        return cls(str(credentials.get("auth_token") or ""), str(credentials.get("webhook_url") or ""))

    def __init__(self, auth_token: str, webhook_url: str) -> None:
        self._validator = RequestValidator(auth_token) if auth_token else None
        # Behind a proxy the URL we see is not the one Twilio signed: the public URL comes from configuration.
        self._webhook_url = webhook_url
        self._options = OptionMemory()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("twilio_whatsapp_webhook", __name__)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            # Parsed here rather than by Sanic, which drops empty fields (Twilio signs them too, e.g. Body="").
            try:
                params = dict(parse_qsl((request.body or b"").decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                return response.text("body must be UTF-8 form data", status=400)
            signature = request.headers.get("X-Twilio-Signature", "")
            if self._validator is None or not self._validator.validate(self._webhook_url, params, signature):
                return response.text("invalid signature", status=403)
            sender = params.get("From", "")
            if not sender:
                return response.text("missing From", status=400)
            sender_id = pseudonymise("whatsapp", sender, get_settings().sender_hash_key)
            text, metadata = self._message(sender_id, params)
            collector = TwilioCollectingOutput()
            try:
                await on_new_message(UserMessage(text, collector, sender_id, input_channel=CHANNEL, metadata=metadata))
            except Exception as error:  # noqa: BLE001 - answer something, log nothing personal
                logger.error("Twilio message handling failed: %s", type(error).__name__)
            buttons = [b for message in collector.messages for b in message.get("buttons") or []]
            self._options.remember(sender_id, buttons)
            return response.text(twiml(collector.messages), content_type="application/xml")

        return webhook

    def _message(self, sender_id: str, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        if params.get("Latitude") and params.get("Longitude"):
            located = location_message(params["Latitude"], params["Longitude"])
            if located:
                return located
        body = (params.get("Body") or "").strip()[: get_settings().max_message_chars]
        return self._options.resolve(sender_id, body) or "/nlu_fallback", {}
