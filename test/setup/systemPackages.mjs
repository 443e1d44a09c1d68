// What the tests need from the system besides npm packages, installed when missing, so that `npm test` and
// `npm run test:e2e` pass on a fresh machine with nothing installed by hand.
// Usage: node test/setup/systemPackages.mjs unit|e2e
//   unit: chromium (the panel's browser tests drive Debian's Chromium; its SwiftShader, a Vulkan driver on the
//         CPU, runs the WebGPU tests), libvulkan1 (the Vulkan loader through which Dawn reaches SwiftShader), and
//         python3-onnx, python3-h5py, python3-torch (the independent readers of `export`'s files, test/export/);
//   e2e:  those, and what installing code-server needs (ripgrep, whose rg stands in for its download; libkrb5-dev
//         and libsecret-1-dev, python3, make and g++ for the native modules it builds).
// On Debian or Ubuntu as root, missing packages are installed with apt-get (as .ci/run did); otherwise the script
// prints the command to run and fails. SMALL_CONVNET_NO_INSTALL=1: only check. Other systems: see the README.
import { spawnSync } from 'node:child_process';

const UNIT = ['chromium', 'libvulkan1', 'python3-onnx', 'python3-h5py', 'python3-torch'];
const E2E = [...UNIT, 'ripgrep', 'libkrb5-dev', 'libsecret-1-dev', 'python3', 'make', 'g++'];

const tier = process.argv[2];
if (tier !== 'unit' && tier !== 'e2e') {
  console.error('usage: node test/setup/systemPackages.mjs unit|e2e');
  process.exit(2);
}
const wanted = tier === 'unit' ? UNIT : E2E;

const hasDpkg = spawnSync('dpkg', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasDpkg) {
  console.error(`test setup: not a Debian-like system, nothing installed. The tests need: ${wanted.join(', ')} (or your system's equivalents; see README "Set up on a fresh machine").`);
  process.exit(0);
}
const installed = (name) => {
  const result = spawnSync('dpkg-query', ['-W', '-f', '${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
};
const missing = wanted.filter((name) => !installed(name));
if (missing.length === 0) process.exit(0);

const command = `apt-get install -y ${missing.join(' ')}`;
if (process.env.SMALL_CONVNET_NO_INSTALL === '1' || process.getuid?.() !== 0) {
  console.error(`test setup: the ${tier} tests need these Debian packages, which are missing: ${missing.join(', ')}. Install them with:\n  sudo apt-get update && sudo ${command}`);
  process.exit(1);
}
console.error(`test setup: installing the Debian packages the ${tier} tests need: ${missing.join(', ')}`);
for (const args of [['update', '-q'], ['install', '-y', '-q', ...missing]]) {
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) {
    console.error(`test setup: apt-get ${args[0]} failed (exit ${result.status}); install by hand: ${command}`);
    process.exit(1);
  }
}
