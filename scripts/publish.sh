#!/usr/bin/env bash
# Publishes the web app into one self-contained folder for a team server (default dist/devise): the .NET runtime,
# the app, its static files, the ONNX models and TorchSharp's native libraries, with libLibTorchSharp.so patched for
# Debian 12's libstdc++ (build/TorchSharpGlibcxx.targets runs after publish as after build). Run it as
# dist/devise/DeviseWeb; deploy/devise.service is an example systemd unit. The folder needs no SDK, only
# the WordNet noun index (/usr/share/wordnet, apt package wordnet-base) for the keyword vocabulary.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(realpath -m "${1:-$repo/dist/devise}")
cd "$repo"

rm -rf "$out"
# Its own intermediate folders (artifacts/publish): a self-contained build in DeviseWeb/bin would replace the
# framework-dependent one that scripts/run.sh, scripts/devise and the tests start with `dotnet DeviseWeb.dll`.
dotnet publish DeviseWeb/DeviseWeb.csproj -c Release -r linux-x64 --self-contained true --artifacts-path "$repo/artifacts/publish" \
    -o "$out" -nologo -v q
echo "Published to $out; start it with: $out/DeviseWeb --urls http://127.0.0.1:5080"
