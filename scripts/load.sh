#!/usr/bin/env bash
# The app under load, on the bench's 100k-image gallery: 16 closed-loop clients on GET /api/search (words) and
# POST /api/search/image (photos) for 60 s while a training job runs and uploads arrive; prints p50/p95/p99 and
# errors per endpoint and the app's peak RSS. A script that prints figures, not a test: run it on a quiet machine.
# Usage: scripts/load.sh [--seconds N] [--clients N] [--image-clients N] [--json]
#   The gallery is the one DeviseWeb.Bench seeds (/tmp/devise-bench-store-100000-v*), seeded here when missing,
#   and copied to a scratch folder first: the run adds images and model versions, which the bench's copy must not get.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
port=${LOAD_PORT:-5097}
work=${LOAD_STORE:-/tmp/devise-load-store}
dotnet build DeviseWeb.Bench/DeviseWeb.Bench.csproj -c Release -v q -nologo >&2  # builds the app too
devise=(dotnet DeviseWeb/bin/Release/net10.0/linux-x64/DeviseWeb.dll)
bench=(dotnet DeviseWeb.Bench/bin/Release/net10.0/linux-x64/DeviseWeb.Bench.dll)
[[ -d data/demo ]] || bash scripts/build-demo-data.sh >&2

store=$(ls -d /tmp/devise-bench-store-100000-v* 2>/dev/null | sort -V | tail -1 || true)
if [[ -z $store || ! -f $store/bench-seeded.json ]]; then
    echo "seeding the 100k gallery (once; the bench reuses it)" >&2
    "${bench[@]}" --only scale --scale 100000 --images /nonexistent >&2
    store=$(ls -d /tmp/devise-bench-store-100000-v* | sort -V | tail -1)
fi
rm -rf "$work"
cp -r "$store" "$work"
# The API needs a signed-in user: an Editor (photo queries and uploads) with an API key, made on the scratch copy.
echo 'load-test-password' | "${devise[@]}" users add load --role editor --data "$work" >&2
key=$("${devise[@]}" users key load --data "$work" 2>/dev/null | tail -1)

# Every load client comes from loopback: lift the per-client budgets, which would otherwise measure the limiter.
Devise__DataDirectory=$work Devise__FirstStart=false Logging__LogLevel__Default=Warning \
    Devise__Limits__SearchesPerMinute=100000000 Devise__Limits__UploadsPerMinute=100000000 \
    "${devise[@]}" --urls "http://127.0.0.1:$port" >/tmp/devise-load-app.log 2>&1 &
app=$!
trap 'kill -TERM $app 2>/dev/null || true; wait $app 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:$port/api/status', headers={'Authorization': 'Bearer $key'}), timeout=2)" 2>/dev/null && break
    kill -0 $app 2>/dev/null || { echo "the app exited; see /tmp/devise-load-app.log" >&2; exit 1; }
    sleep 1
done
echo "load: $(nproc) cores, $(uptime)" >&2
/usr/bin/python3 scripts/load-client.py --url "http://127.0.0.1:$port" --key "$key" --pid $app --images data/demo "$@"
# Stopping it the way a service manager would: in-flight uploads finish, the running training job is cancelled.
started=$(date +%s.%N)
kill -TERM $app
wait $app || true
trap - EXIT
echo "app stopped in $(/usr/bin/python3 -c "print(round($(date +%s.%N) - $started, 1))") s after SIGTERM" >&2
