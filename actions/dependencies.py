"""The directory, the review ledger and the gazetteer, built once per action-server process, on first use."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from services_db.database import make_engine, session_factory
from services_db.places import Gazetteer, cached_gazetteer
from services_db.repository import ServiceDirectory, open_directory
from settings import get_settings


@lru_cache(maxsize=1)
def directory_engine() -> Engine:
    return make_engine(get_settings().directory_db_url)


@lru_cache(maxsize=1)
def directory() -> ServiceDirectory:
    return open_directory(directory_engine())


@lru_cache(maxsize=1)
def ledger_sessions() -> sessionmaker[Session]:
    """The legal-review ledger lives in the directory database (staff/review_ledger.py)."""
    return session_factory(directory_engine())


def gazetteer() -> Gazetteer:
    settings = get_settings()
    return cached_gazetteer(settings.gazetteer_csv, settings.deployment_country)
