#!/usr/bin/env bash
# The H200 benchmark, run on the lent machine through `device` (bench/gpu/RESULTS.md says how and what it measured):
#   bash bench/gpu/build.sh here, then run `bash .device/run.sh [all|final|short|suite|tiles|peak|toggles|aha]` there with .device/ carried
#   (D names another device folder, NODE_XZ another node binary, NM the node_modules tarball for `suite`).
# Each measurement runs in its own process under `timeout` and appends one JSON line to $OUT/results.jsonl.
set -u
D=${D:-.device}
NODE_XZ=${NODE_XZ:-$D/node.xz}
OUT=${OUT:-/tmp/gpu-bench}
mkdir -p "$OUT"
xz -dc "$NODE_XZ" > /tmp/node && chmod +x /tmp/node
export LD_LIBRARY_PATH=$PWD/$D/vk/usr/lib/x86_64-linux-gnu:/usr/local/nvidia/lib64
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export TINYSEEK_THREADS=1 OUT
# node_modules packed by build.sh's NM (for the suite; the bench finds webgpu there too)
# (a warm machine keeps the ignored node_modules and .device-npm of an earlier call: each is unpacked if missing)
if [ -n "${NM:-}" ]; then
  [ -d node_modules ] || tar -xJf "$NM" node_modules
  [ -d .device-npm ] || tar -xJf "$NM" .device-npm
fi
# npm (packed beside node_modules by build.sh's NM) on PATH as /tmp/bin/npm, for the package test's `npm pack`
if [ -d .device-npm ]; then
  mkdir -p /tmp/bin && printf '#!/bin/sh\nexec /tmp/node %s/.device-npm/bin/npm-cli.js "$@"\n' "$PWD" > /tmp/bin/npm
  chmod +x /tmp/bin/npm
