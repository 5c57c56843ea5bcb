"""python -m launcher.action_server: the rasa-sdk action server, hardened. It listens on loopback only,
answers only requests that carry the internal token, and never echoes a request body in an error."""
from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from privacy.internal_token import HEADER, is_authorised
from privacy.log_redaction import forget_sensitive, mark_sensitive, tracker_texts
from privacy.startup_checks import configure_logging, harden_process
from settings import get_settings

logger = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})


def build_app() -> Any:
    settings = get_settings()
    app = create_app("actions", cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if not is_authorised(request.headers.get(HEADER), settings.internal_token):
            return response.json({"error": "unauthorised"}, status=401)
        # The tracker carries the user's words: no log line of this request may repeat them.
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = None
        request.ctx.redaction = mark_sensitive(*tracker_texts(body.get("tracker") if isinstance(body, dict) else None))
        return None

    @app.middleware("response")
    async def end_redaction(request: Request, _: HTTPResponse) -> None:
        token = getattr(request.ctx, "redaction", None)
        if token is not None:
            forget_sensitive(token)

    async def without_payload(request: Request, exception: Exception) -> HTTPResponse:
        # rasa-sdk's own handler answers with the whole tracker; ours says only what failed.
        logger.error("Action failed: %s", type(exception).__name__)
        return response.json({"error": "action failed"}, status=500)

    app.error_handler.add(Exception, without_payload)
    return app


def main() -> None:
    settings = get_settings()
    configure_logging(settings, "actions")
    harden_process(settings)
    if not settings.internal_token:
        raise SystemExit("INTERNAL_TOKEN is not set: the action server will not run without it.")
    build_app().run(host=settings.host, port=settings.action_port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
