"""POST /nlg: Rasa's NLG callback (https://rasa.com/docs/rasa/nlg). Thin: parse, pick the language, render."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiohttp import web

from i18n.languages import is_supported, normalise
from portal.keys import DIRECTORY, SETTINGS
from portal.replies import BadArguments, RenderContext, UnknownResponse, render

logger = logging.getLogger(__name__)


def conversation_language(tracker: dict[str, Any]) -> str:
    slot = (tracker.get("slots") or {}).get("language")
    if is_supported(slot):
        return str(slot)
    detected = ((tracker.get("latest_message") or {}).get("language") or {}).get("code")
    return normalise(detected)


async def nlg(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="The body must be JSON.") from None
    if not isinstance(body, dict) or not isinstance(body.get("response"), str):
        raise web.HTTPBadRequest(text="'response' is required.")
    tracker = body.get("tracker") if isinstance(body.get("tracker"), dict) else {}
    arguments = body.get("arguments") if isinstance(body.get("arguments"), dict) else {}
    context = RenderContext(
        language=conversation_language(tracker),
        arguments=arguments,
        settings=request.app[SETTINGS],
        directory=request.app[DIRECTORY],
        now=dt.datetime.now(dt.timezone.utc),
    )
    try:
        reply = render(body["response"], context)
    except UnknownResponse:
        raise web.HTTPNotFound(text="Unknown response name.") from None
    except BadArguments as error:
        raise web.HTTPBadRequest(text=f"Bad arguments: {error}") from None
    return web.json_response(reply.as_dict())
