"""POST /nlg: Rasa's NLG callback (https://rasa.com/docs/rasa/nlg). Thin: parse, pick the language, render."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiohttp import web

from i18n.languages import RIGHT_TO_LEFT, is_supported, normalise
from portal.keys import DB_SESSIONS, DIRECTORY, SETTINGS
from portal.replies import BadArguments, RenderContext, UnknownResponse, render
from portal.review_ledger import review_state_reader
from privacy.log_redaction import sensitive_values, tracker_texts

logger = logging.getLogger(__name__)


def conversation_language(tracker: dict[str, Any]) -> str:
    """The `language` slot; before any message was clear enough to set it, the most recent supported
    language detected in the conversation; else, when every message was a word several languages share
    ("hello", "no": marked `weak`), the first one's; else the default."""
    slot = (tracker.get("slots") or {}).get("language")
    if is_supported(slot):
        return str(slot)
    parsed = [tracker.get("latest_message") or {}]
    parsed += [event.get("parse_data") or {} for event in reversed(tracker.get("events") or [])
               if event.get("event") == "user"]
    detected = [parse_data.get("language") or {} for parse_data in parsed]
    for language in detected:
        if is_supported(language.get("code")) and not language.get("weak"):
            return str(language["code"])
    for language in reversed(detected):
        if is_supported(language.get("code")):
            return str(language["code"])
    return normalise(None)


async def nlg(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except (ValueError, RecursionError):
        raise web.HTTPBadRequest(text="The body must be JSON.") from None
    if not isinstance(body, dict) or not isinstance(body.get("response"), str):
        raise web.HTTPBadRequest(text="'response' is required.")
    tracker = body.get("tracker") if isinstance(body.get("tracker"), dict) else {}
    arguments = body.get("arguments") if isinstance(body.get("arguments"), dict) else {}
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    context = RenderContext(
        language=conversation_language(tracker),
        arguments=arguments,
        settings=request.app[SETTINGS],
        directory=request.app[DIRECTORY],
        now=dt.datetime.now(dt.timezone.utc),
        channel=str(channel.get("name") or ""),
        review_state=review_state_reader(request.app[DB_SESSIONS]),
    )
    try:
        # The tracker carries the user's words: no log line of this rendering may repeat them.
        with sensitive_values(*tracker_texts(tracker)):
            reply = render(body["response"], context)
    except UnknownResponse:
        raise web.HTTPNotFound(text="Unknown response name.") from None
    except BadArguments as error:
        raise web.HTTPBadRequest(text=f"Bad arguments: {error}") from None
    answer = reply.as_dict()
    # The language of the reply, for channels that lay text out by it (the widget turns right-to-left).
    answer["custom"] = {**answer.get("custom", {}), "language": context.language,
                        "direction": "rtl" if context.language in RIGHT_TO_LEFT else "ltr"}
    return web.json_response(answer)
