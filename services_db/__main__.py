"""Directory command line.

    python -m services_db load-sample                  load the sample Lisbon directory
    python -m services_db import FILE.json | FOLDER    import HSDS 3.0 (JSON document or folder of CSV tables)
    python -m services_db export FILE.json | FOLDER    export HSDS 3.0 (a folder name writes CSV tables)
    python -m services_db stats                        counts, and the listings that need re-checking
"""
from __future__ import annotations

import sys
from pathlib import Path

from services_db.database import make_engine
from services_db.freshness import freshness_report
from services_db.hsds_io import (
    UnreadableTable, export_document, import_document, read_csv, read_json, write_csv, write_json,
)
from services_db.hsds_validation import ValidationFailed
from services_db.sample_loader import load_directory_file
from settings import get_settings


def _import(engine, source: Path) -> int:  # type: ignore[no-untyped-def]
    if not source.exists():
        print(f"No such file or folder: {source}")
        return 2
    try:
        document = read_csv(source) if source.is_dir() else read_json(source)
    except UnreadableTable as error:
        print(f"{source / (error.table + '.csv')} cannot be read: it must be UTF-8 CSV ({error.reason}).")
        return 1
    except ValueError as error:
        print(f"{source} is not valid JSON: {error}")
        return 1
    try:
        counts = import_document(engine, document)
    except ValidationFailed as failure:
        for problem in failure.problems:
            print(problem)
        print(failure)
        return 1
    print(f"Imported {counts['organizations']} organizations, {counts['locations']} locations, "
          f"{counts['services']} services.")
    return 0


def _export(engine, target: Path) -> int:  # type: ignore[no-untyped-def]
    document = export_document(engine)
    if target.suffix.lower() == ".json":
        write_json(document, target)
    else:
        write_csv(document, target)
    print(f"Exported {len(document['services'])} services to {target}.")
    return 0


def main(argv: list[str]) -> int:
    settings = get_settings()
    engine = make_engine(settings.directory_db_url)
    command, arguments = (argv[0], argv[1:]) if argv else ("", [])
    if command == "load-sample" and not arguments:
        print(f"Loaded {load_directory_file(engine, Path(settings.sample_directory_json))} sample services.")
        return 0
    if command == "import" and len(arguments) == 1:
        return _import(engine, Path(arguments[0]))
    if command == "export" and len(arguments) == 1:
        return _export(engine, Path(arguments[0]))
    if command == "stats" and not arguments:
        print(freshness_report(engine, settings))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
