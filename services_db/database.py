"""Engine and schema. SQLite (with its built-in R*Tree) is the embedded default."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from sqlalchemy.orm import Session, sessionmaker

from privacy.files import private_sqlite_file


def make_engine(url: str) -> Engine:
    options: dict[str, object] = {}
    if url.startswith("sqlite:///"):
        private_sqlite_file(url)
        # SQLAlchemy 1.4 opens a new SQLite connection per session by default (NullPool); reopening the file
        # and repeating the pragmas cost more than a whole nearest search. Keep connections in a pool.
        options = {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
    engine = create_engine(url, future=True, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_schema(engine: Engine) -> None:
    """Brings the schema to the latest Alembic revision (creating it on an empty database)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "organization" in tables and "alembic_version" not in tables:
            command.stamp(config, "0001")  # made before migrations existed, by the first schema
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, future=True, expire_on_commit=False)


def unindex_location(session: Session, location_id: str) -> None:
    """Removes a location from the spatial index (PostGIS keeps it in the row itself)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(
        text("DELETE FROM location_rtree WHERE id = (SELECT rowid FROM location WHERE id = :id)"), {"id": location_id}
    )


def index_location(session: Session, location_id: str, latitude: float, longitude: float) -> None:
    """Keeps the spatial index in step with a location row: the R*Tree on SQLite, the geography column
    (GiST-indexed) on PostGIS."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("UPDATE location SET geog = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography WHERE id = :id"),
            {"id": location_id, "lat": latitude, "lon": longitude},
        )
        return
    if session.get_bind().dialect.name != "sqlite":
        return
    rowid = session.execute(text("SELECT rowid FROM location WHERE id = :id"), {"id": location_id}).scalar_one()
    session.execute(text("DELETE FROM location_rtree WHERE id = :rowid"), {"rowid": rowid})
    session.execute(
        text("INSERT INTO location_rtree VALUES (:rowid, :lat, :lat, :lon, :lon)"),
        {"rowid": rowid, "lat": latitude, "lon": longitude},
    )
