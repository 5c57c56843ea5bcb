#!/usr/bin/env bash
# Prints the path of a Python interpreter for one of the two environments, or fails with one line.
#   scripts/find_python.sh          Python 3.10 for the bot's .venv (Rasa 3.6.21 refuses 3.11 and newer)
#   scripts/find_python.sh portal   Python 3.13 or 3.12 for the portal's .venv-portal (no Rasa there)
# The newest patch release of the first version found wins.
set -euo pipefail
case "${1:-bot}" in
  bot)
    versions=(3.10)
    missing="Python 3.10 is required (Rasa 3.6.21 does not run on 3.11+): install it with 'pyenv install 3.10' or your system's python3.10 package." ;;
  portal)
    versions=(3.13 3.12)
    missing="Python 3.12 or 3.13 is required for the portal's environment: install it with 'pyenv install 3.13' or your system's python3.13 package." ;;
  *)
    echo "usage: $0 [bot|portal]" >&2
    exit 2 ;;
esac
roots=()
if command -v pyenv >/dev/null 2>&1; then roots+=("$(pyenv root)/versions"); fi
roots+=("${HOME}/.pyenv/versions")
for version in "${versions[@]}"; do
  for root in "${roots[@]}"; do
    # sort -V: 3.13.10 after 3.13.9, which the shell's glob order gets wrong.
    newest=$(printf '%s\n' "$root/$version".*/bin/python | sort -V | tail -n 1)
    if [ -x "$newest" ]; then echo "$newest"; exit 0; fi
  done
  if command -v "python$version" >/dev/null 2>&1; then command -v "python$version"; exit 0; fi
done
echo "$missing" >&2
exit 1
