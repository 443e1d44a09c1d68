/**
 * `Conv2DBackpropFilter` (the filter gradient of conv2d) for the tfjs wasm backend, which ships
 * without it. Registered by `registerWasmTrainingKernels()` in ./wasmTrainingKernels.ts.
 *
 *   dW[kh, kw, ci, co] = sum over p = (b, i, j) of x[b, i*sh + kh - top, j*sw + kw - left, ci] * dy[p, co]
 *
 * is a matrix product whose reduction axis p (batch x output pixels) is huge. Two strategies, both
 * for any stride and padding (dilation 1, NHWC, float32):
 *
 * - direct (co % 8 == 0, wasm SIMD available; the model's case): no copy of anything. Per output
 *   row and filter tap, a [ci, K] slice of x times a [K, co] slice of dy, accumulated into dW by
 *   the register-tiled SIMD GEMM of ./wasmSimdModule.ts (about 40 GFLOP/s here, faster than the
 *   forward XNNPACK convolution, and no operand packing). See `filterGradDirect`.
 * - Winograd (3x3, stride 1, where `useWinograd` says it pays): ./winogradFilterGradWasm.ts, 16 multiply-adds
 *   per 2x2 outputs and channel pair instead of 36.
 * - im2col (the general fallback): per chunk of output rows, a JS loop writes the transposed patch
 *   matrix colT[(kh, kw, ci), p], then dW (as [fh*fw*ci, co], its own layout) += colT . dy_chunk as
 *   one XNNPACK fully-connected product (wasm BatchMatMul without transposes: the only form on
 *   XNNPACK; the transposed forms are a naive C++ loop). The dy chunk is a view of dy (no copy);
 *   chunks of ~1 MB keep XNNPACK's packed copy of it in L2 (its GEMM does not block the reduction
 *   axis). XNNPACK re-packs every chunk, at ~4 ns per float: that is why direct wins.
 *
 * `filterGradTuning` holds the choice and block sizes (measured on the book's convnet).
 */
import {
  backend_util,
  BatchMatMul,
  type Conv2DBackpropFilterAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex, heapView, nhwcConv2DInfo, releaseHeapView, runWasmKernel } from './wasmKernelUtils';
import { simdKernels, type SimdKernels } from './wasmSimdModule';
import { geometryOf } from './directConvWasm';
import { useWinograd } from './winogradConvWasm';
import { winogradFilterGradient } from './winogradFilterGradWasm';

export interface Conv2DBackpropFilterArgs {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}

type ConvInfo = backend_util.Conv2DInfo;

/** Strategy choice and chunk sizes; `strategy` can be forced (tests, benchmarks). */
export const filterGradTuning = {
  strategy: 'auto' as 'auto' | 'im2col',
  /** Floats of dy per block of output rows in the direct strategy (kept in L2 while the taps reuse it). */
  directBlockFloats: 131072,
  /**
   * Size (in floats) of the dy chunk XNNPACK packs as weights: the reduction length per chunk is
   * this / co output pixels.
   * About 1 MB keeps the packed chunk in the 2 MB L2 cache of the machine it was tuned on.
   */
  im2colChunkFloats: 262144,
};

