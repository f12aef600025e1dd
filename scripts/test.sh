#!/usr/bin/env bash
# The test command: installs what the tests need (WordNet, Chromium, the demo images), builds, runs every test.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

bash scripts/install-deps.sh --browser
bash scripts/build-demo-data.sh
dotnet build DeviseWeb.sln -c Release
dotnet test DeviseWeb.sln -c Release --no-build --logger "console;verbosity=normal" "$@"
