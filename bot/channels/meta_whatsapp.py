"""WhatsApp through Meta's Cloud API. The GET handshake answers the challenge only for our verify token;
every POST is checked against X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app secret,
compared in constant time) before it is parsed. A message id already answered, or a message older than
WEBHOOK_DEDUP_HOURS, is not answered again (a replayed request must not make the bot talk to the user).
Every webhook gets 200, since Meta retries anything else; a flooding sender is told once to slow down.
Replies go out through the Graph API messages endpoint as text, reply buttons (up to 3), list messages
(up to 10 rows) and a location message per service."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, NamedTuple, Optional, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.abuse import address_key, controls, slow_down_text
from bot.channels.inbound import handling, screen_text
from bot.channels.rate_limit import Verdict
from bot.channels.replay import is_recent
from bot.channels.whatsapp_common import location_message
from contract import CUSTOM_LOCATIONS, FALLBACK_PAYLOAD
from privacy.constant_time import secrets_equal
from privacy.pseudonym import pseudonymise
from settings import get_settings

logger = logging.getLogger(__name__)
CHANNEL = "meta_whatsapp"
MAX_BUTTONS, MAX_BUTTON_TITLE, MAX_ROWS, MAX_ROW_TITLE = 3, 20, 10, 24
MAX_BODY, MAX_TEXT = 1024, 4096


class Incoming(NamedTuple):
    """One user message of a webhook: who sent it, the user's own text (empty for a shared location),
    the text for Rasa, metadata, and what replay protection needs (Meta's id and send time)."""
    wa_id: str
    user_text: str
    text: str
    metadata: dict[str, Any]
    message_id: str
    timestamp: str


def signature_is_valid(app_secret: str, raw_body: bytes, header: str) -> bool:
    if not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return secrets_equal(header.removeprefix("sha256="), expected)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def interactive_message(text: str, buttons: list[dict[str, Any]], list_label: str) -> dict[str, Any]:
    """Reply buttons when there are at most 3 options, a list message for up to 10."""
    body = {"text": _short(text or "…", MAX_BODY)}
    if len(buttons) <= MAX_BUTTONS:
        return {"type": "button", "body": body, "action": {"buttons": [
            {"type": "reply", "reply": {"id": str(b["payload"])[:256], "title": _short(str(b["title"]), MAX_BUTTON_TITLE)}}
            for b in buttons
        ]}}
    rows = [{"id": str(b["payload"])[:200], "title": _short(str(b["title"]), MAX_ROW_TITLE)} for b in buttons[:MAX_ROWS]]
    return {"type": "list", "body": body,
            "action": {"button": _short(list_label, MAX_BUTTON_TITLE), "sections": [{"rows": rows}]}}


class GraphClient:
    def __init__(self, base_url: str, phone_number_id: str, access_token: str) -> None:
        self._url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {access_token}"}

    async def send(self, to: str, message: dict[str, Any]) -> None:
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        try:
            async with aiohttp.ClientSession() as session:
                async with session.post(self._url, json=payload, headers=self._headers,
                                        timeout=aiohttp.ClientTimeout(total=15)) as reply:
                    if reply.status >= 400:
                        logger.error("Graph API refused a message: HTTP %s", reply.status)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:  # a timeout is no ClientError
            logger.error("Graph API unreachable: %s", type(error).__name__)


class MetaWhatsAppOutput(OutputChannel):
    """Holds the user's WhatsApp id in memory for this one exchange: it is where the reply goes, and
    it is never written anywhere (Rasa only ever sees the pseudonym)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    def __init__(self, graph: GraphClient, to: str) -> None:
        self._graph = graph
        self._to = to

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for start in range(0, len(text), MAX_TEXT):
            await self._graph.send(self._to, {"type": "text", "text": {"body": text[start : start + MAX_TEXT]}})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        if len(text) > MAX_BODY:
            await self.send_text_message(recipient_id, text)
            text = "…"
        label = str(buttons[0].get("title", "")) if buttons else ""
        await self._graph.send(self._to, {"type": "interactive",
                                          "interactive": interactive_message(text, buttons, label)})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        for place in json_message.get(CUSTOM_LOCATIONS, []):
            await self._graph.send(self._to, {"type": "location", "location": {
                "latitude": place["latitude"], "longitude": place["longitude"],
                "name": str(place.get("name", ""))[:100], "address": str(place.get("address", ""))[:200]}})


class MetaWhatsAppInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "MetaWhatsAppInput":
        c = credentials or {}
        return cls(str(c.get("verify_token") or ""), str(c.get("app_secret") or ""),
                   GraphClient(str(c.get("graph_url") or "https://graph.facebook.com/v19.0"),
                               str(c.get("phone_number_id") or ""), str(c.get("access_token") or "")))

    def __init__(self, verify_token: str, app_secret: str, graph: GraphClient) -> None:
        self._verify_token = verify_token
        self._app_secret = app_secret
        self._graph = graph

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("meta_whatsapp_webhook", __name__)

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            # The verify token may be a word someone chose: wrong guesses are limited per address, and
            # past the limit even the right token waits, or guessing would simply go on.
            address = address_key(request)
            if controls().bad_signatures.exhausted(address):
                return response.text("too many attempts", status=429)
            args = request.args
            token = args.get("hub.verify_token", "")
            if (args.get("hub.mode") == "subscribe" and self._verify_token
                    and secrets_equal(token, self._verify_token)):
                return response.text(args.get("hub.challenge", ""))
            controls().bad_signatures.check(address)
            return response.text("forbidden", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not signature_is_valid(self._app_secret, request.body or b"",
                                      request.headers.get("X-Hub-Signature-256", "")):
                # Only failures count against an address: every genuine request comes from Meta's servers.
                if controls().bad_signatures.check(address_key(request)).allowed:
                    return response.text("invalid signature", status=403)
                return response.text("too many invalid requests", status=429)
            try:
                payload = json.loads(request.body)
            except (ValueError, UnicodeDecodeError, RecursionError):
                return response.text("body must be JSON", status=400)
            for message in incoming_messages(payload):
                await self._answer(request, message, on_new_message)
            # Status callbacks (sent, delivered, read) land here too: accepted and ignored.
            return response.json({"status": "ok"})

        return webhook

    async def _answer(self, request: Request, message: Incoming,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        settings = get_settings()
        window = settings.webhook_dedup_hours * 3600.0
        if not is_recent(message.timestamp, window):
            return  # older than the replay window: a replay, or too late to be worth answering
        if message.message_id and not controls().replays.first_time(CHANNEL, message.message_id):
            return  # answered already
        sender_id = pseudonymise("whatsapp", message.wa_id, settings.sender_hash_key)
        output = MetaWhatsAppOutput(self._graph, message.wa_id)
        verdict = controls().senders.check(sender_id)
        if verdict is Verdict.REFUSED_TELL:
            await output.send_text_message(sender_id, await slow_down_text(request.app, sender_id))
        if not verdict.allowed:
            return
        try:
            with handling(message.user_text, message.text, message.wa_id):
                await on_new_message(UserMessage(message.text, output, sender_id, input_channel=CHANNEL,
                                                 metadata=message.metadata))
        except Exception as error:  # noqa: BLE001 - other messages in the batch still get answered
            logger.error("WhatsApp message handling failed: %s", type(error).__name__)


def incoming_messages(payload: Any) -> list[Incoming]:
    """Each user message of a webhook payload."""
    found = []
    entries = payload.get("entry", []) if isinstance(payload, dict) else []
    for entry in entries if isinstance(entries, list) else []:
        changes = entry.get("changes", []) if isinstance(entry, dict) else []
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value", {}) if isinstance(change, dict) else {}
            messages = value.get("messages", []) if isinstance(value, dict) else []
            for message in messages if isinstance(messages, list) else []:
                # A WhatsApp id is the sender's number in digits; anything else is not a message to answer.
                if not isinstance(message, dict) or not _is_wa_id(message.get("from")):
                    continue
                parsed = _message_text(message)
                if parsed is not None:
                    found.append(Incoming(str(message["from"]), *parsed, str(message.get("id") or ""),
                                          str(message.get("timestamp") or "")))
    return found


def _is_wa_id(value: Any) -> bool:
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    return 0 < len(text) <= 20 and text.isascii() and text.isdigit()


def _user_text(value: Any, limit: int) -> str:
    # A lone surrogate ("\\ud800" is valid JSON) cannot be stored or logged as UTF-8: it becomes "?".
    return str(value).strip()[:limit].encode("utf-8", "replace").decode("utf-8")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _screened(user_text: str) -> tuple[str, str, dict[str, Any]]:
    return user_text, (screen_text(user_text) if user_text else "") or FALLBACK_PAYLOAD, {}


def _message_text(message: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """(the user's own text, the text for Rasa, metadata), or None for a location that is no place."""
    kind = message.get("type")
    limit = get_settings().max_message_chars
    if kind == "text":
        return _screened(_user_text(_dict(message.get("text")).get("body", ""), limit))
    if kind == "interactive":  # a reply button or list row: its id is one of our payloads, or is screened out
        interactive = _dict(message.get("interactive"))
        reply = _dict(interactive.get("button_reply") or interactive.get("list_reply"))
        return _screened(_user_text(reply.get("id", ""), limit))
    if kind == "button":  # a quick-reply button of a template message
        return _screened(_user_text(_dict(message.get("button")).get("payload", ""), limit))
    if kind == "location":
        location = _dict(message.get("location"))
        located = location_message(location.get("latitude"), location.get("longitude"))
        return ("", *located) if located else None
    return "", FALLBACK_PAYLOAD, {}  # images, voice notes...: answered with the fallback, never stored