fi
R=$OUT/results.jsonl
b() {
  local t=${T:-120}
  timeout "$t" /tmp/node $D/bench.mjs "$@" >> "$R" 2>> "$OUT/stderr.log" || echo "{\"kind\":\"crash\",\"args\":\"$*\",\"rc\":$?}" >> "$R"
  tail -1 "$R"
}
case "${1:-all}" in
  all)
    # the whole measurement in one run (the RESULTS.md tables), most important first: fp32 at 4096 (the
    # backend's choice, with Dawn's bounds clamps, the loop and tile variants of `tiles`), f16 tiles, the d=512 step and its
    # profile, parity, the other sizes and configs, PyTorch, then the aha run on both backends side by side
    b info
    b matmul 4096 auto; TINYSEEK_DAWN_DISABLE=disable_robustness b matmul 4096 auto
    for t in 128,128,8,8,8,a,u 128,128,8,8,8,a,c 128,128,8,8,8,a,uc 128,64,8,8,8,a 64,128,8,8,8,a \
      256,128,8,16,8,a 128,256,8,8,16,a; do b matmul 4096 $t; done
    for t in direct staged shared; do T=45 b f16 4096 $t; done
    T=60 b train d=512
    T=60 b profile d=512
    b parity
    for l in nt tn; do b matmul 4096 auto $l; done
    for n in 512 1024 2048; do b matmul $n auto; done
    for n in 1024 2048; do b f16 $n shared; done
    for c in lesson d=128; do T=60 b train $c; done
    timeout 120 python3 "$(dirname "$0")/torch_cuda.py" > "$OUT/torch.json" 2>> "$OUT/stderr.log"; cat "$OUT/torch.json"
    (TINYSEEK_BACKEND=cpu T=${AHA_S:-100} b aha > /dev/null) &
    TINYSEEK_BACKEND=webgpu T=${AHA_S:-100} b aha | cut -c1-300
    wait
    ;;
  final)
    # the issue's rows and the test suite in one run, for a lease of about six minutes, most important first (a
    # run cut short keeps what it measured): fp32 and f16 at 4096, the d=512 step, PyTorch, the suite (needs
    # NM), fp32 again (the machine's drift), parity, the small configs, the aha run on both backends
    b info
    T=40 b matmul 4096 auto
    for t in shared staged; do T=40 b f16 4096 $t; done
    T=50 b train d=512
    timeout 120 python3 "$(dirname "$0")/torch_cuda.py" > "$OUT/torch.json" 2>> "$OUT/stderr.log"; cat "$OUT/torch.json"
    PATH=/tmp/bin:/tmp:$PATH REQUIRE_WEBGPU=1 TINYSEEK_THREADS=2 timeout ${SUITE_S:-150} /tmp/node node_modules/vitest/vitest.mjs run \
      --reporter=dot 2>&1 | tee "$OUT/suite.log" | tail -15
    T=40 b matmul 4096 auto
    b parity
    for c in lesson d=128; do REPS=100 T=60 b train $c; done # 100 steps: five of 10 ms are too few to time
    (TINYSEEK_BACKEND=cpu T=${AHA_S:-100} b aha > /dev/null) &
    TINYSEEK_BACKEND=webgpu T=${AHA_S:-100} b aha | cut -c1-300
    wait
    ;;
  short)
    # the headline rows of `all` for a lease of a few minutes: fp32 at 4096 (the backend's choice), the f16
    # staged tiles, the d=512 step, the aha run on WebGPU
    b matmul 4096 auto
    for t in staged shared; do T=35 b f16 4096 $t; done
    T=50 b train d=512
    TINYSEEK_BACKEND=webgpu T=${AHA_S:-70} b aha | cut -c1-300
    ;;
  suite)
    # the test suite on this GPU (needs NM): every test file, the parity suite required to find the adapter
    PATH=/tmp/bin:/tmp:$PATH REQUIRE_WEBGPU=1 TINYSEEK_THREADS=2 timeout ${T:-420} /tmp/node node_modules/vitest/vitest.mjs run \
      --reporter=dot 2>&1 | tee "$OUT/suite.log" | tail -40
    ;;
  tiles)
    # fp32 at 4096: smaller thread tiles for more workgroups per SM (if the 8×8 tile's registers hold the SM to one
    # workgroup, its barriers stall the whole SM): 128×64 and 64×128 tiles with 8×4 / 4×8 per thread and 64×64
    # with 4×4 (256 threads each, A row-major `a` or k-major `v`), the backend's tile (A k-major since run 36) and its
    # row-major form, `auto` first and last to see the machine's drift. (Run 13's `tiles`: A row-major / k-major / k-major by register
    # transpose, alternated; run 10's: fp32 block groups, f16 subgroup layouts; run 11's `final`: two slabs per
    # iteration, a branch-free fetch, 128×64, 256×128 and 128×256 tiles; run 12's, on an H100: threads placed in
    # 4×8 patches per warp; none gained, all removed.)
    nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.max.sm,power.draw,temperature.gpu --format=csv -lms 250 \
      > "$OUT/smi.csv" 2>/dev/null &
    # TILES names another list, e.g. run 39's head-to-head on the H200: "auto 128,128,8,8,8,a" three times over.
    for t in ${TILES:-auto 128,128,8,8,8,a 128,64,8,8,4,a 128,64,8,8,4,v 64,128,8,4,8,v 64,64,8,4,4,v auto}; do
      T=40 b matmul 4096 $t
    done
    kill %1 2>/dev/null
    ;;
  peak)
    # the fp32 rate with no memory traffic (bench.ts fmapeak: register-only FMAs) beside the GEMM at 4096³, alternated
    b info
    for r in 1 2 3; do T=40 b fmapeak; T=40 b matmul 4096 auto; done
    ;;
  toggles)
    # what Dawn's safety costs (robustness clamps, validation, workgroup zeroing, lazy clears), with the fp32
    # tile alternatives and a one-subgroup staged f16 tile (uniform offsets, no diagnostic switched off)
    F=disable_robustness,skip_validation,disable_workgroup_init
    b info
    for t in auto 128,128,16,8,8,v; do b matmul 4096 $t; TINYSEEK_DAWN_ENABLE=$F b matmul 4096 $t; done
    TINYSEEK_DAWN_ENABLE=disable_robustness b matmul 4096 auto
    T=60 b train d=512
    TINYSEEK_DAWN_ENABLE=skip_validation T=60 b train d=512
    TINYSEEK_DAWN_ENABLE=$F TINYSEEK_DAWN_DISABLE=lazy_clear_resource_on_first_use T=60 b train d=512
    T=60 b profile d=512
    for t in direct 4,4,s,32 4,4,s,16 2,4,d,16; do T=30 b f16 4096 $t; done
    TINYSEEK_DAWN_ENABLE=$F T=30 b f16 4096 direct
    T=60 b parity
    ;;
  aha)
    # the training steps again (after a kernel change), then the aha run on both backends side by side
    for c in lesson d=128 d=512; do T=120 b train $c; done
    (TINYSEEK_BACKEND=cpu T=${AHA_S:-400} b aha > /dev/null) &
    TINYSEEK_BACKEND=webgpu T=${AHA_S:-400} b aha
    wait
    ;;
  *) echo "modes: all | final | short | suite | tiles | peak | toggles | aha" >&2; exit 2 ;;
esac
