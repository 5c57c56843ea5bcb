"""The directory behind one interface: exact k-nearest search and reads by id."""
from __future__ import annotations

from typing import Iterable, Protocol

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services_db.database import session_factory
from services_db.geo import Point, bounding_box, haversine_m
from services_db.listing import SearchFilters, ServiceListing, ServiceMatch, WeeklyHours
from services_db.models import Service
from services_db.opening_hours import parse_byday, parse_clock, status_at

FIRST_RADIUS_M = 1_000.0
MIN_RADIUS_M = 250.0


class ServiceDirectory(Protocol):
    def nearest(
        self, centre: Point, k: int, filters: SearchFilters, max_radius_m: float
    ) -> list[ServiceMatch]: ...

    def get_many(self, service_ids: Iterable[str]) -> list[ServiceListing]: ...


def to_listing(service: Service) -> ServiceListing:
    location = service.service_at_locations[0].location
    return ServiceListing(
        id=service.id,
        organization_name=service.organization.name,
        name=service.name,
        description=service.description,
        category=service.category,
        names_by_language={t.language: t.name for t in service.translations},
        location=Point(location.latitude, location.longitude),
        address=location.address or "",
        timezone=location.timezone,
        phones=tuple(phone.number for phone in service.phones),
        languages_spoken=tuple(language.code for language in service.languages),
        hours=tuple(
            WeeklyHours(parse_byday(rule.byday), parse_clock(rule.opens_at), parse_clock(rule.closes_at))
            for rule in service.schedules
        ),
        requires_id=service.requires_id,
        firewall_pledge=service.firewall_pledge,
        free_of_charge=service.free_of_charge,
        walk_in=service.walk_in,
        is_sample=service.is_sample,
        assured_date=service.assured_date,
    )


class _SqlDirectoryBase:
    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def get_many(self, service_ids: Iterable[str]) -> list[ServiceListing]:
        with self._sessions() as session:
            return self._load(session, list(service_ids))

    @staticmethod
    def _load(session: Session, service_ids: list[str]) -> list[ServiceListing]:
        if not service_ids:
            return []
        services = session.execute(select(Service).where(Service.id.in_(service_ids))).scalars().all()
        by_id = {service.id: to_listing(service) for service in services}
        return [by_id[sid] for sid in service_ids if sid in by_id]


def _filter_sql(filters: SearchFilters, params: dict[str, object]) -> str:
    """The filters a row can answer by itself; opening hours are checked on the listings (open_filter)."""
    sql = " AND s.status = 'active'"
    if filters.category:
        sql += " AND s.category = :category"
        params["category"] = filters.category
    if filters.free_of_charge:
        sql += " AND s.free_of_charge"
    if filters.no_id_required:
        sql += " AND s.requires_id = 'no'"
    if filters.firewall_pledge:
        sql += " AND s.firewall_pledge"
    if filters.walk_in:
        sql += " AND s.walk_in"
    if filters.language:
        sql += " AND EXISTS (SELECT 1 FROM language lang WHERE lang.service_id = s.id AND lang.code = :language)"
        params["language"] = filters.language
    if filters.assured_after:
        sql += " AND (s.assured_date IS NULL OR s.assured_date >= :assured_after)"
        params["assured_after"] = filters.assured_after
    return sql


def _open_filter(listings: list[ServiceListing], filters: SearchFilters) -> list[ServiceListing]:
    if filters.open_at is None:
        return listings
    return [l for l in listings if status_at(l.hours, filters.open_at, l.timezone).open_now]


