#!/usr/bin/env bash
# Installs PGlite, its pgvector extension and its wire-protocol server from npm (versions pinned in package-lock.json).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -f $here/node_modules/.package-lock.json && $here/node_modules/.package-lock.json -nt $here/package-lock.json ]] && exit 0
command -v npm >/dev/null || { echo "[pglite] npm is needed (Debian: apt-get install nodejs npm)" >&2; exit 1; }
echo "[pglite] installing PGlite + pgvector from npm" >&2
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >&2
