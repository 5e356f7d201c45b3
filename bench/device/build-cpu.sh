#!/usr/bin/env bash
# Bundle the CPU bench for a machine with no Node toolchain (the lent device): one ESM file for the bench,
# one per worker thread (and the matmul ceiling's busy thread), and a bootstrap that starts a worker on its
# bundled .mjs instead of the .ts source (the kernels find their workers relative to the bundle:
# ./worker-bootstrap.mjs and ../worker-bootstrap.mjs).
# The launcher run.mjs imports the bundle, so that no bundled module's main-guard fires (they all share the
# bundle's import.meta.url, which is then not the script node was started on).
# Usage: bench/device/build-cpu.sh OUT_DIR   (then: SECTION=matmul|model|arch|rl node OUT_DIR/run.mjs)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:?usage: build-cpu.sh OUT_DIR}
mkdir -p "$OUT/x/peer"
opts=(--bundle --platform=node --format=esm --target=node20 --external:webgpu --log-level=warning)
npx esbuild bench/device/cpu-entry.ts "${opts[@]}" --outfile="$OUT/x/bench.mjs"
npx esbuild src/backend/cpu/simd/simd-worker.ts "${opts[@]}" --outfile="$OUT/x/simd-worker.mjs"
npx esbuild src/backend/cpu/matmul-worker.ts "${opts[@]}" --outfile="$OUT/x/matmul-worker.mjs"
npx esbuild bench/matmul-busy.ts "${opts[@]}" --outfile="$OUT/x/matmul-busy.mjs"
boot="import { workerData } from 'node:worker_threads';
await import(workerData.entry.replace(/\\.ts\$/, '.mjs'));"
echo "$boot" > "$OUT/worker-bootstrap.mjs"
echo "$boot" > "$OUT/x/worker-bootstrap.mjs"
# the matmul section's two-thread ceiling starts its busy thread through ../src/backend/cpu/ from bench/
mkdir -p "$OUT/src/backend/cpu" && echo "$boot" > "$OUT/src/backend/cpu/worker-bootstrap.mjs"
echo "await import('./x/bench.mjs');" > "$OUT/run.mjs"
cp bench/peer/torch_bench.py "$OUT/x/peer/"
du -sh "$OUT"
