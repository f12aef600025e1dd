#!/usr/bin/env bash
# The test command: installs what the tests need (WordNet, Chromium, the demo images, PGlite with pgvector from npm),
# builds, runs every test.
#   bash scripts/test.sh            everything (what CI runs)
#   bash scripts/test.sh --fast     the inner loop: no browser, no published app, no killed processes, no long training
#                                   (the Fast set: tests not marked Slow, E2E or Deployment; DeviseWeb.Tests/Infrastructure/TestCategory.cs)
# Further arguments go to 'dotnet test' (e.g. --filter "FullyQualifiedName~Search").
# A test host that crashes or hangs leaves a dump under TestResults/ (--blame-crash, --blame-hang), and the crashing
# process's managed stacks are printed, so the next crash names its test and its cause.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

args=()
fast=false
for a in "$@"; do
    if [[ $a == --fast ]]; then fast=true; else args+=("$a"); fi
done
if $fast; then
    bash scripts/install-deps.sh
    args=(--filter "Category!=Slow&Category!=E2E&Category!=Deployment" "${args[@]}")
else
    bash scripts/install-deps.sh --browser
fi
bash scripts/build-demo-data.sh
bash scripts/pglite/install.sh # the pgvector index's tests serve it on a free port (DeviseWeb.Tests/Infrastructure/PgliteServer.cs)
dotnet build DeviseWeb.sln -c Release

results=$repo/TestResults
rm -rf "$results"
log=$(mktemp)
status=0
dotnet test DeviseWeb.sln -c Release --no-build --logger "console;verbosity=normal" --results-directory "$results" \
    --blame-crash --blame-crash-dump-type mini --blame-hang-timeout 15m --blame-hang-dump-type mini \
    "${args[@]}" 2>&1 | tee "$log" || status=$?

# One plain closing line for readers of CI logs: "N passed, N failed".
count() { grep -E "^\s+$1:\s+[0-9]+" "$log" | awk '{ n += $2 } END { print n + 0 }'; }
echo "$(count Passed) passed, $(count Failed) failed"
rm -f "$log"

# A crash or hang dump: print its managed stacks (dotnet-dump from NuGet, into a folder of the repository's own).
mapfile -t dumps < <(find "$results" -name '*.dmp' 2>/dev/null)
if [[ ${#dumps[@]} -gt 0 ]]; then
    tools=$repo/artifacts/tools
    [[ -x $tools/dotnet-dump ]] || dotnet tool install dotnet-dump --version 10.0.750501 --tool-path "$tools" >&2 || true
    for dump in "${dumps[@]}"; do
        echo "=== managed stacks in $dump"
        [[ -x $tools/dotnet-dump ]] && timeout 600 "$tools/dotnet-dump" analyze "$dump" -c "clrthreads" -c "clrstack -all" -c "exit" || true
    done
fi
exit "$status"
