#!/usr/bin/env bash
# Runs a command in a fresh network namespace that has only the loopback interface: any code path
# that tries to reach another host fails, which the test suite relies on to prove that no user data
# leaves the machine (tests/e2e/test_egress.py checks that it really runs isolated).
set -euo pipefail
if ! unshare --net true 2>/dev/null; then
  echo "Cannot create a network namespace here (needs root or user namespaces); run the tests as root." >&2
  exit 1
fi
exec unshare --net -- bash -c 'ip link set lo up && exec "$@"' _ "$@"
