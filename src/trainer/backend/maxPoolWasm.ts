/**
 * `MaxPool` for the tfjs wasm backend: 2x2 windows of stride 2 inside the input (the model's
 * pooling), float32 with channels a multiple of 4, by a straight-line wasm SIMD loop
 * (./wasmSimdModule.ts `maxPool2x2`), ~20% faster than the built-in (XNNPACK) kernel on the
 * model's layers (it is memory-bound); every other case goes to the built-in kernel. Registered by
 * `registerWasmTrainingKernels()` in ./wasmTrainingKernels.ts.
 *
 * Values are the cpu backend's: the first strict maximum from -Infinity, so NaN pixels are
 * skipped and a window of only NaN gives -Infinity (as ./maxPoolGradWasm.ts routes gradients).
 */
import { backend_util, MaxPool, util, type MaxPoolAttrs, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapIndex, runBuiltinWasmKernel } from './wasmKernelUtils';
import { simdKernels } from './wasmSimdModule';

export interface MaxPoolArgs {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolAttrs;
}

/** `strategy: 'xnnpack'` hands every call to the built-in kernel (tests, benchmarks). */
export const maxPoolTuning = { strategy: 'auto' as 'auto' | 'xnnpack' };

export function maxPoolWasm({ inputs, backend, attrs }: MaxPoolArgs): TensorInfo {
  const { x } = inputs;
  if (maxPoolTuning.strategy === 'auto' && x.dtype === 'float32' && x.shape.length === 4) {
    const info = backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1 /* dilations */,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const fits =
      info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2 &&
      info.padInfo.top === 0 && info.padInfo.left === 0 &&
      2 * info.outHeight <= info.inHeight && 2 * info.outWidth <= info.inWidth &&
      info.inChannels % 4 === 0;
    const simd = fits ? simdKernels(backend) : undefined;
    if (simd !== undefined) {
      const out = backend.makeOutput(info.outShape, 'float32');
      if (util.sizeFromShape(info.outShape) > 0) {
        simd.maxPool2x2(
          heapIndex(backend, x) * 4, heapIndex(backend, out) * 4,
          info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
        );
      }
      return out;
    }
  }
  return runBuiltinWasmKernel(MaxPool, backend, inputs, attrs as unknown as NamedAttrMap);
}
