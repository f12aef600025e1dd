#!/usr/bin/env bash
# Speed figures side by side with the original article's PyTorch stack (../shared/peer), in one run on one
# machine, so the ratios mean something on a shared, noisy box. Ends with every figure beside the issue's
# targets (scripts/bench-compare.py).
# Usage: scripts/bench.sh [--quick] [more DeviseWeb.Bench options]
#   (none)   the peer (features, head training, knn at 100k and 1M), then ours: features, import, training and
#            the scale mode on seeded stores of 100k and 1M images (seeded once, cached under /tmp).
#   --quick  ours only, on the demo images, scale mode at 100k only; no peer.
#   e.g. scripts/bench.sh --quick --scale 2000 tries the scale mode on a small store.
# JSON lines go to $BENCH_OUT (default /tmp/devise-bench): peer.jsonl, devise.jsonl.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peer=${PEER_DIR:-$repo/../shared/peer}
out=${BENCH_OUT:-/tmp/devise-bench}
mkdir -p "$out"
cd "$repo"
# The benchmarks are their own project (DeviseWeb.Bench), outside the product's assemblies.
dotnet build DeviseWeb.Bench/DeviseWeb.Bench.csproj -c Release -v q -nologo >&2
bench=(dotnet DeviseWeb.Bench/bin/Release/net10.0/linux-x64/DeviseWeb.Bench.dll)

if [[ ${1:-} == --quick ]]; then
    shift
    bash scripts/build-demo-data.sh >&2
    "${bench[@]}" --images data/demo --limit 300 --quick --json "$@" | tee "$out/devise.jsonl"
    /usr/bin/python3 "$repo/scripts/bench-compare.py" "$out/devise.jsonl"
    exit 0
fi

[[ -d $peer ]] || { echo "peer benchmark not found at $peer (set PEER_DIR)" >&2; exit 1; }
echo "load before: $(uptime)" >&2
# The peer first: it also writes the image set both sides read (/tmp/peer-scratch/images).
PEER_ONNX=$(ls ~/.nuget/packages/microsoft.ml.dnnimagefeaturizer.resnet18/0.23.1/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx) \
    bash "$peer/run-all.sh" "$out/peer.jsonl"
"${bench[@]}" --images /tmp/peer-scratch/images --limit 300 --json "$@" | tee "$out/devise.jsonl"
echo "load after: $(uptime)" >&2
/usr/bin/python3 "$repo/scripts/bench-compare.py" "$out/peer.jsonl" "$out/devise.jsonl"
