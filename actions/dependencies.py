"""The directory and the gazetteer, built once per action-server process, on first use."""
from __future__ import annotations

from functools import lru_cache

from services_db.database import make_engine
from services_db.places import Gazetteer, cached_gazetteer
from services_db.repository import ServiceDirectory, open_directory
from settings import get_settings


@lru_cache(maxsize=1)
def directory() -> ServiceDirectory:
    return open_directory(make_engine(get_settings().directory_db_url))


def gazetteer() -> Gazetteer:
    settings = get_settings()
    return cached_gazetteer(settings.gazetteer_csv, settings.deployment_country)