export function conv2DBackpropFilterWasm(args: Conv2DBackpropFilterArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;

  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(
      `Conv2DBackpropFilter on the wasm backend supports dataFormat 'NHWC' only, got '${dataFormat}'.`,
    );
  }
  for (const t of [x, dy]) {
    if (t.dtype !== 'float32') {
      throw new Error(`Conv2DBackpropFilter on the wasm backend needs float32 tensors, got ${t.dtype}.`);
    }
  }
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(`Conv2DBackpropFilter on the wasm backend needs rank-4 x and dy, got [${x.shape}] and [${dy.shape}].`);
  }

  const convInfo = nhwcConv2DInfo({
    xShape: x.shape,
    filterShape,
    strides,
    dilations: 1 /* conv2d gradients only exist for dilation 1 */,
    pad,
    dimRoundingMode,
  });
  const expectedDy = convInfo.outShape;
  if (dy.shape.some((d, i) => d !== expectedDy[i])) {
    throw new Error(`Conv2DBackpropFilter: dy has shape [${dy.shape}], expected [${expectedDy}].`);
  }

  const out = backend.makeOutput([convInfo.filterHeight, convInfo.filterWidth, convInfo.inChannels, convInfo.outChannels], 'float32');
  try {
    const o = heapIndex(backend, out);
    heapF32(backend).fill(0, o, o + convInfo.filterHeight * convInfo.filterWidth * convInfo.inChannels * convInfo.outChannels);
    if (convInfo.batchSize * convInfo.outHeight * convInfo.outWidth > 0) {
      const simd = chooseStrategy(convInfo) === 'direct' ? simdKernels(backend) : undefined;
      const geometry = geometryOf(convInfo);
      if (simd !== undefined && useWinograd(geometry)) winogradFilterGradient({ backend, simd, geometry, x, dy, out });
      else if (simd !== undefined) filterGradDirect(x, dy, out, backend, convInfo, simd);
      else filterGradIm2col(x, dy, out, backend, convInfo);
    }
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  }
  return out;
}

/** 'direct' needs co % 8 == 0 (and wasm SIMD, checked by the caller); 'im2col' always works. */
export function chooseStrategy(info: ConvInfo): 'im2col' | 'direct' {
  if (filterGradTuning.strategy === 'im2col') return 'im2col';
  return info.outChannels % 8 === 0 ? 'direct' : 'im2col';
}

/** out += a . b via XNNPACK (wasm BatchMatMul, no transposes); frees the product. */
function accumulateProduct(backend: BackendWasm, a: TensorInfo, b: TensorInfo, out: TensorInfo): void {
  const product = runWasmKernel(BatchMatMul, backend, { a, b }, { transposeA: false, transposeB: false });
  try {
    const heap = heapF32(backend);
    const p = heapIndex(backend, product);
    const o = heapIndex(backend, out);
    const n = product.shape.reduce((s, d) => s * d, 1);
    for (let i = 0; i < n; i++) heap[o + i] += heap[p + i];
  } finally {
    backend.disposeData(product.dataId);
  }
}

