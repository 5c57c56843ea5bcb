"""The README's two commands are the ones CI and the Makefile use, and the project is installed into .venv
(scripts/setup.sh) so nothing sets PYTHONPATH by hand."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import tomli  # pytest's own TOML parser on Python 3.10 (tomllib is 3.11+)

from settings import ROOT


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]
    assert "make test" in readme and "make run" in readme


def test_makefile_defines_both_commands() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: ", makefile, re.M) and re.search(r"^test: ", makefile, re.M)


def test_nothing_sets_pythonpath_by_hand() -> None:
    """The project is installed into .venv (scripts/setup.sh), so no command or subprocess needs PYTHONPATH."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(export\s+)?PYTHONPATH\b", makefile, re.M)
    for module in ("launcher/training.py", "bot/langid/training.py"):
        assert '"PYTHONPATH"' not in (ROOT / module).read_text(encoding="utf-8"), module


def test_pyproject_lists_every_top_level_package() -> None:
    """A new top-level package must be named in pyproject.toml, or a built wheel would leave it out."""
    config = tomli.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["build-system"]["build-backend"] == "setuptools.build_meta"
    setuptools = config["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"": "."}  # the editable install is then a .pth naming ROOT
    include = set(setuptools["packages"]["find"]["include"])
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages and {f"{name}.*" for name in packages} <= include and packages <= include
    assert not {"tests", "tests.*"} & include
    modules = {path.stem for path in ROOT.glob("*.py")}
    assert modules == set(setuptools["py-modules"]) == {"settings", "contract"}


def test_setup_installs_the_project_and_reinstalls_when_pyproject_changes() -> None:
    """In both environments: the bot's (.venv) and the portal's (.venv-portal)."""
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert len(re.findall(r"^\s*stamp_wanted=.*pyproject\.toml", setup, re.M)) == 2
    assert len(re.findall(r'^\s*quiet_pip "\$venv" --no-deps .*--editable \.$', setup, re.M)) == 2
    assert re.search(r"^bot_venv$", setup, re.M) and re.search(r"^portal_venv$", setup, re.M)


def test_the_installed_project_is_found_from_any_directory_without_pythonpath(tmp_path: Path) -> None:
    """What `rasa train`, `rasa run`, the action server and langid training rely on: .venv's Python
    imports the project from anywhere, and from this working tree (a package added later needs no reinstall)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    script = ("import json, actions, bot.langid.training, launcher.training, portal, settings; "
              "print(json.dumps([settings.__file__, bot.__file__, actions.__file__]))")
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, f"run scripts/setup.sh (make setup) first:\n{run.stderr[-2000:]}"
    files = [Path(name).resolve() for name in json.loads(run.stdout.strip().splitlines()[-1])]
    assert files == [ROOT / "settings.py", ROOT / "bot" / "__init__.py", ROOT / "actions" / "__init__.py"]
