// Builds every bundle of the project. Usage: node esbuild.mjs [--watch] [--minify]
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** Native add-ons (sharp, Dawn's `webgpu`) and optional native TensorFlow stay outside the bundles. */
// h5wasm is an ES module with its WebAssembly inside (import.meta.url): loaded by dynamic import, shipped in node_modules.
const NODE_EXTERNALS = ['sharp', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'h5wasm', 'h5wasm/node'];

/** @type {esbuild.BuildOptions} */
const trainer = {
  entryPoints: {
    main: 'src/trainer/main.ts',
    trainingWorker: 'src/trainer/engine/trainingWorker.ts',
    bench: 'src/trainer/bench/bench.ts',
  },
  outdir: 'dist/trainer',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // One copy of tfjs-core: take every @tensorflow package's ES module build.
  mainFields: ['module', 'main'],
  external: NODE_EXTERNALS,
  define: { TRAINER_VERSION: JSON.stringify(pkg.version) },
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: true,
  minify,
  logLevel: 'warning',
  // tfjs' ES builds carry source maps pointing at files that are not shipped.
  logOverride: { 'unsupported-dynamic-import': 'silent' },
};

/** The extension host: Node, no DOM; `vscode` is provided by the editor. */
/** @type {esbuild.BuildOptions} */
const extension = {
  entryPoints: { extension: 'src/extension/extension.ts' },
  outdir: 'dist/extension',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: true,
  minify,
  logLevel: 'warning',
};

/** The training panel: DOM, no Node. Strict CSP (no eval): plain bundled script and CSS. */
/** @type {esbuild.BuildOptions} */
const webview = {
  entryPoints: { panel: 'webview-ui/main.ts' },
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: true,
  minify,
  logLevel: 'warning',
};

/** The wasm backend loads its .wasm binaries from beside the bundle. */
function copyWasmBinaries() {
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  mkdirSync('dist/trainer', { recursive: true });
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(join(wasmDir, file), join('dist/trainer', file));
  }
}

// Bundles whose entry point exists (the extension and the panel arrive in later steps).
const configs = [trainer, extension, webview].filter((c) => Object.values(c.entryPoints).every((e) => existsSync(e)));
copyWasmBinaries();
copyFileSync('src/trainer/bench/pytorch_step.py', 'dist/trainer/pytorch_step.py');
if (watch) {
  for (const config of configs) await (await esbuild.context(config)).watch();
  console.error('esbuild: watching for changes');
} else {
  await Promise.all(configs.map((config) => esbuild.build(config)));
}
