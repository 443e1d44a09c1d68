/**
 * Kernels the tfjs wasm backend (4.22.0) lacks, or gets wrong, for training. Importing this module
 * does nothing; call `registerWasmTrainingKernels()` (idempotent) after importing
 * '@tensorflow/tfjs-backend-wasm' and before computing gradients on the 'wasm' backend.
 *
 * - Conv2DBackpropFilter: missing in wasm; see ./conv2dBackpropFilterWasm.ts.
 * - MaxPoolGrad: the built-in wasm kernel starts its running maximum at
 *   `std::numeric_limits<float>::min()` (the smallest *positive* float, not the lowest), so in any
 *   window whose maximum is <= 0 the gradient is lost or sent to the wrong pixel. Replaced by a
 *   plain-JS kernel with the cpu backend's semantics (first maximum wins, -Infinity start).
 */
import {
  backend_util,
  Conv2DBackpropFilter,
  getKernel,
  MaxPoolGrad,
  registerKernel,
  unregisterKernel,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterWasm } from './conv2dBackpropFilterWasm';

export function registerWasmTrainingKernels(): void {
  if (getKernel(Conv2DBackpropFilter, 'wasm') === undefined) {
    registerKernel({
      kernelName: Conv2DBackpropFilter,
      backendName: 'wasm',
      kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
    });
  }
  const maxPoolGradKernel = maxPoolGradWasm as unknown as KernelFunc;
  const existing = getKernel(MaxPoolGrad, 'wasm');
  if (existing?.kernelFunc !== maxPoolGradKernel) {
    if (existing !== undefined) unregisterKernel(MaxPoolGrad, 'wasm');
    registerKernel({ kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGradKernel });
  }
}

interface MaxPoolGradArgs {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
}

/** dx of maxPool (NHWC): each dy value goes to the first maximum of its window, as on cpu. */
function maxPoolGradWasm({ inputs, backend, attrs }: MaxPoolGradArgs): TensorInfo {
  const { dy, input } = inputs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`MaxPoolGrad on the wasm backend needs float32 tensors, got ${input.dtype} and ${dy.dtype}.`);
  }
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1 /* dilations */,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;

  // Allocate first: makeOutput may grow the wasm memory, detaching earlier heap views.
  const out = backend.makeOutput(input.shape, 'float32');
  const x = backend.typedArrayFromHeap(input);
  const dyv = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);

  const best = new Float32Array(channels);
  const bestAt = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padTop;
      const hStart = Math.max(0, h0);
      const hEnd = Math.min(inHeight, h0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padLeft;
        const wStart = Math.max(0, w0);
        const wEnd = Math.min(inWidth, w0 + filterWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        bestAt.fill(-1);
        for (let h = hStart; h < hEnd; h++) {
          for (let w = wStart; w < wEnd; w++) {
            const off = ((b * inHeight + h) * inWidth + w) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[off + c];
              if (v > best[c]) {
                best[c] = v;
                bestAt[c] = off + c;
              }
            }
          }
        }
        const dyOff = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          if (bestAt[c] >= 0) dx[bestAt[c]] += dyv[dyOff + c];
        }
      }
    }
  }
  return out;
}
