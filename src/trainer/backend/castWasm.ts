/**
 * `Cast` for the tfjs wasm backend:
 * - to the dtype the tensor already has: shares its data (see ./identityWasm.ts) instead of copying
 *   it, as the built-in kernel does. The relu gradient, `dy * cast(step(x), 'float32')`, casts a
 *   float32 tensor the size of the activation each step.
 * - numbers to bool: x != 0 (NaN is true), like the cpu backend; the built-in kernel copies the
 *   numbers into bytes (1.7 -> 1 but -2.2 -> 254, 0.4 -> 0).
 * - everything else goes to the built-in kernel.
 * Registered by `registerWasmTrainingKernels()`.
 */
import { Cast, type CastAttrs, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { aliasOf } from './identityWasm';
import { runBuiltinWasmKernel } from './wasmKernelUtils';

export interface CastArgs {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: CastAttrs;
}

export function castWasm({ inputs, backend, attrs }: CastArgs): TensorInfo {
  const { x } = inputs;
  if (attrs.dtype === x.dtype && x.dtype !== 'string' && x.dtype !== 'complex64') return aliasOf(x, backend);
  if (attrs.dtype === 'bool' && (x.dtype === 'float32' || x.dtype === 'int32')) {
    const out = backend.makeOutput(x.shape, 'bool');
    // Views after the allocation (makeOutput may grow the wasm memory and detach older views).
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
    return out;
  }
  return runBuiltinWasmKernel(Cast, backend, inputs, attrs as unknown as NamedAttrMap);
}
