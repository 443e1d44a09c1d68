#!/usr/bin/env bash
# On the GPU machine (16 cores, CUDA PyTorch, no Node), from the repo root with .devkit/ carried
# (scripts/device/makeKit.sh): unpacks Node, Dawn and the Vulkan loader, then runs
#   1. the step over core counts, portable engine vs PyTorch (issue 18): bench.js --threads 1,2,4,8,16
#   2. the whole bench, WebGPU on the real GPU against PyTorch CUDA included (its last lines)
# Each output goes to $OUT (scaling.txt, bench.txt) as it is written. THREADS and BENCH_ARGS override.
set -uo pipefail
cd "$(dirname "$0")/../.."
kit=.devkit
out=${OUT:-/tmp/device-out}
mkdir -p "$out"
unpack() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }
unpack "$kit/node.xz" /tmp/node && chmod +x /tmp/node
unpack "$kit/node_modules/webgpu/dist/linux-x64/dawn.node.xz" "$kit/node_modules/webgpu/dist/linux-x64/dawn.node"
if [ "$(id -u)" = 0 ] && ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
  for f in "$kit"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
{
  echo "kit built at commit $(cat "$kit/commit" 2>/dev/null)"
  nvidia-smi -L 2>&1 | head -2
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core)'
  /tmp/node -v
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' 2>&1 | tail -1
} 2>&1 | tee "$out/machine.txt"
timeout 300 /tmp/node "$kit/dist/trainer/bench.js" --threads "${THREADS:-1,2,4,8,16}" 2>&1 | tee "$out/scaling.txt"
timeout 300 /tmp/node "$kit/dist/trainer/bench.js" ${BENCH_ARGS:-} 2>&1 | tee "$out/bench.txt"
