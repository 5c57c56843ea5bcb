from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from services_db.database import make_engine
from services_db.geo import Point
from services_db.listing import SearchFilters
from services_db.repository import SqliteDirectory
from services_db.sample_loader import load_directory_file
from settings import get_settings
from tests.synthetic_directory import CATEGORIES, CENTRE, Listing, brute_force, populate

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[SqliteDirectory, list[Listing]]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('geo') / 'directory.sqlite3'}")
    return SqliteDirectory(engine), populate(engine, 3000, seed=42)


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(min_value=38.3, max_value=39.1),
    lon=st.floats(min_value=-9.7, max_value=-8.6),
    k=st.integers(min_value=1, max_value=8),
    category=st.sampled_from((None, *CATEGORIES)),
    max_km=st.sampled_from((0.5, 2.0, 10.0, 60.0)),
)
def test_nearest_equals_brute_force(synthetic, lat: float, lon: float, k: int, category: str | None,
                                    max_km: float) -> None:
    directory, points = synthetic
    centre = Point(lat, lon)
    found = directory.nearest(centre, k, SearchFilters(category=category), max_radius_m=max_km * 1000)
    assert [m.listing.id for m in found] == brute_force(points, centre, k, category, max_km * 1000)
    assert all(a.distance_m <= b.distance_m for a, b in zip(found, found[1:]))


def test_sample_directory_covers_every_category_with_translations(tmp_path: Path) -> None:
    data = json.loads(Path(get_settings().sample_directory_json).read_text(encoding="utf-8"))
    services = [s for org in data["organizations"] for s in org["services"]]
    assert data["sample_data"] is True and len(services) >= 40
    from services_db.categories import CATEGORIES as ALL

    assert {s["category"] for s in services} == set(ALL)
    assert all({"fr", "ar"} <= set(s["translations"]) for s in services)


def test_loading_the_sample_twice_changes_nothing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.sqlite3'}")
    path = Path(get_settings().sample_directory_json)
    first = load_directory_file(engine, path)
    directory = SqliteDirectory(engine)
    before = [m.listing.id for m in directory.nearest(CENTRE, 5, SearchFilters(), 50_000)]
    assert load_directory_file(engine, path) == first
    assert [m.listing.id for m in directory.nearest(CENTRE, 5, SearchFilters(), 50_000)] == before
    listing = directory.get_many([before[0]])[0]
    assert listing.is_sample and listing.name_in("ar") != listing.name


@pytest.fixture(scope="module")
def sample_directory(tmp_path_factory: pytest.TempPathFactory) -> SqliteDirectory:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('sample') / 'directory.sqlite3'}")
    load_directory_file(engine, Path(get_settings().sample_directory_json))
    return SqliteDirectory(engine)


FILTERS = [
    SearchFilters(free_of_charge=True), SearchFilters(no_id_required=True), SearchFilters(firewall_pledge=True),
    SearchFilters(walk_in=True), SearchFilters(language="ar"), SearchFilters(category="health", language="uk"),
    SearchFilters(open_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)),
    SearchFilters(open_at=dt.datetime(2026, 11, 22, 22, 0, tzinfo=dt.timezone.utc), category="shelter"),
    SearchFilters(assured_after=dt.date(2026, 1, 1)),
]


def satisfies(listing, filters: SearchFilters) -> bool:  # type: ignore[no-untyped-def]
    from services_db.opening_hours import status_at

    return all([
        not filters.category or listing.category == filters.category,
        not filters.free_of_charge or listing.free_of_charge,
        not filters.no_id_required or listing.requires_id == "no",
        not filters.firewall_pledge or listing.firewall_pledge,
        not filters.walk_in or listing.walk_in,
        not filters.language or filters.language in listing.languages_spoken,
        not filters.open_at or status_at(listing.hours, filters.open_at, listing.timezone).open_now,
        not filters.assured_after or listing.assured_date is None or listing.assured_date >= filters.assured_after,
    ])


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(k for k, v in vars(f).items() if v))
def test_filters_return_the_nearest_listings_that_satisfy_them(sample_directory: SqliteDirectory,
                                                               filters: SearchFilters) -> None:
    from services_db.geo import haversine_m

    alfama = Point(38.7115, -9.1300)
    everything = sample_directory.nearest(alfama, 1000, SearchFilters(), 100_000)
    expected = [m.listing.id for m in sorted(everything, key=lambda m: m.distance_m)
                if satisfies(m.listing, filters)][:5]
    found = sample_directory.nearest(alfama, 5, filters, 100_000)
    assert [m.listing.id for m in found] == expected and expected
    assert all(abs(m.distance_m - haversine_m(alfama, m.listing.location)) < 1 for m in found)


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(min_value=-80, max_value=80), lon=st.floats(min_value=-179, max_value=179),
       bearing=st.floats(min_value=0, max_value=360), radius_km=st.floats(min_value=0.05, max_value=500),
       fraction=st.floats(min_value=0, max_value=1))
def test_every_point_of_the_circle_lies_in_its_box(lat: float, lon: float, bearing: float, radius_km: float,
                                                   fraction: float) -> None:
    import math

    from services_db.geo import EARTH_RADIUS_M, bounding_box, haversine_m

    centre, distance = Point(lat, lon), radius_km * 1000 * fraction
    # The point at `distance` along `bearing` (great-circle destination formula).
    angle, theta, phi = distance / EARTH_RADIUS_M, math.radians(bearing), math.radians(lat)
    phi2 = math.asin(math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(theta))
    lam2 = math.radians(lon) + math.atan2(math.sin(theta) * math.sin(angle) * math.cos(phi),
                                          math.cos(angle) - math.sin(phi) * math.sin(phi2))
    point = Point(math.degrees(phi2), math.degrees(lam2))
    min_lat, max_lat, min_lon, max_lon = bounding_box(centre, radius_km * 1000)
    assert haversine_m(centre, point) <= radius_km * 1000 + 1e-6
    assert min_lat <= point.latitude <= max_lat and min_lon <= point.longitude <= max_lon