class SqliteDirectory(_SqlDirectoryBase):
    """Nearest search on SQLite's R*Tree: query a box, and grow it until the k-th distance fits inside."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._last_radius = FIRST_RADIUS_M

    def nearest(
        self, centre: Point, k: int, filters: SearchFilters, max_radius_m: float
    ) -> list[ServiceMatch]:
        with self._sessions() as session:
            if filters.open_at is None:
                ranked = self._nearest_ids(session, centre, k, filters, max_radius_m)
                listings = self._load(session, [sid for sid, _ in ranked])
                distance_of = dict(ranked)
                return [ServiceMatch(listing, distance_of[listing.id]) for listing in listings]
            return self._nearest_open(session, centre, k, filters, max_radius_m)

    def nearest_ids(
        self, centre: Point, k: int, filters: SearchFilters, max_radius_m: float
    ) -> list[tuple[str, float]]:
        """(service id, metres) of the k nearest, without loading the listings (what the benchmark times)."""
        with self._sessions() as session:
            return self._nearest_ids(session, centre, k, filters, max_radius_m)

    def _nearest_ids(
        self, session: Session, centre: Point, k: int, filters: SearchFilters, max_radius_m: float
    ) -> list[tuple[str, float]]:
        # Start from the radius the last search needed: densities change slowly across a city, and each
        # doubling is another query. Exactness does not depend on the start, only the number of rounds.
        radius = min(max(self._last_radius / 2, MIN_RADIUS_M), max_radius_m)
        while True:
            distances = self._candidates(session, centre, radius, filters)
            inside = sorted((d, sid) for sid, d in distances.items() if d <= radius)
            # Every point within `radius` lies in the box, so once k of them are found the answer is exact.
            if len(inside) >= k or radius >= max_radius_m:
                if len(inside) >= k:
                    self._last_radius = radius
                return [(sid, d) for d, sid in inside[:k]]
            radius = min(radius * 2, max_radius_m)

    def _nearest_open(
        self, session: Session, centre: Point, k: int, filters: SearchFilters, max_radius_m: float
    ) -> list[ServiceMatch]:
        """Opening hours need the schedules, so listings are read nearest first until k are open."""
        radius = min(FIRST_RADIUS_M, max_radius_m)
        while True:
            distances = self._candidates(session, centre, radius, filters)
            inside = sorted((d, sid) for sid, d in distances.items() if d <= radius)
            found: list[ServiceMatch] = []
            for start in range(0, len(inside), 4 * k):
                batch = inside[start : start + 4 * k]
                open_now = _open_filter(self._load(session, [sid for _, sid in batch]), filters)
                found += [ServiceMatch(listing, distances[listing.id]) for listing in open_now]
                if len(found) >= k:
                    return found[:k]
            if radius >= max_radius_m:
                return found
            radius = min(radius * 2, max_radius_m)

    def _candidates(
        self, session: Session, centre: Point, radius_m: float, filters: SearchFilters
    ) -> dict[str, float]:
        min_lat, max_lat, min_lon, max_lon = bounding_box(centre, radius_m)
        # CROSS JOIN makes SQLite start from the R*Tree box, whatever its planner guesses: started from
        # the category index instead, a query over a million listings took a second, not a millisecond.
        sql = (
            "SELECT sal.service_id, l.latitude, l.longitude FROM location_rtree r "
            "CROSS JOIN location l CROSS JOIN service_at_location sal CROSS JOIN service s "
            "WHERE r.max_lat >= :min_lat AND r.min_lat <= :max_lat "
            "AND r.max_lon >= :min_lon AND r.min_lon <= :max_lon "
            "AND l.rowid = r.id AND sal.location_id = l.id AND s.id = sal.service_id"
        )
        params: dict[str, object] = {
            "min_lat": min_lat, "max_lat": max_lat, "min_lon": min_lon, "max_lon": max_lon,
        }
        sql += _filter_sql(filters, params)
        best: dict[str, float] = {}
        # Straight to the DBAPI cursor (sqlite3 understands :name parameters): this is the hot loop of every
        # search, and SQLAlchemy's statement handling cost more than the R*Tree query itself.
        cursor = session.connection().connection.cursor()
        for service_id, latitude, longitude in cursor.execute(sql, params):
            distance = haversine_m(centre, Point(latitude, longitude))
            if distance < best.get(service_id, float("inf")):
                best[service_id] = distance
        return best


class PostgisDirectory(_SqlDirectoryBase):
    """Nearest search on PostGIS: the GiST index orders by distance (`<->`); candidates are then ranked
    on the same spherical distance as everywhere else, so both backends give the same answer."""

    CANDIDATE_MARGIN = 10

    def nearest(
        self, centre: Point, k: int, filters: SearchFilters, max_radius_m: float
    ) -> list[ServiceMatch]:
        # Opening hours are checked on the listings, so an "open now" search looks at more candidates.
        limit = (20 if filters.open_at else 3) * k + self.CANDIDATE_MARGIN
        params: dict[str, object] = {"lat": centre.latitude, "lon": centre.longitude, "radius": max_radius_m,
                                     "limit": limit}
        sql = (
            "WITH centre AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS g) "
            "SELECT sal.service_id, l.latitude, l.longitude FROM location l, centre "
            "JOIN service_at_location sal ON TRUE "
            "JOIN service s ON s.id = sal.service_id "
            "WHERE sal.location_id = l.id AND ST_DWithin(l.geog, centre.g, :radius * 1.01)"
            + _filter_sql(filters, params)
            + " ORDER BY l.geog <-> centre.g LIMIT :limit"
        )
        with self._sessions() as session:
            best: dict[str, float] = {}
            for service_id, latitude, longitude in session.execute(text(sql), params):
                distance = haversine_m(centre, Point(latitude, longitude))
                if distance <= max_radius_m and distance < best.get(service_id, float("inf")):
                    best[service_id] = distance
            ranked = sorted((d, sid) for sid, d in best.items())
            if filters.open_at is None:
                ranked = ranked[:k]
            listings = _open_filter(self._load(session, [sid for _, sid in ranked]), filters)[:k]
            return [ServiceMatch(listing, best[listing.id]) for listing in listings]


def open_directory(engine: Engine) -> ServiceDirectory:
    return PostgisDirectory(engine) if engine.dialect.name == "postgresql" else SqliteDirectory(engine)
