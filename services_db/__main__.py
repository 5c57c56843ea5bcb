"""python -m services_db load-sample | stats"""
from __future__ import annotations

import sys
from pathlib import Path

from services_db.database import make_engine
from services_db.sample_loader import count_services, load_directory_file
from settings import get_settings


def main(argv: list[str]) -> int:
    settings = get_settings()
    engine = make_engine(settings.directory_db_url)
    if argv[:1] == ["load-sample"]:
        loaded = load_directory_file(engine, Path(settings.sample_directory_json))
        print(f"Loaded {loaded} sample services into the directory.")
        return 0
    if argv[:1] == ["stats"]:
        print(f"{count_services(engine)} services in the directory.")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
