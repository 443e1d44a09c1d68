// Packages the extension for one platform: `npm run package -- [--target linux-x64] [--out FILE]`.
// Builds the bundles, then runs vsce with .vscodeignore plus the one Dawn build (node_modules/webgpu/dist/<platform>/
// dawn.node, 20-50 MB each) that the target runs: the npm package holds every platform's, a .vsix needs one.
// The target defaults to this machine's (vsce's names: linux-x64, linux-arm64, darwin-arm64, darwin-x64, win32-x64, win32-arm64).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** vsce target -> the folder of node_modules/webgpu/dist that holds its dawn.node (one universal build for macOS). */
export const DAWN_BUILDS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

const { values } = parseArgs({ options: { target: { type: 'string' }, out: { type: 'string' } } });
const target = values.target ?? `${process.platform}-${process.arch}`;
const dawn = DAWN_BUILDS[target];
if (dawn === undefined) {
  console.error(`package: no WebGPU (Dawn) build for --target ${target}; one of: ${Object.keys(DAWN_BUILDS).join(', ')}`);
  process.exit(2);
}
if (!existsSync(join('node_modules', 'webgpu', 'dist', dawn))) {
  console.error(`package: node_modules/webgpu/dist/${dawn} is missing: run npm ci first`);
  process.exit(2);
}
const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

mkdirSync('dist', { recursive: true });
const ignoreFile = join('dist', `.vscodeignore-${target}`);
const webgpu = ['package.json', 'index.js', 'LICENSE.md', `dist/${dawn}/**`].map((path) => `!node_modules/webgpu/${path}`);
writeFileSync(ignoreFile, `${readFileSync('.vscodeignore', 'utf8').trimEnd()}\n# Dawn for ${target} only (scripts/package.mjs)\n${webgpu.join('\n')}\n`);

const out = values.out ?? `small-convnet-${target}.vsix`;
const vsce = join('node_modules', '@vscode', 'vsce', 'vsce');
const packed = spawnSync(process.execPath, [vsce, 'package', '--no-rewrite-relative-links', '--target', target, '--ignoreFile', ignoreFile, '--out', out], { stdio: 'inherit' });
process.exit(packed.status ?? 1);
