"""WhatsApp through Twilio: the signature is checked exactly as Twilio computes it (the `twilio` package's
RequestValidator, over the public URL Twilio called) before anything else happens; a MessageSid already
answered is not answered again (a replayed request would hand the user's reply to whoever replays it);
the sender's number becomes a pseudonym at once; a flooding sender is told once to slow down; the reply
goes back in the webhook response as TwiML."""
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

from bot.channels.abuse import address_key, controls, slow_down_text
from bot.channels.inbound import handling, screen_text
from bot.channels.rate_limit import Verdict
from bot.channels.whatsapp_common import OptionMemory, location_message, numbered_options
from contract import FALLBACK_PAYLOAD
from privacy.erasure import on_erasure
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
        on_erasure(self._options.forget)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("twilio_whatsapp_webhook", __name__)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            # Parsed here rather than by Sanic, which drops empty fields (Twilio signs them too, e.g. Body="").
            try:
                params = dict(parse_qsl((request.body or b"").decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                return response.text("body must be UTF-8 form data", status=400)
            if not self._signed(params, request.headers.get("X-Twilio-Signature", "")):
                # Only failures count against an address: every genuine request comes from Twilio's servers.
                if controls().bad_signatures.check(address_key(request)).allowed:
                    return response.text("invalid signature", status=403)
                return response.text("too many invalid requests", status=429)
            sender = params.get("From", "")
            if not sender:
                return response.text("missing From", status=400)
            message_id = params.get("MessageSid", "")
            if message_id and not controls().replays.first_time(CHANNEL, message_id):
                return reply_with([])  # answered already: a replay gets nothing
            sender_id = pseudonymise("whatsapp", sender, get_settings().sender_hash_key)
            verdict = controls().senders.check(sender_id)
            if verdict is Verdict.REFUSED_TELL:
                return reply_with([{"text": await slow_down_text(request.app, sender_id)}])
            if verdict is Verdict.REFUSED_QUIET:
                return reply_with([])
            body, text, metadata = self._message(sender_id, params)
            collector = TwilioCollectingOutput()
            try:
                with handling(body, text, sender, params.get("WaId", ""), params.get("ProfileName", "")):
                    await on_new_message(UserMessage(text, collector, sender_id, input_channel=CHANNEL,
                                                     metadata=metadata))
            except Exception as error:  # noqa: BLE001 - answer something, log nothing personal
                logger.error("Twilio message handling failed: %s", type(error).__name__)
            buttons = [b for message in collector.messages for b in message.get("buttons") or []]
            self._options.remember(sender_id, buttons)
            return reply_with(collector.messages)

        return webhook

    def _signed(self, params: dict[str, str], signature: str) -> bool:
        try:
            return self._validator is not None and self._validator.validate(self._webhook_url, params, signature)
        except (TypeError, ValueError, UnicodeError):  # a malformed header is simply not a signature
            return False

    def _message(self, sender_id: str, params: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
        """(the user's own text, the text Rasa gets, metadata)."""
        if params.get("Latitude") and params.get("Longitude"):
            located = location_message(params["Latitude"], params["Longitude"])
            if located:
                return "", *located
        body = (params.get("Body") or "").strip()[: get_settings().max_message_chars]
        # A digit becomes the payload of the option it numbers (ours); everything else is the user's text.
        return body, screen_text(self._options.resolve(sender_id, body)) or FALLBACK_PAYLOAD, {}


def reply_with(messages: list[dict[str, Any]]) -> HTTPResponse:
    return response.text(twiml(messages), content_type="application/xml")