/** General path: chunks of output rows, transposed patch matrix, one product per chunk. */
function filterGradIm2col(x: TensorInfo, dy: TensorInfo, out: TensorInfo, backend: BackendWasm, info: ConvInfo): void {
  const { batchSize, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rows = fh * fw * ci;
  const totalRows = batchSize * oh; // output rows (b, i)
  const rowsPerChunk = Math.max(1, Math.min(totalRows, Math.round(filterGradTuning.im2colChunkFloats / co / ow)));

  const col = backend.makeOutput([rows * rowsPerChunk * ow], 'float32');
  try {
    for (let r0 = 0; r0 < totalRows; r0 += rowsPerChunk) {
      const r1 = Math.min(totalRows, r0 + rowsPerChunk);
      const K = (r1 - r0) * ow;
      const heap = heapF32(backend);
      const xo = heapIndex(backend, x);
      const c0 = heapIndex(backend, col);
      for (let r = r0; r < r1; r++) {
        const b = Math.floor(r / oh);
        const i = r - b * oh;
        const colBase = c0 + (r - r0) * ow;
        for (let kh = 0; kh < fh; kh++) {
          const ih = i * sh + kh - top;
          const rowInside = ih >= 0 && ih < H;
          const xRow = xo + (b * H + ih) * W * ci;
          for (let kw = 0; kw < fw; kw++) {
            // Output columns j whose input column j*sw + kw - left is inside [0, W).
            const jStart = rowInside ? Math.max(0, Math.ceil((left - kw) / sw)) : ow;
            const jEnd = rowInside ? Math.min(ow, Math.floor((W - 1 + left - kw) / sw) + 1) : ow;
            const rowBase = (kh * fw + kw) * ci;
            for (let c = 0; c < ci; c++) {
              const d = colBase + (rowBase + c) * K;
              for (let j = 0; j < jStart; j++) heap[d + j] = 0;
              let s = xRow + (jStart * sw + kw - left) * ci + c;
              const step = sw * ci;
              for (let j = jStart; j < jEnd; j++, s += step) heap[d + j] = heap[s];
              for (let j = Math.max(jStart, jEnd); j < ow; j++) heap[d + j] = 0;
            }
          }
        }
      }
      // colT as [1, rows, K] (a prefix of the buffer), dy's rows r0..r1 as a view [1, K, co].
      const a: TensorInfo = { dataId: col.dataId, shape: [1, rows, K], dtype: 'float32' };
      const dyChunk = heapView(backend, dy, r0 * ow * co, [1, K, co]);
      try {
        accumulateProduct(backend, a, dyChunk, out);
      } finally {
        releaseHeapView(backend, dyChunk);
      }
    }
  } finally {
    backend.disposeData(col.dataId);
  }
}

/**
 * Direct (wasm SIMD GEMM, no copies): for each output row (b, i) and filter tap (kh, kw), the input
 * row x[b, i*sh + kh - top, j*sw + kw - left, :] over the valid columns j is a [ci, K] matrix
 * (element stride ci*sw) and dy[b, i, j, :] a [K, co] one, so dW[kh, kw] += their product, done by
 * ./wasmSimdModule.ts's register-tiled `gemm` (4 input channels x 8 output channels per tile).
 * Output rows go in blocks whose dy stays in L2 while the 9 taps reuse it; within a block each dW
 * tile stays in L1. Each block sums into a float32 scratch copy of dW, then into float64 totals,
 * so rounding does not build up over the ~10^6 products of the first layer; a shard small enough for one
 * block sums straight into dW (the same values, without the totals' 3 passes over dW's size). The rows of a block
 * go to the module in runs (`gemmLoop`: one JS call per run, not per row), and the float64 sums
 * are SIMD too (`accumulateF64`): JS loop overhead was ~10% of this kernel.
 */
function filterGradDirect(x: TensorInfo, dy: TensorInfo, out: TensorInfo, backend: BackendWasm, info: ConvInfo, simd: SimdKernels): void {
  const size = info.filterHeight * info.filterWidth * info.inChannels * info.outChannels;
  const totalRows = info.batchSize * info.outHeight;
  const rowsPerBlock = Math.max(1, Math.floor(filterGradTuning.directBlockFloats / (info.outWidth * info.outChannels)));
  const operands = { xB: heapIndex(backend, x) * 4, dyB: heapIndex(backend, dy) * 4, groups: rowGroups(info) };
  if (totalRows <= rowsPerBlock) {
    // One block (a small shard): its float32 sums are the result, accumulated straight into dW (zeroed by the
    // caller); float64 totals would hold and give back the same values.
    accumulateDirectBlock({ simd, info, ...operands, r0: 0, r1: totalRows, dwB: heapIndex(backend, out) * 4 });
    return;
  }
  const scratch = backend.makeOutput([size], 'float32');
  // float64 totals in wasm memory (2 float32 slots each), added to by the SIMD module.
  let totals: TensorInfo | undefined;
  try {
    totals = backend.makeOutput([2 * size + 1], 'float32');
    const s0 = heapIndex(backend, scratch);
    const t0 = heapIndex(backend, totals) + (heapIndex(backend, totals) % 2); // 8-byte aligned
    heapF32(backend).fill(0, t0, t0 + 2 * size);
    for (let r0 = 0; r0 < totalRows; r0 += rowsPerBlock) {
      heapF32(backend).fill(0, s0, s0 + size);
      accumulateDirectBlock({ simd, info, ...operands, r0, r1: Math.min(totalRows, r0 + rowsPerBlock), dwB: s0 * 4 });
      simd.accumulateF64(s0 * 4, t0 * 4, size);
    }
    const heap = heapF32(backend);
    heap.set(new Float64Array(heap.buffer, t0 * 4, size), heapIndex(backend, out));
  } finally {
    backend.disposeData(scratch.dataId);
    if (totals !== undefined) backend.disposeData(totals.dataId);
  }
}

/** dW (float32 at byte address dwB) += the products of output rows r0 .. r1 - 1 (all images' rows in a row), every tap. */
function accumulateDirectBlock(options: { simd: SimdKernels; info: ConvInfo; xB: number; dyB: number; groups: RowGroup[]; r0: number; r1: number; dwB: number }): void {
  const { simd, info, xB, dyB, groups, r0, r1, dwB } = options;
  const { inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const aKStride = sw * ci * 4;
  const aNext = sh * W * ci * 4; // x: from one output row's input row to the next's
  const bNext = ow * co * 4; // dy: one output row
  for (let kh = 0; kh < fh; kh++) {
    for (const { kw, c0, rows, jStart, K } of groups) {
      const col0 = jStart * sw + kw - left;
      const gemmLoop = simd.gemmLoop[rows];
      const cAddr = dwB + ((kh * fw + kw) * ci + c0) * co * 4;
      // Runs of consecutive output rows of one image whose input row is inside: one call
      // each, which runs the product of every row of the run in turn.
      let r = r0;
      while (r < r1) {
        const b = Math.floor(r / oh);
        const i = r - b * oh;
        const ih = i * sh + kh - top;
        if (ih < 0 || ih >= H) {
          r++;
          continue;
        }
        const n = Math.min(r1 - r, oh - i, Math.floor((H - 1 - ih) / sh) + 1);
        const aAddr = xB + (((b * H + ih) * W + col0) * ci + c0) * 4;
        const bAddr = dyB + (r * ow + jStart) * co * 4;
        gemmLoop(aAddr, 4, aKStride, bAddr, co * 4, cAddr, co * 4, co, K, n, aNext, bNext, 0);
        r += n;
      }
    }
  }
}

interface RowGroup {
  /** First row: filter column kw, input channel c0 (rows continue over c, then over kw). */
  kw: number;
  c0: number;
  rows: number;
  /** Output columns jStart .. jStart + K - 1 (the same for every row of the group). */
  jStart: number;
  K: number;
}

/**
 * The rows (kw, c) of one filter row of dW, in groups for one product each. A row's A operand is
 * x[., j*sw + kw - left, c], so rows (kw, c), (kw, c+1), ..., (kw+1, 0), ... are 4 bytes apart in
 * x and co floats apart in dW: consecutive rows of every filter column whose valid output columns
 * are the same (all of them without padding) can share a product. Groups of 4 (the fastest tile),
 * the last 5 or 6 rather than 1 or 2 (e.g. 3 input channels: 9 rows as 4 + 5, not 3 + 3 + 3).
 */
export function rowGroups(info: ConvInfo): RowGroup[] {
  const { inWidth: W, inChannels: ci, outWidth: ow, filterWidth: fw, strideWidth: sw } = info;
  const left = info.padInfo.left;
  const groups: RowGroup[] = [];
  let kw = 0;
  while (kw < fw) {
    // Output columns j whose input column j*sw + kw - left is inside [0, W).
    const range = (k: number) => {
      const jStart = Math.max(0, Math.ceil((left - k) / sw));
      const jEnd = Math.min(ow, Math.floor((W - 1 + left - k) / sw) + 1);
      return [jStart, jEnd];
    };
    const [jStart, jEnd] = range(kw);
    let kwEnd = kw + 1;
    while (kwEnd < fw && range(kwEnd)[0] === jStart && range(kwEnd)[1] === jEnd) kwEnd++;
    if (jEnd > jStart) {
      const total = (kwEnd - kw) * ci;
      let first = 0;
      while (first < total) {
        const remaining = total - first;
        const rows = remaining <= 4 || remaining === 5 || remaining === 6 ? remaining : 4;
        groups.push({ kw: kw + Math.floor(first / ci), c0: first % ci, rows, jStart, K: jEnd - jStart });
        first += rows;
      }
    }
    kw = kwEnd;
  }
  return groups;
}
