#!/usr/bin/env bash
# The run command: installs what the app needs, builds the demo images and starts the web app on localhost.
# On a first start with an empty data directory the app imports the demo images and trains a first model by
# itself; watch it on the Training page. Extra arguments go to the app (e.g. --urls http://localhost:5080).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

bash scripts/install-deps.sh
bash scripts/build-demo-data.sh
dotnet build DeviseWeb/DeviseWeb.csproj -c Release
exec dotnet DeviseWeb/bin/Release/net10.0/linux-x64/DeviseWeb.dll "$@"
