"""A random directory for comparing nearest search with brute force (SQLite and PostGIS tests)."""
from __future__ import annotations

import random

from sqlalchemy.engine import Engine

from services_db.database import create_schema, index_location, session_factory
from services_db.geo import Point, haversine_m
from services_db.models import Location, Organization, Service, ServiceAtLocation

CATEGORIES = ("health", "food", "legal_aid")
CENTRE = Point(38.72, -9.14)
Listing = tuple[str, str, Point]  # service id, category, point


def populate(engine: Engine, count: int, seed: int, prefix: str = "syn") -> list[Listing]:
    create_schema(engine)
    rng = random.Random(seed)
    points: list[Listing] = []
    with session_factory(engine).begin() as session:
        session.add(Organization(id=f"{prefix}-org", name="Synthetic", description=""))
        session.flush()
        for i in range(count):
            point = Point(CENTRE.latitude + rng.uniform(-0.4, 0.4), CENTRE.longitude + rng.uniform(-0.5, 0.5))
            category = rng.choice(CATEGORIES)
            session.add(Location(id=f"{prefix}-loc{i}", organization_id=f"{prefix}-org", latitude=point.latitude,
                                 longitude=point.longitude, timezone="Europe/Lisbon"))
            session.add(Service(id=f"{prefix}-svc{i}", organization_id=f"{prefix}-org", name=f"S{i}",
                                category=category))
            session.add(ServiceAtLocation(id=f"{prefix}-sal{i}", service_id=f"{prefix}-svc{i}",
                                          location_id=f"{prefix}-loc{i}"))
            points.append((f"{prefix}-svc{i}", category, point))
        session.flush()
        for i, (_, _, point) in enumerate(points):
            index_location(session, f"{prefix}-loc{i}", point.latitude, point.longitude)
    return points


def brute_force(points: list[Listing], centre: Point, k: int, category: str | None, max_m: float) -> list[str]:
    distances = sorted((haversine_m(centre, p), sid) for sid, cat, p in points if category in (None, cat))
    return [sid for d, sid in distances if d <= max_m][:k]
