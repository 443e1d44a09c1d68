#!/usr/bin/env bash
# Packs what `scripts/device/bench.sh` needs on a machine that has no Node, no npm registry and no checkout's
# node_modules (the GPU machine lent through the `device` tool): .devkit/ (ignored by git, ~45 MB) holds this
# machine's node binary and Dawn's dawn.node (xz), the built trainer bundles, the webgpu package's loader, sharp
# with its libvips (tar.xz) and the Vulkan loader's .deb. Run it here, then on the device: carry [".devkit"],
# command `bash scripts/device/bench.sh` (timeout_s 600).
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.devkit/' .git/info/exclude 2>/dev/null || echo '/.devkit/' >> .git/info/exclude
node esbuild.mjs
rm -rf .devkit
mkdir -p .devkit/dist/trainer .devkit/node_modules/webgpu/dist/linux-x64 .devkit/gl .devkit/apt/partial
cp dist/trainer/bench.js dist/trainer/main.js dist/trainer/trainingWorker.js dist/trainer/*.wasm dist/trainer/pytorch_step.py .devkit/dist/trainer/
# sharp (the trainer's image decoder, for the learning check) with its linux-x64 libvips, and its dependencies.
tar -C node_modules -cJf .devkit/node_modules.tar.xz sharp @img/colour @img/sharp-linux-x64 @img/sharp-libvips-linux-x64 detect-libc semver
cp node_modules/webgpu/package.json node_modules/webgpu/index.js .devkit/node_modules/webgpu/
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > .devkit/node_modules/webgpu/dist/linux-x64/dawn.node.xz
xz -T0 -6 -c "$(command -v node)" > .devkit/node.xz
apt_options=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$PWD/.devkit/apt")
apt-get "${apt_options[@]}" update -qq
(cd .devkit/gl && apt-get "${apt_options[@]}" download -qq libvulkan1)
rm -rf .devkit/apt
git rev-parse HEAD > .devkit/commit
du -sh .devkit
