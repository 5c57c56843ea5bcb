"""Typed application keys shared by the portal's views."""
from __future__ import annotations

from aiohttp import web

from services_db.repository import ServiceDirectory
from settings import Settings

SETTINGS = web.AppKey("settings", Settings)
DIRECTORY = web.AppKey("directory", ServiceDirectory)
