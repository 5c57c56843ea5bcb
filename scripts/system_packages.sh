#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real: PostgreSQL with PostGIS (directory and
# conversation store at scale), Redis (conversation store at scale) and Chromium (widget tests, driven
# by Playwright with executable_path: no browser download). Only what is missing.
set -euo pipefail
PG_VERSION=15
need=()
[ -x "/usr/lib/postgresql/$PG_VERSION/bin/pg_ctl" ] || need+=("postgresql-$PG_VERSION")
[ -d "/usr/share/postgresql/$PG_VERSION/extension" ] && ls /usr/share/postgresql/$PG_VERSION/extension/postgis.control >/dev/null 2>&1 \
  || need+=("postgresql-$PG_VERSION-postgis-3")
command -v redis-server >/dev/null 2>&1 || need+=("redis-server")
command -v chromium >/dev/null 2>&1 || need+=("chromium")
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing Debian packages: ${need[*]}. Install them (sudo apt-get install ${need[*]}) and run again." >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
