#!/usr/bin/env bash
# Installs what DeviseWeb needs beyond the .NET 10 SDK on Debian 12, idempotently:
#   wordnet-base   the keyword vocabulary (117,798 English noun lemmas)
#   chromium       only with --browser: the end-to-end tests drive Debian's Chromium through Playwright
# The demo images (tuxpaint stamps, emoji) are installed by scripts/build-demo-data.sh.
set -euo pipefail

packages=(wordnet-base)
[[ ${1:-} == --browser ]] && packages+=(chromium fonts-liberation)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive
echo "[install-deps] installing ${missing[*]}" >&2
# Package lists may be missing or stale on a fresh machine: refresh once and retry.
$sudo apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}" ||
    { $sudo apt-get update -o DPkg::Lock::Timeout=600 && $sudo apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}"; }
