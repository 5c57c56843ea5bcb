"""The portal is its own deployable: scripts/setup.sh makes .venv-portal, a current Python with current aiohttp
and SQLAlchemy 2 and without Rasa, and `python -m portal` runs there (launcher/stack.py starts it so). The
domain packages it imports stay free of the bot's engine: a walk of every import reachable from the portal,
function-level ones included, finds none of it, and finds every library it needs in .venv-portal."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from launcher.stack import PORTAL_PYTHON
from settings import ROOT

# The Rasa side: its engine and what it brings (none of it installed in .venv-portal), and our packages that
# adapt it (installed there too, being the same project, but never imported by the portal).
ENGINE = {"rasa", "rasa_sdk", "tensorflow", "sanic", "spacy", "fasttext", "jax"}
BOT_ONLY = ENGINE | {"bot", "actions", "launcher"}
PROJECT = {path.parent.name for path in ROOT.glob("*/__init__.py")} | {path.stem for path in ROOT.glob("*.py")}


def _file_of(module: str) -> Path | None:
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


def portal_imports() -> tuple[set[str], set[str]]:
    """The project modules reachable from `python -m portal` (and Alembic's migrations, which it runs), and the
    top-level names of everything else they import, at module level or inside functions."""
    seen: set[str] = set()
    outside: set[str] = set()
    todo = ["portal.__main__", "portal.app"]
    todo += [f"services_db.migrations.{p.relative_to(ROOT / 'services_db' / 'migrations').with_suffix('')}"
             .replace("/", ".") for p in (ROOT / "services_db" / "migrations").rglob("*.py")]
    while todo:
        module = todo.pop()
        path = _file_of(module)
        if module in seen or path is None:
            continue
        seen.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # importing a module imports its packages
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                names = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] in PROJECT:
                    todo.append(name)
                elif name and name.split(".")[0] not in sys.stdlib_module_names and name != "__future__":
                    outside.add(name.split(".")[0])
    return seen, outside


def _run_in_portal_environment(script: str, cwd: Path, **env: str) -> dict:
    assert PORTAL_PYTHON.exists(), f"{PORTAL_PYTHON} is missing: run scripts/setup.sh (make setup)"
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"} | env
    run = subprocess.run([str(PORTAL_PYTHON), "-c", script], cwd=cwd, env=environment, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_nothing_the_portal_imports_pulls_in_rasa_or_the_bot() -> None:
    modules, outside = portal_imports()
    assert {"portal.app", "services_db.database", "staff.accounts", "settings"} <= modules
    assert not {module for module in modules if module.split(".")[0] in BOT_ONLY}
    assert not outside & BOT_ONLY, sorted(outside & BOT_ONLY)


def test_the_portal_environment_is_a_current_python_with_its_pins_and_without_rasa(tmp_path: Path) -> None:
    _, outside = portal_imports()
    script = f"""
import importlib.metadata, importlib.util, json, sys
print(json.dumps({{
    "python": list(sys.version_info[:2]),
    "engine": [name for name in {sorted(ENGINE)!r} if importlib.util.find_spec(name) is not None],
    "missing": [name for name in {sorted(outside)!r} if importlib.util.find_spec(name) is None],
    "installed": {{d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}},
}}))
"""
    found = _run_in_portal_environment(script, tmp_path)
    assert tuple(found["python"]) >= (3, 12)
    assert found["engine"] == []  # not installed, so nothing there can import them
    assert found["missing"] == [], "add them to requirements-portal.txt and constraints-portal.txt"

    def canonical(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    installed = {canonical(name): version for name, version in found["installed"].items()}
    pins = dict(line.split("==") for line in (ROOT / "constraints-portal.txt").read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#"))
    assert {canonical(name): version for name, version in pins.items() if canonical(name) in installed} == \
        {canonical(name): installed[canonical(name)] for name in pins if canonical(name) in installed}
    assert not {canonical(name) for name in pins} - set(installed), "run scripts/setup.sh (make setup)"
    sqlalchemy = tuple(int(part) for part in installed["sqlalchemy"].split(".")[:2])
    aiohttp = tuple(int(part) for part in installed["aiohttp"].split(".")[:2])
    assert sqlalchemy >= (2, 0) and aiohttp >= (3, 11)
    assert "migrant-rights-assistant" in installed  # the project itself, editable


def test_the_portal_app_is_built_and_serves_in_its_environment(tmp_path: Path) -> None:
    """What `python -m portal` does, on a fresh database: the schema's migrations run under SQLAlchemy 2, and
    the pages answer; nothing of the bot is imported on the way."""
    script = f"""
import asyncio, json, sys
from aiohttp.test_utils import TestClient, TestServer
import portal.__main__
from portal.app import init_app

async def main():
    async with TestClient(TestServer(init_app())) as client:
        return [(await client.get(path)).status for path in ("/health", "/portal/login", "/widget/strings/ar.json")]

statuses = asyncio.run(main())
print(json.dumps({{"statuses": statuses, "python": sys.executable,
                  "bot_only": sorted(m for m in sys.modules if m.split(".")[0] in {sorted(BOT_ONLY)!r})}}))
"""
    found = _run_in_portal_environment(script, tmp_path, STATE_DIR=str(tmp_path),
                                       DIRECTORY_DB_URL=f"sqlite:///{tmp_path / 'directory.sqlite3'}")
    assert found["statuses"] == [200, 200, 200]
    assert found["bot_only"] == []
    assert Path(found["python"]).parent == PORTAL_PYTHON.parent
    assert (tmp_path / "directory.sqlite3").exists()
