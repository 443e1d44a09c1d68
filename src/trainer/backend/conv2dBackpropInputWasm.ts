/**
 * `Conv2DBackpropInput` (the input gradient of conv2d) for the tfjs wasm backend. The built-in
 * wasm kernel is a naive C++ loop (10-40x slower than the forward convolution); registered by
 * `registerWasmTrainingKernels()` in ./wasmTrainingKernels.ts in its place. Three paths, for
 * float32 NHWC:
 *
 * - direct (stride 1, in-channels % 8 == 0, wasm SIMD available; the model's case, any padding):
 *   per dx row and filter tap, a dy row segment times the transposed filter tap, accumulated by the
 *   register-tiled SIMD GEMM of ./wasmSimdModule.ts. See `inputGradDirect`.
 * - Winograd (stride 1, 3x3, out-channels % 4 == 0, enough of them: `useWinograd`): the same "full"
 *   convolution as below, by ./winogradConvWasm.ts with the filter read flipped (no copy of dy).
 * - XNNPACK (stride 1, other channel counts, or `inputGradTuning.strategy = 'xnnpack'`): the input
 *   gradient is a "full" convolution of dy with the spatially flipped filter, in/out channels swapped,
 *     W'[kh, kw, co, ci] = W[fh-1-kh, fw-1-kw, ci, co]
 *     dx = conv2d(dy, W', stride 1, padding top' = fh-1-top, bottom' = fh-1-bottom, same for width)
 *   run as one XNNPACK convolution (the wasm Conv2D kernel). W' is built by a JS loop (it is small)
 *   and freed at once; dy is never copied or padded (XNNPACK takes the padding).
 * - anything else (stride > 1, NCHW, a padding wider than the filter, other dtypes) goes to the
 *   built-in kernel, slow but correct, kept by ./wasmKernelUtils.ts before being unregistered.
 */
import {
  backend_util,
  Conv2D,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex, nhwcConv2DInfo, runBuiltinWasmKernel, runWasmKernel } from './wasmKernelUtils';
import { simdKernels, type SimdKernels } from './wasmSimdModule';
import { transposeTaps, useWinograd, winogradConv } from './winogradConvWasm';

/** Strategy override for tests and benchmarks. */
export const inputGradTuning = {
  strategy: 'auto' as 'auto' | 'xnnpack',
  /** Direct strategy: bytes of dx rows per block (all taps run over a block before the next). */
  blockBytes: 256 * 1024,
};

export interface Conv2DBackpropInputArgs {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}

export function conv2DBackpropInputWasm(args: Conv2DBackpropInputArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;

  const fastPathPossible =
    (dataFormat === undefined || dataFormat === 'NHWC') &&
    dy.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    dy.shape.length === 4 &&
    filter.shape.length === 4 &&
    inputShape.length === 4;
  if (fastPathPossible) {
    const convInfo = nhwcConv2DInfo({
      xShape: inputShape,
      filterShape: filter.shape,
      strides,
      dilations: 1 /* conv2d gradients only exist for dilation 1 */,
      pad,
      dimRoundingMode,
    });
    const { filterHeight: fh, filterWidth: fw, padInfo } = convInfo;
    const padding = [fh - 1 - padInfo.top, fh - 1 - padInfo.bottom, fw - 1 - padInfo.left, fw - 1 - padInfo.right];
    if (convInfo.strideHeight === 1 && convInfo.strideWidth === 1 && padding.every((p) => p >= 0)) {
      const expectedDy = convInfo.outShape;
      if (dy.shape.some((d, i) => d !== expectedDy[i])) {
        throw new Error(`Conv2DBackpropInput: dy has shape [${dy.shape}], expected [${expectedDy}].`);
      }
      const simd = convInfo.inChannels % 8 === 0 && inputGradTuning.strategy === 'auto' ? simdKernels(backend) : undefined;
      if (simd !== undefined && useWinograd(flippedGeometry(convInfo))) return inputGradWinograd(dy, filter, backend, convInfo, simd);
      if (simd !== undefined) return inputGradDirect(dy, filter, backend, convInfo, simd);
      return inputGradByConvolution(dy, filter, backend, convInfo, padding);
    }
  }
  return runBuiltinWasmKernel(Conv2DBackpropInput, backend, inputs, attrs as unknown as NamedAttrMap);
}

