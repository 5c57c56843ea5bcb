"""Writes a child process's output to its log file, private, rotated, and kept no longer than
conversations are (CONVERSATION_TTL_MINUTES): a log is one more copy of who wrote when.

Rotation: when the current file is half the retention old (or too big), it becomes `<name>.log.1` and
the previous `.1` is deleted. So no line is older than the retention when its file is deleted, and at
most two files per process exist. Files from earlier runs past the retention go at start."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import IO

MAX_FILE_BYTES = 20 * 1024 * 1024


def remove_expired_logs(folder: Path, retention_seconds: float, now: float | None = None) -> int:
    now = time.time() if now is None else now
    removed = 0
    for path in folder.glob("*.log*"):
        if path.is_file() and now - path.stat().st_mtime > retention_seconds:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class LogSink:
    """Drains `stream` (a child's stdout) on a daemon thread into `folder/name.log`."""

    def __init__(self, stream: IO[bytes], folder: Path, name: str, retention_seconds: float,
                 max_bytes: int = MAX_FILE_BYTES) -> None:
        self._stream = stream
        self._path = folder / f"{name}.log"
        self._rotate_after = max(1.0, retention_seconds / 2)
        self._max_bytes = max_bytes
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._file = self._open()
        self._opened_at = time.monotonic()
        self._thread = threading.Thread(target=self._drain, name=f"log-{name}", daemon=True)

    def start(self) -> "LogSink":
        self._thread.start()
        return self

    def _open(self) -> IO[bytes]:
        # 0600 from the first byte, whatever the umask.
        descriptor = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(descriptor, 0o600)
        return os.fdopen(descriptor, "ab", buffering=0)

    def _rotate_if_due(self) -> None:
        too_old = time.monotonic() - self._opened_at >= self._rotate_after
        if not too_old and self._file.tell() < self._max_bytes:
            return
        self._file.close()
        previous = self._path.with_name(self._path.name + ".1")
        previous.unlink(missing_ok=True)
        self._path.rename(previous)
        self._file = self._open()
        self._opened_at = time.monotonic()

    def _drain(self) -> None:
        # Keeps reading even if writing fails: a child blocked on a full pipe would stop answering users.
        for line in iter(self._stream.readline, b""):
            try:
                self._rotate_if_due()
                self._file.write(line)
            except OSError:
                continue
        self._file.close()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
