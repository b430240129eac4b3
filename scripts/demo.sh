#!/usr/bin/env bash
# Install the Debian packages, build into build/ and run the quickstart example on a
# fresh store file in a temporary directory (removed afterwards).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo
echo "== build/examples/quickstart $tmp/settings.db"
build/examples/quickstart "$tmp/settings.db"
