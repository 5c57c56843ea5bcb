"""Engine and schema. SQLite (with its built-in R*Tree) is the embedded default."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from services_db.models import Base

RTREE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS location_rtree "
    "USING rtree(id, min_lat, max_lat, min_lon, max_lon)"
)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.execute(text(RTREE_DDL))


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, future=True, expire_on_commit=False)


def unindex_location(session: Session, location_id: str) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(
        text("DELETE FROM location_rtree WHERE id = (SELECT rowid FROM location WHERE id = :id)"), {"id": location_id}
    )


def index_location(session: Session, location_id: str, latitude: float, longitude: float) -> None:
    """Keeps the R*Tree in step with a location row (SQLite only)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    rowid = session.execute(text("SELECT rowid FROM location WHERE id = :id"), {"id": location_id}).scalar_one()
    session.execute(text("DELETE FROM location_rtree WHERE id = :rowid"), {"rowid": rowid})
    session.execute(
        text("INSERT INTO location_rtree VALUES (:rowid, :lat, :lat, :lon, :lon)"),
        {"rowid": rowid, "lat": latitude, "lon": longitude},
    )
