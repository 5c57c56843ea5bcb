"""HSDS 3.0 import and export: round trips lose nothing, bad files change nothing, re-imports are no-ops."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from services_db.database import make_engine
from services_db.hsds_io import export_document, import_document, read_csv, write_csv
from services_db.hsds_validation import ValidationFailed
from services_db.sample_loader import load_directory_file
from settings import get_settings


@pytest.fixture(scope="module")
def sample_export(tmp_path_factory: pytest.TempPathFactory) -> dict:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('hsds') / 'source.sqlite3'}")
    load_directory_file(engine, Path(get_settings().sample_directory_json))
    return export_document(engine)


def test_json_round_trip_into_an_empty_database_loses_nothing(sample_export: dict, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    counts = import_document(engine, sample_export)
    assert counts["services"] == len(sample_export["services"]) >= 40
    assert export_document(engine) == sample_export


def test_csv_round_trip_loses_nothing(sample_export: dict, tmp_path: Path) -> None:
    write_csv(sample_export, tmp_path / "csv")
    assert {p.name for p in (tmp_path / "csv").iterdir()} >= {"services.csv", "locations.csv", "schedules.csv"}
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    import_document(engine, read_csv(tmp_path / "csv"))
    assert export_document(engine) == sample_export


def test_reimporting_the_same_file_changes_nothing(sample_export: dict, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    import_document(engine, sample_export)
    first = export_document(engine)
    import_document(engine, sample_export)
    assert export_document(engine) == first


def test_extension_fields_travel_in_a_namespaced_object(sample_export: dict) -> None:
    service = sample_export["services"][0]
    assert set(service["x_migrant_rights"]) >= {"category", "requires_id", "firewall_pledge", "free_of_charge",
                                                 "walk_in", "translations"}
    assert "requires_id" not in service  # HSDS core fields stay clean


def test_a_file_with_errors_reports_every_problem_and_changes_nothing(sample_export: dict, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    import_document(engine, sample_export)
    before = export_document(engine)
    broken = copy.deepcopy(sample_export)
    broken["services"][0]["name"] = "Renamed"  # a valid change that must not land either
    broken["services"][1]["status"] = "open"
    broken["services"][2]["schedules"] = [{"id": "x", "byday": "MO", "opens_at": "18:00", "closes_at": "09:00"}]
    broken["locations"][0]["latitude"] = 123
    broken["services"][3]["x_migrant_rights"]["category"] = "casino"
    with pytest.raises(ValidationFailed) as failure:
        import_document(engine, broken)
    messages = [str(p) for p in failure.value.problems]
    assert len(messages) == 4
    assert any("status" in m and broken["services"][1]["id"] in m for m in messages)
    assert any("closes before it opens" in m for m in messages)
    assert any("latitude" in m for m in messages)
    assert any("category" in m for m in messages)
    assert export_document(engine) == before


@pytest.mark.parametrize("document", [None, [], {"services": "nope"}, {"services": [{"id": ""}]}])
def test_malformed_documents_are_rejected_with_problems(document, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    with pytest.raises(ValidationFailed) as failure:
        import_document(engine, document)
    assert failure.value.problems


def test_cli_import_of_a_bad_file_prints_problems_and_exits_nonzero(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from services_db.__main__ import main

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"organizations": [{"id": "o1"}], "locations": [], "services": []}))
    assert main(["import", str(bad)]) == 1
    assert "organization 'o1', field 'name': is required" in capsys.readouterr().out
    (tmp_path / "garbage.json").write_text("{not json")
    assert main(["import", str(tmp_path / "garbage.json")]) == 1


def test_the_schema_comes_from_alembic_migrations(tmp_path: Path) -> None:
    from sqlalchemy import inspect, text

    from services_db.database import create_schema

    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    create_schema(engine)
    create_schema(engine)  # idempotent
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0004"
        assert {"organization", "service", "location", "location_rtree", "staff_account", "staff_session",
                "audit_entry", "login_counter", "topic_review_event"} <= set(inspect(connection).get_table_names())


def test_odd_values_and_encodings_are_reported_not_crashed_on(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from services_db.__main__ import main

    document = {"organizations": [{"id": "o1", "name": "Org"}],
                "locations": [{"id": "l1", "organization_id": "o1", "location_type": "physical",
                               "latitude": float("nan"), "longitude": 91.0}],
                "services": []}
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(ValidationFailed) as failure:
        import_document(engine, document)
    assert {p.field for p in failure.value.problems} >= {"latitude"}
    (tmp_path / "latin1.json").write_bytes('{"organizations": [{"id": "é"}]}'.encode("latin-1"))
    assert main(["import", str(tmp_path / "latin1.json")]) == 1
    assert "not valid JSON" in capsys.readouterr().out


def test_csv_columns_in_another_order_import_the_same(sample_export: dict, tmp_path: Path) -> None:
    import csv

    write_csv(sample_export, tmp_path / "csv")
    path = tmp_path / "csv" / "services.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    columns = list(reversed(list(rows[0])))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    import_document(engine, read_csv(tmp_path / "csv"))
    assert export_document(engine) == sample_export


def test_csv_cells_a_spreadsheet_would_run_are_quoted_and_come_back_exactly(sample_export: dict,
                                                                           tmp_path: Path) -> None:
    import csv

    from services_db.hsds_io import FORMULA_STARTS

    document = copy.deepcopy(sample_export)
    tricky = ["=1+1", "+351 21 000 0000", "-dash", "@SUM(A1)", "\tTab", "\rReturn", "'=quoted by its author",
              "''=twice", "'just a quote", "'", "plain"]
    for service, text in zip(document["services"], tricky):
        service["description"] = text
    phone = next(p for s in document["services"] for p in s["phones"])
    phone["number"] = "+351 21 000 0000"
    write_csv(document, tmp_path / "csv")
    for path in (tmp_path / "csv").iterdir():
        for row in csv.reader(path.open(encoding="utf-8", newline="")):
            for cell in row:
                if cell.startswith(FORMULA_STARTS):
                    float(cell)  # only numbers (negative coordinates) may start like a formula
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    import_document(engine, read_csv(tmp_path / "csv"))
    assert export_document(engine) == document


def test_cli_import_of_an_unreadable_csv_table_says_which_and_exits_nonzero(sample_export: dict, tmp_path: Path,
                                                                           capsys) -> None:  # type: ignore[no-untyped-def]
    from services_db.__main__ import main

    write_csv(sample_export, tmp_path / "csv")
    services = tmp_path / "csv" / "services.csv"
    services.write_bytes(services.read_bytes().replace(b"a", b"\xe9", 1))
    assert main(["import", str(tmp_path / "csv")]) == 1
    assert "services.csv cannot be read" in capsys.readouterr().out
