"""Serves the web widget: its script and style, the socket.io client it uses (from npm, pinned in
widget/package-lock.json), its interface text in each language (from the catalogs), and a demo page."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from i18n.catalogs import translate
from i18n.languages import SUPPORTED
from portal.keys import SETTINGS

WIDGET_DIR = Path(__file__).resolve().parent.parent / "widget"
SOCKET_IO_CLIENT = WIDGET_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
INDEX = Path(__file__).resolve().parent / "static" / "index.html"
STRING_KEYS = ("title", "placeholder", "send", "language", "location", "location_note", "location_denied", "map")
FILES = {"widget.js": WIDGET_DIR / "widget.js", "widget.css": WIDGET_DIR / "widget.css",
         "socket.io.min.js": SOCKET_IO_CLIENT}


async def widget_file(request: web.Request) -> web.FileResponse:
    path = FILES.get(request.match_info["name"])
    if path is None or not path.exists():
        raise web.HTTPNotFound(text="No such widget file.")
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


async def widget_strings(request: web.Request) -> web.Response:
    language = request.match_info["language"]
    if language not in SUPPORTED:
        raise web.HTTPNotFound(text="Unsupported language.")
    return web.json_response({key: translate(f"widget.{key}", language) for key in STRING_KEYS})


async def demo_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    rasa_url = settings.public_rasa_url or f"http://{settings.host}:{settings.rasa_port}"
    page = INDEX.read_text(encoding="utf-8").replace("{{RASA_URL}}", rasa_url)
    return web.Response(text=page, content_type="text/html")