/** The input gradient as a convolution: dy in, dx out, channels swapped, the padding a 3x3 "full" convolution needs. */
function flippedGeometry(convInfo: backend_util.Conv2DInfo) {
  return {
    batchSize: convInfo.batchSize,
    inHeight: convInfo.outHeight,
    inWidth: convInfo.outWidth,
    inChannels: convInfo.outChannels,
    outHeight: convInfo.inHeight,
    outWidth: convInfo.inWidth,
    outChannels: convInfo.inChannels,
    filterHeight: convInfo.filterHeight,
    filterWidth: convInfo.filterWidth,
    strideHeight: convInfo.strideHeight,
    strideWidth: convInfo.strideWidth,
    padTop: convInfo.filterHeight - 1 - convInfo.padInfo.top,
    padLeft: convInfo.filterWidth - 1 - convInfo.padInfo.left,
  };
}

/** Stride 1, 3x3: Winograd's F(2x2, 3x3) on dy and the flipped filter (./winogradConvWasm.ts). */
function inputGradWinograd(dy: TensorInfo, filter: TensorInfo, backend: BackendWasm, convInfo: backend_util.Conv2DInfo, simd: SimdKernels): TensorInfo {
  const dx = backend.makeOutput(convInfo.inShape, 'float32');
  try {
    winogradConv({ backend, simd, geometry: flippedGeometry(convInfo), x: dy, filter, filterLayout: 'flipped', relu: false, out: dx });
  } catch (error) {
    backend.disposeData(dx.dataId);
    throw error;
  }
  return dx;
}

function inputGradByConvolution(
  dy: TensorInfo,
  filter: TensorInfo,
  backend: BackendWasm,
  convInfo: backend_util.Conv2DInfo,
  [top, bottom, left, right]: number[],
): TensorInfo {
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co } = convInfo;
  // Allocate before taking heap views: makeOutput may grow the wasm memory and detach them.
  const flipped = backend.makeOutput([fh, fw, co, ci], 'float32');
  try {
    const src = backend.typedArrayFromHeap(filter);
    const dst = backend.typedArrayFromHeap(flipped);
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const srcBase = (kh * fw + kw) * ci * co;
        const dstBase = ((fh - 1 - kh) * fw + (fw - 1 - kw)) * co * ci;
        for (let i = 0; i < ci; i++) {
          const s = srcBase + i * co;
          for (let o = 0; o < co; o++) dst[dstBase + o * ci + i] = src[s + o];
        }
      }
    }
    const noPadding = top === 0 && bottom === 0 && left === 0 && right === 0;
    const dx = runWasmKernel(Conv2D, backend, { x: dy, filter: flipped }, {
      strides: [1, 1],
      dilations: [1, 1],
      // Explicit, never 'same': XNNPACK would derive 'same' padding from this inner conv's shapes.
      pad: noPadding ? 'valid' : [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
    });
    const expected = convInfo.inShape;
    if (dx.shape.some((d, i) => d !== expected[i])) {
      backend.disposeData(dx.dataId);
      throw new Error(`Conv2DBackpropInput (wasm): inner conv gave [${dx.shape}], expected [${expected}].`);
    }
    return dx;
  } finally {
    // Also drops the XNNPACK operator wasm Conv2D cached for this filter id.
    backend.disposeData(flipped.dataId);
  }
}

