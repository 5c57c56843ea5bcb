"""Great-circle distances and bounding boxes (WGS84, spherical Earth: plenty for a city)."""
from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
# A hair wider than the circle, so that rounding never leaves a point of the circle outside its box.
BOX_MARGIN = 1.000001


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def haversine_m(a: Point, b: Point) -> float:
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(centre: Point, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains every point within radius_m on the same
    sphere as haversine_m. The longitude half-width is exact (the circle is widest north or south of its
    centre, so radius / cos(latitude) would be too narrow): exact k-nearest depends on it."""
    angle = radius_m / EARTH_RADIUS_M * BOX_MARGIN
    dlat = math.degrees(angle)
    ratio = math.sin(min(angle, math.pi / 2)) / max(1e-12, math.cos(math.radians(centre.latitude)))
    dlon = 180.0 if ratio >= 1 else math.degrees(math.asin(ratio))
    return centre.latitude - dlat, centre.latitude + dlat, centre.longitude - dlon, centre.longitude + dlon
