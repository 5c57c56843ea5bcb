"""Typed application keys shared by the portal's views."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy.orm import sessionmaker

from services_db.repository import ServiceDirectory
from settings import Settings

SETTINGS = web.AppKey("settings", Settings)
DIRECTORY = web.AppKey("directory", ServiceDirectory)
DB_SESSIONS = web.AppKey("db_sessions", sessionmaker)  # of Session
