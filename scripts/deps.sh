#!/usr/bin/env bash
# Install the Debian packages libigny8settings needs to build, test and run its demo
# (chromium, chromium-driver, python3-selenium and a font: the Django example's browser test;
# gunicorn: the example under 4 worker processes, tests/stress/gunicorn_test.py;
# postgresql and postgresql-client: the private test server scripts/pg.sh starts, and psql).
# Idempotent: when every package is installed already, apt is not touched at all.
# Needs root (or sudo-less root, as in CI) only when something is missing.
set -euo pipefail

packages=(
  build-essential gcc g++ cmake pkg-config
  libsqlite3-dev sqlite3 libpq-dev postgresql postgresql-client libsodium-dev libcjson-dev libcurl4-openssl-dev libcmocka-dev
  valgrind abigail-tools python3 python3-django python3-setuptools python3-pip
  chromium chromium-driver python3-selenium fonts-dejavu-core gunicorn
  clang libclang-rt-14-dev  # libFuzzer, for scripts/fuzz.sh
  python3-psycopg2  # Django's postgresql backend, for the Django peer on PostgreSQL in bench/run.sh
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  if [ "$status" != "installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps.sh: all ${#packages[@]} Debian packages are installed"
  exit 0
fi

echo "deps.sh: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: error: not root, cannot install them; run as root, or:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
echo "deps.sh: installed ${missing[*]}"
