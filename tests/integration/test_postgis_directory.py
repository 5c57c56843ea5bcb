"""The PostGIS directory gives the same nearest services as a brute-force scan, like the SQLite one."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from services_db.database import make_engine
from services_db.geo import Point
from services_db.listing import SearchFilters
from services_db.repository import PostgisDirectory, open_directory
from services_db.sample_loader import load_directory_file
from settings import get_settings
from tests.synthetic_directory import CATEGORIES, Listing, brute_force, populate

@pytest.fixture(scope="module")
def synthetic(postgres_url: str) -> tuple[PostgisDirectory, list[Listing]]:
    engine = make_engine(postgres_url)
    points = populate(engine, 1500, seed=7)
    directory = open_directory(engine)
    assert isinstance(directory, PostgisDirectory)
    return directory, points


@settings(max_examples=40, deadline=None)
@given(
    lat=st.floats(min_value=38.4, max_value=39.0),
    lon=st.floats(min_value=-9.6, max_value=-8.7),
    k=st.integers(min_value=1, max_value=6),
    category=st.sampled_from((None, *CATEGORIES)),
    max_km=st.sampled_from((1.0, 5.0, 60.0)),
)
def test_postgis_nearest_equals_brute_force(synthetic, lat: float, lon: float, k: int, category: str | None,
                                            max_km: float) -> None:
    directory, points = synthetic
    centre = Point(lat, lon)
    expected_ids = brute_force(points, centre, k, category, max_km * 1000)
    found = directory.nearest(centre, k, SearchFilters(category=category), max_radius_m=max_km * 1000)
    assert [m.listing.id for m in found] == expected_ids


def test_sample_directory_loads_into_postgis_twice_without_change(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    path = Path(get_settings().sample_directory_json)
    loaded = load_directory_file(engine, path)
    directory = open_directory(engine)
    alfama = Point(38.7115, -9.1300)
    first = [m.listing.id for m in directory.nearest(alfama, 3, SearchFilters(category="health"), 25_000)]
    assert load_directory_file(engine, path) == loaded
    assert [m.listing.id for m in directory.nearest(alfama, 3, SearchFilters(category="health"), 25_000)] == first
    assert len(first) == 3
