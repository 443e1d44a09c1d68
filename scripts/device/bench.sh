#!/usr/bin/env bash
# On the GPU machine (16 cores, CUDA PyTorch, no Node), from the repo root with .devkit/ carried
# (scripts/device/makeKit.sh): unpacks Node, Dawn, sharp and the Vulkan loader, then runs the parts named as
# arguments (default: check bench cores, the most wanted first), each under its own time limit so that one call
# of 600 s ends in time (what was written to $OUT comes back even if the call is cut):
#   check  the learning check: the built-in demo data, the same 3 epochs on webgpu (the real GPU) and on wasm;
#          the per-epoch loss of both side by side (check.txt; the runs' JSON lines in check-*.jsonl)
#   cores  the step over core counts, portable engine vs PyTorch (issue 18): bench.js --threads 1,2,4,8,16
#   bench  the whole bench, WebGPU's epoch on the GPU against PyTorch CUDA included (its last lines)
# Output goes to $OUT (machine.txt, check.txt, check-{webgpu,wasm}.jsonl, scaling.txt, bench.txt) as it is written. THREADS, CHECK_EPOCHS
# and BENCH_ARGS override.
set -uo pipefail
cd "$(dirname "$0")/../.."
kit=.devkit
out=${OUT:-/tmp/device-out}
mkdir -p "$out"
unpack() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }
unpack "$kit/node.xz" /tmp/node && chmod +x /tmp/node
unpack "$kit/node_modules/webgpu/dist/linux-x64/dawn.node.xz" "$kit/node_modules/webgpu/dist/linux-x64/dawn.node"
python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$kit/node_modules.tar.xz" "$kit/node_modules"
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
  ls /dev/dri /dev/nvidia* 2>&1 | head -4
} 2>&1 | tee "$out/machine.txt"

check() {
  for backend in webgpu wasm; do
    timeout 100 /tmp/node "$kit/dist/trainer/main.js" train --epochs "${CHECK_EPOCHS:-3}" --backend "$backend" --out "/tmp/check-$backend" --json > "$out/check-$backend.jsonl" 2> "/tmp/check-$backend.err"
    echo "$backend: exit $?; its stderr ends:"
    tail -5 "/tmp/check-$backend.err"
  done
  python3 - "$out" <<'PY'
import json, sys
rows = {}
for backend in ("webgpu", "wasm"):
    for line in open(f"{sys.argv[1]}/check-{backend}.jsonl"):
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if m.get("type") == "backend":
            print(f"{backend}: {m['detail']}")
        if m.get("type") == "epoch-end":
            rows.setdefault(m["epoch"], {})[backend] = m["logs"]
        if m.get("type") == "done":
            print(f"{backend}: done {m['status']} in {m.get('seconds', 0):.1f} s")
for epoch in sorted(rows):
    cells = [f"{b} loss {rows[epoch][b]['loss']:.6f} val_loss {rows[epoch][b]['val_loss']:.6f} val_acc {rows[epoch][b]['val_accuracy']:.3f}" for b in ("webgpu", "wasm") if b in rows[epoch]]
    print(f"epoch {epoch}: " + " | ".join(cells))
PY
}

for part in "${@:-check bench cores}"; do
  for p in $part; do
    case "$p" in
      check) check 2>&1 | tee "$out/check.txt" ;;
      cores) timeout 170 /tmp/node "$kit/dist/trainer/bench.js" --threads "${THREADS:-1,2,4,8,16}" 2>&1 | tee "$out/scaling.txt" ;;
      bench) timeout 200 /tmp/node "$kit/dist/trainer/bench.js" ${BENCH_ARGS:-} 2>&1 | tee "$out/bench.txt" ;;
      *) echo "unknown part: $p (check, cores, bench)" ;;
    esac
  done
done
