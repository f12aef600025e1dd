#!/usr/bin/env bash
# The test command: installs what the tests need (WordNet, Chromium, the demo images), builds, runs every test.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

bash scripts/install-deps.sh --browser
bash scripts/build-demo-data.sh
dotnet build DeviseWeb.sln -c Release
log=$(mktemp)
status=0
dotnet test DeviseWeb.sln -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
# One plain closing line for readers of CI logs: "N passed, N failed".
count() { grep -E "^\s+$1:\s+[0-9]+" "$log" | awk '{ n += $2 } END { print n + 0 }'; }
echo "$(count Passed) passed, $(count Failed) failed"
rm -f "$log"
exit "$status"
