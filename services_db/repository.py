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
from services_db.opening_hours import parse_byday, parse_clock

FIRST_RADIUS_M = 1_000.0


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


class SqliteDirectory:
    """Nearest search on SQLite's R*Tree: query a box, and grow it until the k-th distance fits inside."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def nearest(
        self, centre: Point, k: int, filters: SearchFilters, max_radius_m: float
    ) -> list[ServiceMatch]:
        with self._sessions() as session:
            radius = min(FIRST_RADIUS_M, max_radius_m)
            while True:
                distances = self._candidates(session, centre, radius, filters)
                inside = sorted((d, sid) for sid, d in distances.items() if d <= radius)
                # Every point within `radius` lies in the box, so once k of them are found the answer is exact.
                if len(inside) >= k or radius >= max_radius_m:
                    chosen = inside[:k]
                    break
                radius = min(radius * 2, max_radius_m)
            listings = {listing.id: listing for listing in self._load(session, [sid for _, sid in chosen])}
            return [ServiceMatch(listings[sid], d) for d, sid in chosen]

    def get_many(self, service_ids: Iterable[str]) -> list[ServiceListing]:
        with self._sessions() as session:
            return self._load(session, list(service_ids))

    def _candidates(
        self, session: Session, centre: Point, radius_m: float, filters: SearchFilters
    ) -> dict[str, float]:
        min_lat, max_lat, min_lon, max_lon = bounding_box(centre, radius_m)
        sql = (
            "SELECT sal.service_id, l.latitude, l.longitude FROM location_rtree r "
            "JOIN location l ON l.rowid = r.id "
            "JOIN service_at_location sal ON sal.location_id = l.id "
            "JOIN service s ON s.id = sal.service_id "
            "WHERE r.max_lat >= :min_lat AND r.min_lat <= :max_lat "
            "AND r.max_lon >= :min_lon AND r.min_lon <= :max_lon AND s.status = 'active'"
        )
        params: dict[str, object] = {
            "min_lat": min_lat, "max_lat": max_lat, "min_lon": min_lon, "max_lon": max_lon,
        }
        if filters.category:
            sql += " AND s.category = :category"
            params["category"] = filters.category
        best: dict[str, float] = {}
        for service_id, latitude, longitude in session.execute(text(sql), params):
            distance = haversine_m(centre, Point(latitude, longitude))
            if distance < best.get(service_id, float("inf")):
                best[service_id] = distance
        return best

    @staticmethod
    def _load(session: Session, service_ids: list[str]) -> list[ServiceListing]:
        if not service_ids:
            return []
        services = session.execute(select(Service).where(Service.id.in_(service_ids))).scalars().all()
        by_id = {service.id: to_listing(service) for service in services}
        return [by_id[sid] for sid in service_ids if sid in by_id]