/**
 * Stride 1, ci % 8 == 0, wasm SIMD: dx[b, y, x', c] = sum over taps (kh, kw) and o of
 * dy[b, y + top - kh, x' + left - kw, o] * W[kh, kw, c, o]. For each dx row and tap, the dy row
 * segment [M pixels, co] times W[kh, kw] transposed [co, ci] adds into the dx row segment [M, ci]:
 * the SIMD GEMM of ./wasmSimdModule.ts, 4 pixels x 8 channels per register tile. Unlike the
 * XNNPACK "full" convolution it does no work on the zero border (23% more for an 18x18 dy, 65%
 * more for 7x7), packs nothing, and copies only the transposed filter.
 */
function inputGradDirect(
  dy: TensorInfo,
  filter: TensorInfo,
  backend: BackendWasm,
  convInfo: backend_util.Conv2DInfo,
  simd: SimdKernels,
): TensorInfo {
  const { batchSize, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = convInfo;
  const { filterHeight: fh, filterWidth: fw } = convInfo;
  const top = convInfo.padInfo.top;
  const left = convInfo.padInfo.left;
  // Allocate before taking heap views: makeOutput may grow the wasm memory and detach them.
  const transposed = backend.makeOutput([fh, fw, co, ci], 'float32');
  let dx: TensorInfo | undefined;
  try {
    dx = backend.makeOutput(convInfo.inShape, 'float32');
    const heap = heapF32(backend);
    const src = heapIndex(backend, filter);
    const dst = heapIndex(backend, transposed);
    if (co % 4 === 0) {
      transposeTaps({ simd, src, dst, taps: fh * fw, rows: ci, cols: co, flip: false });
    } else {
      for (let tap = 0; tap < fh * fw; tap++) {
        const base = tap * ci * co;
        for (let i = 0; i < ci; i++) {
          for (let o = 0; o < co; o++) heap[dst + base + o * ci + i] = heap[src + base + i * co + o];
        }
      }
    }
    const dx0 = heapIndex(backend, dx);
    heap.fill(0, dx0, dx0 + batchSize * H * W * ci);

    const dyB = heapIndex(backend, dy) * 4;
    const wB = dst * 4;
    const dxB = dx0 * 4;
    const gemmLoop4 = simd.gemmLoop[4];
    // Blocks of dx rows (across images): each filter tap runs over the whole block while its
    // [co, ci] slice stays cached (for 256 channels the 9 slices are 2.4 MB, more than L2).
    const totalRows = batchSize * H;
    const blockRows = Math.max(1, Math.floor(inputGradTuning.blockBytes / (W * ci * 4)));
    for (let r0 = 0; r0 < totalRows; r0 += blockRows) {
      const r1 = Math.min(totalRows, r0 + blockRows);
      for (let kh = 0; kh < fh; kh++) {
        for (let kw = 0; kw < fw; kw++) {
          const xStart = Math.max(0, kw - left);
          const xEnd = Math.min(W, ow + kw - left);
          if (xEnd <= xStart) continue;
          const bAddr = wB + (kh * fw + kw) * co * ci * 4;
          for (let r = r0; r < r1; r++) {
            const b = Math.floor(r / H);
            const y = r - b * H;
            const i = y + top - kh;
            if (i < 0 || i >= oh) continue;
            const aAddr = dyB + ((b * oh + i) * ow + (xStart + left - kw)) * co * 4;
            const cAddr = dxB + (r * W + xStart) * ci * 4;
            const m = xEnd - xStart;
            const tiles = m >> 2;
            if (tiles > 0) gemmLoop4(aAddr, co * 4, 4, bAddr, ci * 4, cAddr, ci * 4, ci, co, tiles, 16 * co, 0, 16 * ci);
            if (m & 3) simd.gemm[m & 3](aAddr + tiles * 16 * co, co * 4, 4, bAddr, ci * 4, cAddr + tiles * 16 * ci, ci * 4, ci, co);
          }
        }
      }
    }
    return dx;
  } catch (error) {
    if (dx !== undefined) backend.disposeData(dx.dataId);
    throw error;
  } finally {
    backend.disposeData(transposed.dataId);
  }
}

