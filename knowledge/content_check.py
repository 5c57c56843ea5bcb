"""Checks the rights content before anything is built from it; each problem names the file and the field.

- every version cites sources that name a known instrument, an article, an official URL and a date;
- no date (reviewed, checked) lies in the future;
- a baseline cites no national law, and an overlay no other country's law;
- a text that sends people where their status can come out (police, labour inspection, immigration
  agency, registers) carries a `risk` line, shown in the main answer;
- a text that names a treaty the country has not ratified says so;
- every {placeholder} is one the deployment fills, and braces are balanced."""
from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path
from typing import Any, Iterable

import yaml

from knowledge.repository import TOPICS_DIR, all_topics
from knowledge.sources import SourceError, all_instruments, citation

TEXT_FIELDS = ("answer", "detail", "condition", "risk")
# Places and bodies where using the service can expose someone's status (English source text).
EXPOSING = re.compile(r"\b(police|PSP|GNR|ACT|labou?r inspect\w*|SIBA|AIMA|immigration agency|register of|"
                      r"list of children)\b", re.IGNORECASE)
# How a text that names an unratified treaty (instruments.yml, mentioned_as) must then say so.
SAYS_NOT_RATIFIED = re.compile(r"not ratif|has not signed|did not sign|not joined", re.I)


def _placeholder_problems(where: str, text: str, known: set[str]) -> list[str]:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        return [f"{where}: broken placeholder ({error})"]
    return [f"{where}: unknown placeholder {{{name}}}" for name in names if name not in known]


def _version_problems(path: Path, field: str, data: dict[str, Any], country: str | None, known: set[str],
                      today: dt.date) -> list[str]:
    where = f"{path.name}: {field}"
    problems = []
    for name in TEXT_FIELDS:
        if isinstance(data.get(name), str):
            problems += _placeholder_problems(f"{where}{name}", data[name], known)
    for index, entry in enumerate(data.get("legal_basis") or []):
        entry_where = f"{where}legal_basis[{index}]"
        try:
            source = citation(entry, entry_where)
        except SourceError as error:
            problems.append(str(error))
            continue
        if source.checked > today:
            problems.append(f"{entry_where}.checked: {source.checked} is in the future")
        jurisdiction = all_instruments()[source.instrument].jurisdiction
        if jurisdiction and jurisdiction != country:
            problems.append(f"{entry_where}.instrument: {source.instrument} is {jurisdiction} law, cited "
                            + (f"under {country}" if country else "in the international baseline"))
    if not data.get("legal_basis"):
        problems.append(f"{where}legal_basis: empty")
    text = " ".join(str(data.get(name) or "") for name in ("answer", "detail", "condition"))
    if country and EXPOSING.search(text) and not data.get("risk"):
        problems.append(f"{where}risk: the text sends people to {EXPOSING.search(text).group(0)}, "
                        f"which can expose their status; say so in a risk line")
    for instrument in all_instruments().values():
        named = any(name.lower() in text.lower() for name in instrument.mentioned_as)
        if country and not instrument.binds(country) and named and not SAYS_NOT_RATIFIED.search(text):
            problems.append(f"{where}answer/detail: names {instrument.id}, which {country} has not ratified, "
                            f"without saying so")
    return problems


def check_file(path: Path, known_placeholders: set[str], today: dt.date) -> list[str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return [f"{path.name}: not valid YAML ({error})"]
    problems = []
    reviewed = data.get("reviewed")
    if not isinstance(reviewed, dt.date):
        problems.append(f"{path.name}: reviewed: a date (YYYY-MM-DD) is required")
    elif reviewed > today:
        problems.append(f"{path.name}: reviewed: {reviewed} is in the future")
    problems += _version_problems(path, "", data, None, known_placeholders, today)
    for country, overlay in (data.get("overlays") or {}).items():
        problems += _version_problems(path, f"overlays.{country}.", overlay or {}, country, known_placeholders, today)
    return problems


def check_topics(known_placeholders: Iterable[str], today: dt.date | None = None,
                 directory: Path = TOPICS_DIR) -> list[str]:
    known, today = set(known_placeholders), today or dt.date.today()
    try:
        all_instruments()
    except SourceError as error:
        return [str(error)]
    problems = [problem for path in sorted(directory.glob("*.yml")) for problem in check_file(path, known, today)]
    if not problems and directory == TOPICS_DIR:
        try:
            all_topics()  # what the bot loads: related topics exist, applies_to is known
        except ValueError as error:
            problems.append(str(error))
    return problems
