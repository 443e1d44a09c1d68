/**
 * `MaxPoolGrad` for the tfjs wasm backend, replacing the built-in one, which starts its running
 * maximum at `std::numeric_limits<float>::min()` (the smallest *positive* float, not the lowest):
 * in any window whose maximum is <= 0 the gradient is lost or sent to the wrong pixel.
 * Registered by `registerWasmTrainingKernels()` in ./wasmTrainingKernels.ts.
 *
 * Semantics of the cpu backend: each dy value goes to the first maximum of its window (row-major
 * scan, strict `>` from -Infinity, so a window of only NaN/-Infinity passes nothing on); windows
 * that overlap add up. When every window lies inside the input (no padding) and the channel count
 * is a multiple of 4 (the model's case), a wasm SIMD loop does it (./wasmSimdModule.ts), 4 channels
 * at a time (writing, rather than adding into a zeroed dx, when the windows tile the input; with
 * straight-line code for 2x2 windows of stride 2, the model's: 1.3x faster than the loop);
 * otherwise plain JS over the wasm heap: per window, the in-bounds pixel offsets are
 * computed once, then each channel's argmax is found in local variables.
 */
import { backend_util, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels } from './wasmSimdModule';
import { heapF32, heapIndex } from './wasmKernelUtils';

export interface MaxPoolGradArgs {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
}

/** Zeroes the pixels of dx (NHWC at float index dx0) below row `coveredRows` or right of column `coveredCols` of each image. */
export function zeroUncovered(
  heap: Float32Array,
  dx0: number,
  shape: { batchSize: number; inHeight: number; inWidth: number; channels: number; coveredRows: number; coveredCols: number },
): void {
  const { batchSize, inHeight, inWidth, channels, coveredRows, coveredCols } = shape;
  const rowFloats = inWidth * channels;
  for (let b = 0; b < batchSize; b++) {
    const image = dx0 + b * inHeight * rowFloats;
    if (coveredCols < inWidth) {
      for (let h = 0; h < coveredRows; h++) heap.fill(0, image + h * rowFloats + coveredCols * channels, image + (h + 1) * rowFloats);
    }
    heap.fill(0, image + coveredRows * rowFloats, image + inHeight * rowFloats);
  }
}

/** `specialized2x2: false` sends 2x2 stride-2 pooling to the general tiled SIMD loop (tests, benchmarks). */
export const maxPoolGradTuning = { specialized2x2: true };

export function maxPoolGradWasm({ inputs, backend, attrs }: MaxPoolGradArgs): TensorInfo {
  const { dy, input } = inputs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`MaxPoolGrad on the wasm backend needs float32 tensors, got ${input.dtype} and ${dy.dtype}.`);
  }
  if (input.shape.length !== 4) {
    throw new Error(`MaxPoolGrad on the wasm backend needs a rank-4 (NHWC) input, got [${input.shape}].`);
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
  if (dy.shape.some((d, i) => d !== info.outShape[i])) {
    throw new Error(`MaxPoolGrad: dy has shape [${dy.shape}], expected [${info.outShape}].`);
  }

  // Allocate first: makeOutput may grow the wasm memory, detaching earlier heap views.
  const out = backend.makeOutput(input.shape, 'float32');
  const heap = heapF32(backend);
  const x0 = heapIndex(backend, input);
  const dy0 = heapIndex(backend, dy);
  const dx0 = heapIndex(backend, out);
  const windowsInside =
    padTop === 0 &&
    padLeft === 0 &&
    (outHeight - 1) * strideHeight + filterHeight <= inHeight &&
    (outWidth - 1) * strideWidth + filterWidth <= inWidth;
  const nonEmpty = batchSize * outHeight * outWidth * channels > 0;
  const simd = nonEmpty && windowsInside && channels % 4 === 0 ? simdKernels(backend) : undefined;
  if (simd !== undefined) {
    const tiled = strideHeight === filterHeight && strideWidth === filterWidth;
    if (tiled) {
      // Every pixel a window covers gets written; zero the bottom rows and right columns left over.
      zeroUncovered(heap, dx0, { batchSize, inHeight, inWidth, channels, coveredRows: outHeight * filterHeight, coveredCols: outWidth * filterWidth });
    } else {
      heap.fill(0, dx0, dx0 + batchSize * inHeight * inWidth * channels);
    }
    if (tiled && filterHeight === 2 && filterWidth === 2 && maxPoolGradTuning.specialized2x2) {
      simd.maxPoolGrad2x2(x0 * 4, dy0 * 4, dx0 * 4, batchSize, inHeight, inWidth, channels, outHeight, outWidth);
    } else {
      (tiled ? simd.maxPoolGradTiled : simd.maxPoolGrad)(
        x0 * 4, dy0 * 4, dx0 * 4,
        batchSize, inHeight, inWidth, channels, outHeight, outWidth,
        filterHeight, filterWidth, strideHeight, strideWidth,
      );
    }
    return out;
  }
  heap.fill(0, dx0, dx0 + batchSize * inHeight * inWidth * channels);
  if (!nonEmpty) return out;
  // Windows that cannot overlap write their pixels at most once each: plain stores.
  const disjoint = strideHeight >= filterHeight && strideWidth >= filterWidth;

  const window = new Int32Array(filterHeight * filterWidth); // pixel offsets relative to x0/dx0
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padTop;
      const hStart = Math.max(0, h0);
      const hEnd = Math.min(inHeight, h0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padLeft;
        const wStart = Math.max(0, w0);
        const wEnd = Math.min(inWidth, w0 + filterWidth);
        let n = 0;
        for (let h = hStart; h < hEnd; h++) {
          for (let w = wStart; w < wEnd; w++) window[n++] = ((b * inHeight + h) * inWidth + w) * channels;
        }
        if (n === 0) continue;
        const dyOff = dy0 + ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let k = 0; k < n; k++) {
            const v = heap[x0 + window[k] + c];
            if (v > best) {
              best = v;
              at = window[k] + c;
            }
          }
          if (at >= 0) {
            if (disjoint) heap[dx0 + at] = heap[dyOff + c];
            else heap[dx0 + at] += heap[dyOff + c];
          }
        }
      }
    }
  }
  return out;
}
