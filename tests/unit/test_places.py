"""Offline place lookup: names in any script and spelling, longest match first, and ambiguity spotted."""
from __future__ import annotations

from pathlib import Path

import pytest

from services_db.places import build_gazetteer, distinct_places, qualified_name
from settings import get_settings


@pytest.fixture(scope="module")
def lisbon():  # type: ignore[no-untyped-def]
    settings = get_settings()
    return build_gazetteer(settings.gazetteer_csv, settings.deployment_country)


@pytest.mark.parametrize("typed", ["Alfama", "alfama", "ALFAMA", "ألفاما", "الفاما", "بألفاما", "آلفاما"])
def test_a_neighbourhood_is_found_in_any_script_and_case(lisbon, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert lisbon.lookup(typed)[0].name == "Alfama"


def test_accents_and_city_names_from_geonames(lisbon) -> None:  # type: ignore[no-untyped-def]
    assert lisbon.lookup("graca")[0].name == "Graça"
    assert lisbon.lookup("Coimbra")[0].kind == "city"  # not in the Lisbon gazetteer: GeoNames knows it


def test_places_are_found_inside_a_message_longest_first(lisbon) -> None:  # type: ignore[no-untyped-def]
    mentions = lisbon.find_in_text("preciso de um médico perto do Cais do Sodré por favor")
    assert [m.value.name for m in mentions][-1] == "Cais do Sodré"
    assert mentions[-1].text == "Cais do Sodré"


def test_the_same_name_in_two_towns_is_ambiguous_and_qualified_names_resolve(tmp_path: Path) -> None:
    csv = tmp_path / "places.csv"
    csv.write_text("name,alt_names,kind,latitude,longitude,parent\n"
                   "Santa Clara,,parish,38.7855,-9.1520,Lisboa\n"
                   "Santa Clara,,parish,40.2050,-8.4350,Coimbra\n", encoding="utf-8")
    gazetteer = build_gazetteer(str(csv), "XX")
    choices = distinct_places(gazetteer.lookup("santa clara"))
    assert sorted(qualified_name(p) for p in choices) == ["Santa Clara (Coimbra)", "Santa Clara (Lisboa)"]
    assert [p.parent for p in gazetteer.lookup("Santa Clara (Coimbra)")] == ["Coimbra"]
