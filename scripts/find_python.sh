#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6.21 refuses 3.11 and newer), or fails with one line.
set -euo pipefail
if command -v pyenv >/dev/null 2>&1; then
  for candidate in "$(pyenv root)"/versions/3.10.*/bin/python; do
    if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
  done
fi
for candidate in "${HOME}"/.pyenv/versions/3.10.*/bin/python python3.10; do
  if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; exit 0; fi
done
echo "Python 3.10 is required (Rasa 3.6.21 does not run on 3.11+): install it with 'pyenv install 3.10' or your system's python3.10 package." >&2
exit 1
