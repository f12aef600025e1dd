#!/usr/bin/env bash
# Serves PostgreSQL with pgvector (PGlite: Postgres compiled to WASM) on a loopback port, for the tests and the bench:
#   bash scripts/pglite/serve.sh PORT [DATA_DIR]     (DATA_DIR: a folder that keeps the database; default in memory)
# Installs the npm packages pinned in package-lock.json on first use. PGlite runs one query at a time (single-threaded
# WASM): a tool for tests, not a server for a team; use a native PostgreSQL with pgvector there.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
port=${1:?usage: serve.sh PORT [DATA_DIR]}
db=${2:-memory://}
bash "$here/install.sh"
exec node "$here/node_modules/@electric-sql/pglite-socket/dist/scripts/server.js" \
    --port="$port" --db="$db" --max-connections=16 --extensions=@electric-sql/pglite-pgvector:vector
