"""POST /webhooks/console/parse: the hotline console's way to read a question with the bot's own NLU
(language, intent, categories, places, the safety verdict). Only the portal may call it (INTERNAL_TOKEN); it creates no
conversation, touches no tracker store and logs nothing of the text."""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.inbound import handling, screen_text
from privacy.internal_token import HEADER, is_authorised
from settings import get_settings

MAX_QUERY_CHARS = 500


class ConsoleParseInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "console"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ConsoleParseInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        console = Blueprint("console_parse", __name__)

        @console.route("/parse", methods=["POST"])
        async def parse(request: Request) -> HTTPResponse:
            if not is_authorised(request.headers.get(HEADER), get_settings().internal_token):
                return response.json({"error": "unauthorised"}, status=401)
            try:
                body = json.loads(request.body or b"")
                text = body["text"] if isinstance(body, dict) else None
            except (ValueError, UnicodeDecodeError, KeyError, RecursionError):
                text = None
            if not isinstance(text, str) or not text.strip():
                return response.json({"error": "'text' must be a non-empty string"}, status=400)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "no model loaded"}, status=503)
            # Read as the bot would read it from a user (a typed "/intent" is not a payload), and kept out of logs.
            question = text.strip()[:MAX_QUERY_CHARS].encode("utf-8", "replace").decode("utf-8")
            with handling(text, question):
                parsed = await agent.parse_message(screen_text(question))
            return response.json({
                "intent": (parsed.get("intent") or {}).get("name"),
                "language": (parsed.get("language") or {}).get("code"),
                "entities": [{"entity": e.get("entity"), "value": e.get("value")}
                             for e in parsed.get("entities") or []],
                # The safety layer's verdict, so that the operator sees what to say first.
                "safety": {key: (parsed.get("safety") or {}).get(key) for key in ("category", "level")},
            })

        return console
