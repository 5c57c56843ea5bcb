"""The rights content's own check: sources, dates, risk lines, unratified treaties, placeholders. It runs
on the real topics (must be clean) and on broken copies (must name the file and the field)."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.content_check import check_topics
from knowledge.repository import TOPICS_DIR, all_topics
from knowledge.sources import all_instruments
from settings import get_settings

PLACEHOLDERS = set(get_settings().deployment_placeholders())


def test_the_real_topics_pass_the_check() -> None:
    assert check_topics(PLACEHOLDERS) == []


def test_every_legal_statement_names_a_known_instrument_an_article_an_official_url_and_a_date() -> None:
    for topic in all_topics().values():
        for version in (topic.baseline, *topic.overlays.values()):
            assert version.legal_basis, (topic.id, version.key)
            for citation in version.legal_basis:
                assert citation.instrument in all_instruments()
                assert citation.article and citation.url.startswith("https://")
                assert citation.checked <= dt.date.today()


def test_a_portugal_answer_never_rests_on_an_unratified_treaty_alone() -> None:
    """Portugal has not ratified the Migrant Workers Convention: each PT version cites something that binds."""
    instruments = all_instruments()
    assert not instruments["icrmw"].binds("PT")
    for topic in all_topics().values():
        version = topic.version_for("PT")
        binding = [c for c in version.legal_basis if instruments[c.instrument].binds("PT")
                   and instruments[c.instrument].kind != "commitment"]
        assert binding, topic.id


@pytest.fixture
def topics_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "topics"
    shutil.copytree(TOPICS_DIR, directory)
    return directory


def edit(directory: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    path = directory / f"{name}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_bare_citation_without_a_source_is_refused_with_file_and_field(topics_copy: Path) -> None:
    edit(topics_copy, "school", lambda d: d["overlays"]["PT"]["legal_basis"].append("Portugal: some law"))
    [problem] = check_topics(PLACEHOLDERS, directory=topics_copy)
    assert problem.startswith("school.yml: overlays.PT.legal_basis[")
    assert "instrument" in problem


def test_an_unknown_instrument_is_named(topics_copy: Path) -> None:
    def change(data: dict) -> None:
        data["legal_basis"][0]["instrument"] = "treaty_of_nowhere"

    edit(topics_copy, "work_pay", change)
    [problem] = check_topics(PLACEHOLDERS, directory=topics_copy)
    assert "work_pay.yml: legal_basis[0].instrument" in problem and "treaty_of_nowhere" in problem


def test_a_missing_url_or_date_is_named(topics_copy: Path) -> None:
    def change(data: dict) -> None:
        data["legal_basis"][0]["url"] = "http://example.org"
        del data["overlays"]["PT"]["legal_basis"][0]["checked"]

    edit(topics_copy, "report_crime", change)
    problems = check_topics(PLACEHOLDERS, directory=topics_copy)
    assert any(p.startswith("report_crime.yml: legal_basis[0].url") for p in problems)
    assert any(p.startswith("report_crime.yml: overlays.PT.legal_basis[0].checked") for p in problems)


def test_a_review_or_check_date_in_the_future_is_named(topics_copy: Path) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)

    def change(data: dict) -> None:
        data["reviewed"] = tomorrow
        data["legal_basis"][0]["checked"] = tomorrow

    edit(topics_copy, "renting", change)
    problems = check_topics(PLACEHOLDERS, directory=topics_copy)
    assert f"renting.yml: reviewed: {tomorrow} is in the future" in problems
    assert any(p.startswith("renting.yml: legal_basis[0].checked") and "future" in p for p in problems)


def test_a_broken_or_unknown_placeholder_is_named(topics_copy: Path) -> None:
    def change(data: dict) -> None:
        data["answer"] += " Call {hotline_numbr}."
        data["overlays"]["PT"]["detail"] += " Call {emergency_number."

    edit(topics_copy, "shelter", change)
    problems = check_topics(PLACEHOLDERS, directory=topics_copy)
    assert "shelter.yml: answer: unknown placeholder {hotline_numbr}" in problems
    assert any(p.startswith("shelter.yml: overlays.PT.detail: broken placeholder") for p in problems)


def test_sending_people_to_the_police_without_a_risk_line_is_refused(topics_copy: Path) -> None:
    edit(topics_copy, "report_crime", lambda d: d["overlays"]["PT"].pop("risk"))
    [problem] = check_topics(PLACEHOLDERS, directory=topics_copy)
    assert problem.startswith("report_crime.yml: overlays.PT.risk:")


def test_naming_an_unratified_treaty_in_portugal_without_saying_so_is_refused(topics_copy: Path) -> None:
    def change(data: dict) -> None:
        data["overlays"]["PT"]["detail"] += " The Migrant Workers Convention protects you."

    edit(topics_copy, "work_safety", change)
    [problem] = check_topics(PLACEHOLDERS, directory=topics_copy)
    assert "work_safety.yml: overlays.PT.answer/detail" in problem and "icrmw" in problem


def test_a_national_law_in_the_international_baseline_is_refused(topics_copy: Path) -> None:
    def change(data: dict) -> None:
        data["legal_basis"].append(dict(data["overlays"]["PT"]["legal_basis"][0]))

    edit(topics_copy, "school", change)
    [problem] = check_topics(PLACEHOLDERS, directory=topics_copy)
    assert "international baseline" in problem
