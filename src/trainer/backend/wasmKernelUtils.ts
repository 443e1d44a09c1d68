/**
 * Helpers shared by this project's wasm kernels (./wasmTrainingKernels.ts). Nothing runs at import.
 *
 * - `runWasmKernel`: calls the currently registered wasm kernel of a name directly, on backend-level
 *   TensorInfos (the engine does not track them: the caller frees them with `backend.disposeData`).
 * - `replaceWasmKernel` / `runBuiltinWasmKernel`: swap a built-in wasm kernel for ours while keeping
 *   the built-in one callable (for the cases ours hands back). A built-in wasm kernel binds its C++
 *   function in a `setupFunc` that the engine runs only when the backend initialises, and only for
 *   kernels registered at that moment; so if ours was registered before the backend started, the
 *   built-in setup never ran. `runBuiltinWasmKernel` therefore runs the saved `setupFunc` itself,
 *   once per backend instance, before the first call (a setup is just `cwrap`, safe to repeat).
 * - `heapF32` / `heapIndex`: a tensor's data on the wasm heap, for JS loops and the SIMD module.
 * - `heapView` / `releaseHeapView`: a tensor aliasing part of another's memory (no copy).
 */
import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Runs the registered wasm kernel `name` (ours or built-in) directly. */
export function runWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (kernel === undefined) {
    throw new Error(`The wasm '${name}' kernel is not registered.`);
  }
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

const builtins = new Map<string, KernelConfig>();
const setUpFor = new WeakMap<object, Set<string>>();

/**
 * Registers `kernelFunc` as the wasm kernel `name`, keeping the previously registered (built-in)
 * kernel for `runBuiltinWasmKernel`. Idempotent: a second call with the same function does nothing.
 */
export function replaceWasmKernel(name: string, kernelFunc: KernelFunc): void {
  const existing = getKernel(name, 'wasm');
  if (existing?.kernelFunc === kernelFunc) return;
  if (existing !== undefined) {
    if (!builtins.has(name)) builtins.set(name, existing);
    unregisterKernel(name, 'wasm');
  }
  registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
}

/** Whether `replaceWasmKernel` found (and kept) a built-in kernel of this name. */
export function hasBuiltinWasmKernel(name: string): boolean {
  return builtins.has(name);
}

/** Calls the built-in wasm kernel that `replaceWasmKernel` replaced, running its setup first if needed. */
export function runBuiltinWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
): TensorInfo {
  const config = builtins.get(name);
  if (config === undefined) {
    throw new Error(`No built-in wasm '${name}' kernel was kept to fall back on.`);
  }
  let done = setUpFor.get(backend);
  if (done === undefined) {
    done = new Set();
    setUpFor.set(backend, done);
  }
  if (!done.has(name)) {
    config.setupFunc?.(backend);
    done.add(name);
  }
  return config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/** The wasm heap as float32. Fetch it again after any allocation or kernel call (memory may grow). */
export function heapF32(backend: BackendWasm): Float32Array {
  // The Emscripten module replaces HEAPF32 whenever the memory grows; its typings omit it.
  return (backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32;
}

/** Index (in float32 elements) of a tensor's first element in `heapF32(backend)`. */
export function heapIndex(backend: BackendWasm, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined || data.memoryOffset == null) {
    throw new Error('heapIndex: the tensor has no data on the wasm heap.');
  }
  return data.memoryOffset / 4;
}

/**
 * A float32 tensor of `shape` aliasing `base`'s memory from element `elementOffset` on, without a
 * copy (the wasm kernels read it by id like any tensor). It must NOT be freed with
 * `backend.disposeData` (that would free an interior pointer): release it with `releaseHeapView`,
 * before `base` is freed. The caller ensures the view stays inside memory it may read.
 */
export function heapView(backend: BackendWasm, base: TensorInfo, elementOffset: number, shape: number[]): TensorInfo {
  if (base.dtype !== 'float32') throw new Error('heapView: float32 tensors only.');
  return backend.makeOutput(shape, 'float32', (heapIndex(backend, base) + elementOffset) * 4);
}

/** Forgets a view made by `heapView` (C++ side too, dropping any XNNPACK operator cached on it). */
export function releaseHeapView(backend: BackendWasm, view: TensorInfo): void {
  const data = backend.dataIdMap.get(view.dataId);
  if (data === undefined) return;
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(view.dataId);
}

type ConvInfoArgs = Parameters<typeof backend_util.computeConv2DInfo>;

/** tfjs' conv geometry for an NHWC, non-depthwise 2-D convolution (what every conv kernel here needs). */
export function nhwcConv2DInfo(options: {
  xShape: readonly number[];
  filterShape: readonly number[];
  strides: ConvInfoArgs[2];
  dilations: ConvInfoArgs[3];
  pad: ConvInfoArgs[4];
  dimRoundingMode: ConvInfoArgs[5];
}): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    options.xShape as [number, number, number, number],
    options.filterShape as [number, number, number, number],
    options.strides,
    options.dilations,
    options.pad,
    options.dimRoundingMode,
    false /* depthwise */,
    'channelsLast',
  );
}
