"""The portal application factory (aio-libs demo shape)."""
from __future__ import annotations

import logging
from typing import AsyncIterator

from aiohttp import web

from portal.keys import DB_SESSIONS, DIRECTORY, SETTINGS
from portal.request_bodies import MAX_FORM_BYTES, limit_request_bodies
from portal.staff.routes import setup_staff
from portal.staff.security import staff_security
from portal.widget import demo_page, widget_file, widget_strings
from services_db.database import create_schema, make_engine, session_factory
from services_db.repository import open_directory
from settings import Settings, get_settings

logger = logging.getLogger(__name__)


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/health", health)
    app.router.add_get("/", demo_page)
    app.router.add_get("/widget/strings/{language}.json", widget_strings)
    app.router.add_get("/widget/{name}", widget_file)


async def directory_ctx(app: web.Application) -> AsyncIterator[None]:
    engine = make_engine(app[SETTINGS].directory_db_url)
    create_schema(engine)  # the staff tables come with a migration; a new database gets everything
    app[DB_SESSIONS] = session_factory(engine)
    app[DIRECTORY] = open_directory(engine)
    yield
    engine.dispose()


def init_app(settings: Settings | None = None) -> web.Application:
    settings = settings or get_settings()
    if settings.production and not settings.portal_trusted_proxy_header:
        # Behind the reverse proxy every login would seem to come from the proxy: the throttle's
        # per-address blocks would then block everyone at once.
        logger.warning("PORTAL_TRUSTED_PROXY_HEADER is not set: the login throttle counts every client as "
                       "the proxy's address")
    # client_max_size caps what request.read() takes in, chunked or not; limit_request_bodies refuses a
    # bigger Content-Length before reading (inside staff_security, so that staff refusals get its headers).
    # The file import reads its own body, with its own limit.
    app = web.Application(client_max_size=MAX_FORM_BYTES,
                          middlewares=[staff_security, limit_request_bodies])
    app[SETTINGS] = settings
    app.cleanup_ctx.append(directory_ctx)
    setup_routes(app)
    setup_staff(app)
    return app
