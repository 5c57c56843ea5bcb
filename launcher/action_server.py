"""python -m launcher.action_server: the rasa-sdk action server, hardened. It listens on loopback only,
answers only requests that carry the internal token, and never echoes a request body in an error."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from privacy.internal_token import HEADER, is_authorised
from settings import get_settings

logger = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})


def build_app() -> Any:
    settings = get_settings()
    app = create_app("actions", cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or is_authorised(request.headers.get(HEADER), settings.internal_token):
            return None
        return response.json({"error": "unauthorised"}, status=401)

    async def without_payload(request: Request, exception: Exception) -> HTTPResponse:
        # rasa-sdk's own handler answers with the whole tracker; ours says only what failed.
        logger.error("Action failed: %s", type(exception).__name__)
        return response.json({"error": "action failed"}, status=500)

    app.error_handler.add(Exception, without_payload)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s actions %(levelname)s %(message)s")
    settings = get_settings()
    if not settings.internal_token:
        raise SystemExit("INTERNAL_TOKEN is not set: the action server will not run without it.")
    build_app().run(host=settings.host, port=settings.action_port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
