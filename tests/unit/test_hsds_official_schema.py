"""The JSON export checked against Open Referral's own HSDS schemas (vendored in tests/fixtures/hsds_schema,
see its README for the commit), not only against our hsds_validation: an outside check found organisations
exported with `website: null`, which HSDS does not allow (an optional field is left out, or is a string)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from jsonschema import Draft202012Validator, RefResolver
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from services_db.database import make_engine
from services_db.hsds_io import export_document, import_document
from services_db.sample_loader import load_directory_file
from settings import get_settings

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "hsds_schema"
# Only the schemas an export of ours can reach are vendored; a $ref to any other one must fail loudly
# here rather than be fetched from the network.
VENDORED = ("organization", "service", "service_at_location", "phone", "schedule", "language")


def _not_vendored(uri: str) -> Any:
    raise AssertionError(f"{uri} is not vendored in {SCHEMA_DIR}; add it (see the README there)")


@pytest.fixture(scope="module")
def validators() -> dict[str, Validator]:
    schemas = {name: json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8")) for name in VENDORED}
    store = {schema["$id"]: schema for schema in schemas.values()}
    built = {}
    for name in ("organization", "service", "service_at_location"):
        schema = schemas[name]
        # The HSDS schemas declare no $schema; the specification's openapi.json (OpenAPI 3.1) embeds them,
        # and OpenAPI 3.1's dialect is JSON Schema 2020-12.
        cls = validator_for(schema, default=Draft202012Validator)
        cls.check_schema(schema)
        resolver = RefResolver(schema["$id"], schema, store=store,
                               handlers={"http": _not_vendored, "https": _not_vendored})
        built[name] = cls(schema, resolver=resolver)
    return built


@pytest.fixture(scope="module")
def sample_export(tmp_path_factory: pytest.TempPathFactory) -> dict:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('hsds_official') / 'source.sqlite3'}")
    load_directory_file(engine, Path(get_settings().sample_directory_json))
    return export_document(engine)


def _records(document: dict) -> Iterator[tuple[str, dict]]:
    for organization in document["organizations"]:
        yield "organization", organization
    for service in document["services"]:
        yield "service", service
        for link in service["service_at_locations"]:
            yield "service_at_location", link


def _problems(validator: Validator, record: dict) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path)) or '(record)'}: {error.message}"
            for error in validator.iter_errors(record)]


def test_every_exported_record_is_valid_against_the_official_schemas(
        sample_export: dict, validators: dict[str, Validator]) -> None:
    checked: dict[str, int] = {"organization": 0, "service": 0, "service_at_location": 0}
    failures = []
    for kind, record in _records(sample_export):
        checked[kind] += 1
        failures += [f"{kind} {record.get('id')!r}: {problem}" for problem in _problems(validators[kind], record)]
    assert checked["organization"] >= 30 and checked["service"] >= 40 and checked["service_at_location"] >= 40
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures[:20])


def test_the_schemas_do_reject_a_null_in_an_optional_field(validators: dict[str, Validator]) -> None:
    """So that the test above cannot pass by checking nothing."""
    organization = {"id": "org-a", "name": "A", "description": "", "website": None}
    assert _problems(validators["organization"], organization)
    service = {"id": "svc-a", "name": "A", "status": "active", "assured_date": None,
               "phones": [{"id": "p", "number": "1", "type": None}]}
    assert len(_problems(validators["service"], service)) == 2
    del organization["website"]
    assert not _problems(validators["organization"], organization)


@pytest.mark.parametrize("empty", ["null", "omitted"])
def test_import_takes_optional_fields_null_or_omitted(
        sample_export: dict, tmp_path: Path, empty: str) -> None:
    """Other publishers' files may carry null where we leave a field out; both mean 'no value'."""
    document = json.loads(json.dumps(sample_export))
    organization, service, location = document["organizations"][0], document["services"][0], document["locations"][0]
    for record, field in ((organization, "website"), (service, "assured_date"), (location, "name")):
        if empty == "null":
            record[field] = None
        else:
            record.pop(field, None)
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    import_document(engine, document)
    again = export_document(engine)
    by_id = {table: {r["id"]: r for r in again[table]} for table in ("organizations", "services", "locations")}
    assert "website" not in by_id["organizations"][organization["id"]]
    assert "assured_date" not in by_id["services"][service["id"]]
    assert "name" not in by_id["locations"][location["id"]]
