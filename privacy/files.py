"""Files of ours that hold anything about people (conversations, staff accounts and sessions, keys) are
readable by their owner only, from the moment they exist, whichever process creates them first."""
from __future__ import annotations

import os
from pathlib import Path

SQLITE_PREFIX = "sqlite:///"


def private_sqlite_file(url: str) -> None:
    """Creates the SQLite file of `url` 0600 (and its folder 0700) before SQLite does; SQLite gives its
    journal files the same mode. Other URLs are left alone: a server database has its own access rules."""
    if not url.startswith(SQLITE_PREFIX) or url == SQLITE_PREFIX + ":memory:":
        return
    path = Path(url.removeprefix(SQLITE_PREFIX))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
