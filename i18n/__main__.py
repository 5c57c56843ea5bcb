"""Catalog maintenance: python -m i18n extract | update | compile | check.

extract: writes locales/messages.pot from the English sources (locales/source, knowledge/topics).
update:  merges the template into every locales/<lang>/LC_MESSAGES/messages.po (new ones are created).
compile: writes the .mo files the bot reads at run time.
init LANG: starts the catalog of a new language.
check:   fails if a catalog misses a translation or changes a placeholder.
"""
from __future__ import annotations

import sys

from i18n import catalog_tools


def main(argv: list[str]) -> int:
    commands = {
        "extract": catalog_tools.extract,
        "update": catalog_tools.update,
        "compile": catalog_tools.compile_all,
        "check": catalog_tools.check,
    }
    if len(argv) == 2 and argv[0] == "init":
        problems = catalog_tools.init(argv[1])
    elif len(argv) != 1 or argv[0] not in commands:
        print(__doc__)
        return 2
    else:
        problems = commands[argv[0]]()
    for problem in problems or []:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
