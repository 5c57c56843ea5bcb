"""python -m knowledge check: the rights content's own check (sources, dates, risk lines, placeholders).
Exits 1 and names each file and field when something is wrong, so `make setup` stops there."""
from __future__ import annotations

import sys

from knowledge.content_check import check_topics
from settings import get_settings


def main(argv: list[str]) -> int:
    if argv != ["check"]:
        print(__doc__)
        return 2
    problems = check_topics(get_settings().deployment_placeholders())
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
