#!/usr/bin/env bash
# Countdown experiments on the lent machine's CPU cores (its GPU is not used): many one-thread `tinyseek` runs
# side by side, one per core, each its own process under `timeout`.
#   here:  bash bench/countdown/device.sh build [BASE_DIR...]   bundles the CLI into .device/cd/cli.mjs (the lent
#          machine has no Node: .device/node.xz is carried beside it) and copies each base's config and weights
#          into .device/cd/bases/NAME
#   there: bash .device/cd/device.sh run JOBS                    JOBS: one run a line, "NAME tinyseek-args...";
#          each run writes NAME/ (its run directory) and NAME.log, P jobs at a time (default: cores), each stopped
#          after T seconds (default 540); then all of them are packed into $OUT/cd.tgz (the lent machine returns
#          at most 8 files)
set -euo pipefail
case "${1:-}" in
  build)
    shift
    cd "$(dirname "$0")/../.."
    D=.device/cd
    mkdir -p $D/bases
    printf "import { main } from '../../src/cli/main.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n" > $D/entry.ts
    printf "export default { connectToDevTools() {}, initialize() {} };\n" > $D/no-devtools.mjs
    # ink's optional devtools hook is replaced by a no-op; `require` is given back to the bundled CommonJS parts
    npx esbuild $D/entry.ts --bundle --platform=node --format=esm --target=node20 --external:webgpu \
      --alias:react-devtools-core=./$D/no-devtools.mjs --outfile=$D/cli.mjs --log-level=warning \
      --banner:js="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"
    cp bench/countdown/device.sh $D/
    for b in "$@"; do
      mkdir -p $D/bases/"$(basename "$b")"
      cp "$b"/config.json "$b"/model.safetensors $D/bases/"$(basename "$b")"/
    done
    [ -f .device/node.xz ] || xz -T1 -c "$(command -v node)" > .device/node.xz
    du -sh $D .device/node.xz
    ;;
  run)
    D=$(dirname "$0")
    OUT=${OUT:-/tmp/cd-out}
    W=/tmp/cd-runs
    mkdir -p "$OUT" $W
    [ -x /tmp/node-cd ] || { xz -dc "${NODE_XZ:-$D/../node.xz}" > /tmp/node-cd && chmod +x /tmp/node-cd; }
    export D W TINYSEEK_THREADS=1
    one() {
      local name=$1
      shift
      timeout "${T:-540}" /tmp/node-cd --max-semi-space-size=64 "$D/cli.mjs" "$@" --out "$W/$name" > "$W/$name.log" 2>&1 ||
        echo "exit $?" >> "$W/$name.log"
    }
    export -f one
    grep -v '^\s*\(#\|$\)' "$2" | xargs -P "${P:-$(nproc)}" -L 1 bash -c 'one "$@"' _
    tar -czf "$OUT/cd.tgz" -C $W .
    ;;
  *)
    echo "usage: bench/countdown/device.sh build [BASE_DIR...] | run JOBS" >&2
    exit 2
    ;;
esac
