"""Shared fixtures. Every test run gets its own state directory, so no test touches a developer's data."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

_STATE = Path(tempfile.mkdtemp(prefix="mra-test-state-"))
# Set before any project module reads settings.
os.environ["STATE_DIR"] = str(_STATE)
os.environ["DIRECTORY_DB_URL"] = f"sqlite:///{_STATE / 'directory.sqlite3'}"
os.environ["CONVERSATION_STORE_URL"] = f"sqlite:///{_STATE / 'conversations.sqlite3'}"
os.environ["SENDER_HASH_KEY"] = "test-key-not-secret"
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def state_dir() -> Path:
    return _STATE
