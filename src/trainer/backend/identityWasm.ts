/**
 * `Identity` for the tfjs wasm backend without a copy. The engine clones (runs Identity on) every
 * tensor it saves for the backward pass, and the built-in wasm Identity copies the data: about
 * 3% of a training step of the book's convnet. Tensors are immutable in tfjs (no kernel writes
 * into an input; a Variable's `assign` swaps its data id), so the clone can share the data, with
 * one more reference on it, exactly like the wasm Reshape kernel and the cpu backend's Identity.
 * Strings go to the built-in kernel. Registered by `registerWasmTrainingKernels()`.
 */
import { Identity, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runBuiltinWasmKernel } from './wasmKernelUtils';

export interface IdentityArgs {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs?: NamedAttrMap;
}

export function identityWasm({ inputs, backend }: IdentityArgs): TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return runBuiltinWasmKernel(Identity, backend, inputs, {});
  return aliasOf(x, backend);
}

/** A TensorInfo sharing `x`'s data (its backend reference count goes up by one). */
export function aliasOf(x: TensorInfo, backend: BackendWasm): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}
