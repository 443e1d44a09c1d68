/**
 * Picks the TensorFlow.js backend: the fastest one that actually loads, or the one the user forces.
 * Order for `auto` (BACKEND_NAMES): native TensorFlow with CUDA, WebGPU on a real GPU (Dawn: Vulkan,
 * Metal or D3D12, see webgpu/openWebGpu.ts), native TensorFlow, WebAssembly (+ this project's training
 * kernels), pure JavaScript. Native TensorFlow is an optional peer dependency: its install downloads
 * libtensorflow, which many networks cannot reach, so its absence is normal and explained.
 */
import * as tf from '@tensorflow/tfjs-core';
// Importing the cpu and wasm packages registers their (lazily created) backends with tfjs-core.
import '@tensorflow/tfjs-backend-cpu';
// Gradients are registered by the tfjs union package only; this project imports the parts itself.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BACKEND_NAMES, type BackendName, type BackendRequest } from '../../shared/backends';
import { flagNote } from '../../shared/settingWords';
import { describeError, UserError } from '../util/errors';
import { registerWasmTrainingKernels } from './wasmTrainingKernels';
import { registerWebGpuTrainingKernels } from './webgpu/webgpuTrainingKernels';
import { openWebGpu, type OpenWebGpuOptions } from './webgpu/openWebGpu';

export type { BackendRequest } from '../../shared/backends';

export interface BackendChoice {
  backend: BackendName;
  detail: string;
  skipped: { backend: BackendName; reason: string }[];
}

const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};


/** Where the tfjs-backend-wasm .wasm binaries are: beside the bundle, or in node_modules. */
function findWasmDir(): string {
  if (existsSync(join(__dirname, 'tfjs-backend-wasm.wasm'))) return __dirname;
  const require = createRequire(__filename);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

/** Loads a native package if present; it registers the 'tensorflow' backend with tfjs-core. */
function loadNative(name: 'tensorflow-gpu' | 'tensorflow'): void {
  const packageName = NATIVE_PACKAGES[name];
  const require = createRequire(join(process.cwd(), 'noop.js'));
  const localRequire = createRequire(__filename);
  let resolved: string;
  try {
    resolved = localRequire.resolve(packageName);
  } catch {
    try {
      resolved = require.resolve(packageName);
    } catch {
      throw new Error(`${packageName} is not installed (optional, see README "Backends")`);
    }
  }
  try {
    localRequire(resolved);
  } catch (error) {
    const firstLine = describeError(error).split('\n')[0];
    throw new Error(`${packageName} is installed but does not load: ${firstLine}`);
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    throw new Error(`${packageName} loaded but registered no 'tensorflow' backend`);
  }
}

const CPU_EMULATION_NOTE = 'a CPU emulation of a GPU (for tests, not for speed)';

/** Whether a backend line is WebGPU on a CPU emulation (taken only when forced): its timings say nothing of a GPU. */
export function isCpuEmulation(choice: BackendChoice): boolean {
  return choice.backend === 'webgpu' && choice.detail.includes(CPU_EMULATION_NOTE);
}

/** Test seams: where to look for the Vulkan loader (see webgpu/vulkanLoader.ts) and which GPU device nodes exist. */
export interface SelectBackendOptions {
  webgpu?: Pick<OpenWebGpuOptions, 'loaderProbe' | 'platform' | 'gpuDevices'>;
}

async function tryBackend(name: BackendName, options: SelectBackendOptions & { forced: boolean }): Promise<string> {
  switch (name) {
    case 'webgpu': {
      const gpu = await openWebGpu({ ...options.webgpu, allowCpuEmulation: options.forced });
      registerWebGpuTrainingKernels(await import('@tensorflow/tfjs-backend-webgpu'));
      if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend failed to initialise on ${gpu.label}`);
      const emulated = gpu.cpuEmulation === null ? '' : `: ${gpu.cpuEmulation}, ${CPU_EMULATION_NOTE}`;
      return `WebGPU: ${gpu.label}${emulated}`;
    }
    case 'tensorflow-gpu':
    case 'tensorflow': {
      loadNative(name);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend failed to initialise');
      return `native TensorFlow via ${NATIVE_PACKAGES[name]}`;
    }
    case 'wasm': {
      setWasmPaths(findWasmDir() + '/');
      registerWasmTrainingKernels();
      if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly module failed to initialise');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      return `WebAssembly (XNNPACK${simd ? ', SIMD' : ''}) with Small Convnet's training kernels`;
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
      return 'pure JavaScript (slow: for checking results, not for training at 180 px)';
    }
  }
}

/**
 * Makes `request` the active backend. With 'auto' every faster backend that fails is listed in
 * `skipped` with its one-line reason; a forced backend that fails is a UserError.
 */
export async function selectBackend(request: BackendRequest, options: SelectBackendOptions = {}): Promise<BackendChoice> {
  // PROD silences tfjs' console advice (e.g. "install our node backend"), which stdout must not carry
  // and which this function's `skipped` list already explains.
  tf.env().set('PROD', true);
  const order = request === 'auto' ? BACKEND_NAMES : [request];
  const skipped: BackendChoice['skipped'] = [];
  for (const name of order) {
    try {
      const detail = await tryBackend(name, { ...options, forced: request !== 'auto' });
      await tf.ready();
      return { backend: name, detail, skipped };
    } catch (error) {
      skipped.push({ backend: name, reason: describeError(error) });
    }
  }
  const reasons = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  throw new UserError(
    'backend-unavailable',
    request === 'auto'
      ? `No TensorFlow.js backend could start (${reasons}).`
      : `The backend "${request}" ${flagNote('--backend')} is not available here: ${reasons}. Choose auto ${flagNote('--backend')} to take the fastest one that loads.`,
  );
}
