#!/usr/bin/env bash
# Prepare the device folder (git-ignored, ≤ 64 MiB) for the lent GPU machine, which has no Node and no Vulkan
# loader: the bench bundled into one file, the run scripts, a node binary, the webgpu package's linux-x64
# build, and the Vulkan loader plus GL dispatch libraries from Debian packages (shared/WEBGPU.md says why all
# of them). DEST (default .device) is where it goes, e.g. a folder of the checkout the device copies;
# NODE_XZ (default $DEST/node.xz) is the xz'd node binary, made from this machine's node when missing.
# NM=<file>: instead of the webgpu package alone, pack node_modules (vitest, the compiler and the webgpu linux-x64
# build included, the formatter left out) and this machine's npm into that .tar.xz, so `run.sh suite` can run the
# whole test suite there (the package test runs `npm pack`, whose prepack runs tsc); run.sh unpacks it into the
# checkout, where the bundled bench finds webgpu too.
set -euo pipefail
cd "$(dirname "$0")/../.."
D=${DEST:-.device}
NODE_XZ=${NODE_XZ:-$D/node.xz}
mkdir -p $D
npx esbuild bench/gpu/bench.ts --bundle --platform=node --format=esm --target=node20 --external:webgpu \
  --outfile=$D/bench.mjs --log-level=warning
cp bench/gpu/run.sh bench/gpu/torch_cuda.py $D/
if [ -n "${NM:-}" ]; then
  rm -rf $D/node_modules
  x=node_modules
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  tar --exclude=$x/prettier --exclude=$x/.cache --exclude="$x/lightningcss*" \
    --exclude=$x/webgpu/dist/darwin-universal --exclude="$x/webgpu/dist/win32-*" --exclude=$x/webgpu/dist/linux-arm64 \
    -cf - node_modules -C "$(dirname "$npm_dir")" --transform 's,^npm,.device-npm,' npm | xz -T2 -7 > "$NM"
else
  mkdir -p $D/node_modules/webgpu/dist
  cp node_modules/webgpu/index.js node_modules/webgpu/package.json $D/node_modules/webgpu/
  rm -rf $D/node_modules/webgpu/dist/linux-x64 && cp -r node_modules/webgpu/dist/linux-x64 $D/node_modules/webgpu/dist/
fi
[ -f "$NODE_XZ" ] || xz -T1 -c "$(command -v node)" > "$NODE_XZ"
if [ ! -d $D/vk ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 > /dev/null)
  for f in "$tmp"/*.deb; do dpkg -x "$f" $D/vk; done
  rm -rf "$tmp"
fi
du -sh $D
