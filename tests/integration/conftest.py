"""Real PostgreSQL (with PostGIS) and Redis servers from Debian packages, started for the test session
on loopback, in temporary directories, and stopped afterwards (scripts/system_packages.sh installs them)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"  # initdb refuses to run as root


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", PG_USER, "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not (PG_BIN / "initdb").exists():
        pytest.fail("PostgreSQL is not installed: run scripts/system_packages.sh (make test does).")
    data = Path(tempfile.mkdtemp(prefix="mra-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, PG_USER)
    port = _free_port()
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data / "db"), "-U", "test", "--auth=trust",
                                 "-E", "UTF8"]), check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(_as_postgres([
        str(PG_BIN / "postgres"), "-D", str(data / "db"), "-p", str(port), "-k", str(data),
        "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
    ]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        time.sleep(0.5)
        yield f"postgresql://test@127.0.0.1:{port}/postgres"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    if shutil.which("redis-server") is None:
        pytest.fail("Redis is not installed: run scripts/system_packages.sh (make test does).")
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="mra-redis-")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
