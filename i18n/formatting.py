"""Locale-aware formatting of distances, times, weekdays, dates and lists (Babel CLDR data)."""
from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_time, get_day_names
from babel.lists import format_list
from babel.units import format_unit

from i18n.languages import RIGHT_TO_LEFT, normalise


def distance(metres: float, language: str) -> str:
    """'350 m' under a kilometre, '1.2 km' (or '1,2 km') above, in the reader's conventions."""
    locale = normalise(language)
    if metres < 1000:
        rounded = max(10, int(round(metres / 10.0)) * 10)
        return format_unit(rounded, "length-meter", length="short", locale=locale)
    kilometres = round(metres / 1000.0, 1)
    return format_unit(kilometres, "length-kilometer", length="short", locale=locale, format="#,##0.#")


def clock_time(value: dt.time, language: str) -> str:
    return format_time(value, format="short", locale=normalise(language))


def weekday_name(weekday: int, language: str) -> str:
    """Monday is 0, as in datetime.weekday()."""
    return get_day_names("wide", locale=normalise(language))[weekday]


def long_date(value: dt.date, language: str) -> str:
    return format_date(value, format="long", locale=normalise(language))


def join_list(items: list[str], language: str) -> str:
    return format_list(items, style="standard", locale=normalise(language)) if items else ""


def join_citations(items: list[str], language: str) -> str:
    """Citations contain commas themselves ("Convention, art. 28"), so they are separated by semicolons,
    written the way the script does (Arabic script has its own: ؛)."""
    separator = "؛ " if normalise(language) in RIGHT_TO_LEFT else "; "
    return separator.join(items)
