#!/usr/bin/env bash
# The H200 benchmark, run on the lent machine through `device` (see bench/gpu/README.md):
#   bash bench/gpu/build.sh here, then run `bash bench/gpu/run.sh [main|aha]` there with .device/ carried.
# Each measurement runs in its own process under `timeout` and appends one JSON line to $OUT/results.jsonl.
set -u
D=${D:-.device}
OUT=${OUT:-/tmp/gpu-bench}
mkdir -p "$OUT"
xz -dc $D/node.xz > /tmp/node && chmod +x /tmp/node
export LD_LIBRARY_PATH=$PWD/$D/vk/usr/lib/x86_64-linux-gnu:/usr/local/nvidia/lib64
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export TINYSEEK_THREADS=1 OUT
R=$OUT/results.jsonl
b() {
  local t=${T:-120}
  timeout "$t" /tmp/node $D/bench.mjs "$@" >> "$R" 2>> "$OUT/stderr.log" || echo "{\"kind\":\"crash\",\"args\":\"$*\",\"rc\":$?}" >> "$R"
  tail -1 "$R"
}
case "${1:-main}" in
  main)
    b info
    for n in 512 1024 2048 4096; do b matmul $n small; b matmul $n large; done
    for n in 1024 2048 4096; do b f16 $n; done
    b parity
    for c in lesson d=128 d=512; do T=180 b train $c; done
    timeout 200 python3 "$(dirname "$0")/torch_cuda.py" > "$OUT/torch.json" 2>> "$OUT/stderr.log"; cat "$OUT/torch.json"
    ;;
  final)
    for c in lesson d=128 d=512; do T=120 b train $c; done
    T=120 b profile d=512
    TINYSEEK_BACKEND=webgpu T=300 b aha
    b parity
    ;;
  profile)
    for c in d=512 lesson; do T=120 b profile $c; done
    for c in lesson d=128 d=512; do T=120 b train $c; done
    for n in 4096; do b matmul $n large; done
    ;;
  aha)
    # the training steps again (after a kernel change), then the aha run on both backends side by side
    for c in lesson d=128 d=512; do T=120 b train $c; done
    (TINYSEEK_BACKEND=cpu T=${AHA_S:-400} b aha > /dev/null) &
    TINYSEEK_BACKEND=webgpu T=${AHA_S:-400} b aha
    wait
    ;;
esac
