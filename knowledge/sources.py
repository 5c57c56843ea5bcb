"""Where every legal statement of the rights content comes from.

A topic version cites its sources as entries of `legal_basis`; each names an instrument from
knowledge/instruments.yml (what it is, its official URL, which deployment countries have NOT ratified it),
the article, the official URL of that text and the date someone checked it there. The `cite` string is
what users read (and translators translate)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

INSTRUMENTS_FILE = Path(__file__).resolve().parent / "instruments.yml"
KINDS = ("treaty", "eu_law", "national_law", "guidance", "commitment")


class SourceError(ValueError):
    """A legal_basis entry or an instrument that does not say where its text is."""


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    kind: str
    url: str
    jurisdiction: str | None  # the country of a national law; None for international and EU texts
    not_ratified_by: tuple[str, ...]  # deployment countries where a treaty does not bind
    mentioned_as: tuple[str, ...]  # how topic texts may name it in words ("Migrant Workers Convention")

    def binds(self, country: str) -> bool:
        return country not in self.not_ratified_by


@dataclass(frozen=True)
class Citation:
    cite: str  # "Portugal: Law 23/2007, art. 146(1)": the text users read
    instrument: str
    article: str
    url: str
    checked: dt.date


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SourceError(f"{where}: not a date (YYYY-MM-DD): {value!r}") from None


def _official_url(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.startswith("https://"):
        raise SourceError(f"{where}: an official https:// URL is required")
    return value


@lru_cache(maxsize=1)
def all_instruments() -> dict[str, Instrument]:
    data = yaml.safe_load(INSTRUMENTS_FILE.read_text(encoding="utf-8")) or {}
    instruments = {}
    for key, entry in data.items():
        where = f"{INSTRUMENTS_FILE.name}: {key}"
        if not entry.get("name"):
            raise SourceError(f"{where}.name: required")
        if entry.get("kind") not in KINDS:
            raise SourceError(f"{where}.kind: must be one of {KINDS}")
        if entry.get("not_ratified_by") and not entry.get("ratification_source"):
            raise SourceError(f"{where}.ratification_source: say where the ratification status was read")
        instruments[key] = Instrument(
            id=key, name=entry["name"], kind=entry["kind"], url=_official_url(entry.get("url"), f"{where}.url"),
            jurisdiction=entry.get("jurisdiction"), not_ratified_by=tuple(entry.get("not_ratified_by") or ()),
            mentioned_as=tuple(entry.get("mentioned_as") or ()),
        )
    return instruments


def citation(entry: Any, where: str) -> Citation:
    """One legal_basis entry, checked: a bare string names no instrument, URL or date, so it is refused."""
    if not isinstance(entry, dict):
        raise SourceError(f"{where}: a source needs cite, instrument, article, url and checked, not just a name")
    for field in ("cite", "instrument", "article", "checked"):
        if not entry.get(field):
            raise SourceError(f"{where}.{field}: required")
    instrument = all_instruments().get(entry["instrument"])
    if instrument is None:
        raise SourceError(f"{where}.instrument: unknown instrument {entry['instrument']!r} "
                          f"(add it to knowledge/instruments.yml)")
    return Citation(cite=str(entry["cite"]), instrument=instrument.id, article=str(entry["article"]),
                    url=_official_url(entry.get("url", instrument.url), f"{where}.url"),
                    checked=_date(entry["checked"], f"{where}.checked"))
