/**
 * The direct SIMD convolution of this project's wasm `Conv2D` and `FusedConv2D` kernels
 * (./conv2dWasm.ts): float32 NHWC, dilation 1, any stride and padding, out-channels a multiple
 * of 8, wasm SIMD.
 *
 *   out[b, i, j, :] = act(bias + sum over taps (kh, kw) and c of x[b, i*sh + kh - top, j*sw + kw - left, c] * W[kh, kw, c, :])
 *
 * For an output pixel whose filter window lies inside the input along the width ("interior"
 * columns), the window row kh is fw*ci consecutive floats of x, and W[kh] is fw*ci consecutive
 * rows of W: one product of K = fw*ci per valid filter row (3 per pixel for 3x3, not 9).
 * Two loop orders (`directConvTuning`):
 * - 'tiles': per output row, a table of taps (one per filter row inside the input: byte offsets
 *   into x and W) drives the `conv` tiles of ./wasmSimdModule.ts, which keep mr pixels x 8
 *   channels in registers across all taps, start from the bias (or 0) and apply relu on their
 *   single store. Pixels whose window crosses the left or right border (padding) go one at a
 *   time with K shortened to the columns inside; a window entirely outside gives act(bias).
 * - 'rows': blocks of output rows get the bias copied in, then each filter row's product is
 *   added over the whole block (`gemm`, its slice of W stays cached), then relu over the block.
 * ~50 GFLOP/s on the model's middle layers (the SIMD peak of this machine), 35-40 on its first
 * (3 in-channels) and last (7x7 output) ones; XNNPACK does 25-33.
 */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex } from './wasmKernelUtils';
import { CONV_BIAS, CONV_RELU, type SimdKernels } from './wasmSimdModule';

/**
 * Loop order, and pixels per register tile; measured on the model's layers (batch 16, 180 px).
 * - 'tiles' streams the whole filter once per tile of `tileRows` pixels: best while the filter
 *   stays in L2 (`tilesMaxFilterBytes`; the model's first three layers: 3.5 KB - 295 KB).
 * - 'rows' for larger filters (the last two layers: 1.2 and 2.4 MB), in blocks of
 *   `rowsBlockBytes` of output (1.5x faster than row by row on the last layer).
 */
export const directConvTuning = {
  strategy: 'auto' as 'auto' | 'tiles' | 'rows',
  tileRows: 4,
  tilesMaxFilterBytes: 512 * 1024,
  /** 'rows': output rows per block (all taps of a filter row run over the block, while it is cached). */
  rowsBlockBytes: 256 * 1024,
};

export interface DirectConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

export function geometryOf(info: backend_util.Conv2DInfo): DirectConvGeometry {
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Runs the convolution into `out` (allocated by the caller, [batch, outHeight, outWidth, co]).
 * `filter` is [fh, fw, ci, co]; `bias` (optional) has co elements. Needs co % 8 == 0.
 */
export function directConv(
  backend: BackendWasm,
  simd: SimdKernels,
  g: DirectConvGeometry,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  relu: boolean,
  out: TensorInfo,
): void {
  const { batchSize, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = g;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, padTop: top, padLeft: left } = g;
  if (co % 8 !== 0) throw new Error('directConv: out-channels must be a multiple of 8.');
  // Tap tables: [row taps (fh pairs), edge-pixel taps (fh pairs)], int32, in wasm memory.
  const table = backend.makeOutput([4 * fh], 'int32');
  try {
    const heap = heapF32(backend);
    const tableIndex = heapIndex(backend, table);
    const taps = new Int32Array(heap.buffer, tableIndex * 4, 4 * fh);
    const rowTapsB = tableIndex * 4;
    const edgeTapsB = rowTapsB + 8 * fh;
    const xB = heapIndex(backend, x) * 4;
    const wB = heapIndex(backend, filter) * 4;
    const o0 = heapIndex(backend, out);
    const outB = o0 * 4;
    const biasIndex = bias === undefined ? -1 : heapIndex(backend, bias);
    const biasB = biasIndex < 0 ? 0 : biasIndex * 4;
    const flags = (biasIndex < 0 ? 0 : CONV_BIAS) | (relu ? CONV_RELU : 0);

    const pixB = ci * 4; // bytes per input pixel
    const aRow = sw * pixB; // bytes between the windows of neighbouring output pixels
    const coB = co * 4;
    const tapRowB = fw * ci * coB; // bytes of W per filter row
    // Interior columns: every kw inside [0, W).
    const jLo = Math.min(ow, Math.ceil(left / sw));
    const jHi = Math.max(jLo, Math.min(ow, Math.floor((W - fw + left) / sw) + 1));
    const mr = Math.max(1, Math.min(directConvTuning.tileRows, simd.conv.length - 1));
    const tileLoop = simd.convLoop[mr];
    const kFull = fw * ci;

    /** act(bias) into one output pixel (its window is entirely outside the input). */
    const fillPixel = (p: number) => {
      for (let o = 0; o < co; o++) {
        const v = biasIndex < 0 ? 0 : heap[biasIndex + o];
        heap[o0 + p * co + o] = relu ? Math.max(0, v) : v;
      }
    };

    const strategy =
      directConvTuning.strategy !== 'auto'
        ? directConvTuning.strategy
        : fh * fw * ci * co * 4 <= directConvTuning.tilesMaxFilterBytes
          ? 'tiles'
          : 'rows';
    if (strategy === 'rows') {
      const biasRow = new Float32Array(ow * co);
      if (biasIndex >= 0) for (let p = 0; p < ow; p++) biasRow.set(heap.subarray(biasIndex, biasIndex + co), p * co);
      const gemm = simd.gemm;
      const totalRows = batchSize * oh;
      const blockRows = Math.max(1, Math.floor(directConvTuning.rowsBlockBytes / (ow * coB)));
      for (let r0 = 0; r0 < totalRows; r0 += blockRows) {
        const r1 = Math.min(totalRows, r0 + blockRows);
        for (let r = r0; r < r1; r++) heap.set(biasRow, o0 + r * ow * co);
        for (let kh = 0; kh < fh; kh++) {
          const wTapB = wB + kh * tapRowB;
          for (let r = r0; r < r1; r++) {
            const b = Math.floor(r / oh);
            const ih = (r - b * oh) * sh + kh - top;
            if (ih < 0 || ih >= H) continue;
            const rowB = outB + r * ow * coB;
            const xRowB = xB + (b * H + ih) * W * pixB;
            // Interior columns: the fw taps of the row as one product of K = fw*ci.
            const aAddr = xRowB + (jLo * sw - left) * pixB;
            const cAddr = rowB + jLo * coB;
            const tiles = Math.floor((jHi - jLo) / mr);
            if (tiles > 0) simd.gemmLoop[mr](aAddr, aRow, 4, wTapB, coB, cAddr, coB, co, kFull, tiles, mr * aRow, 0, mr * coB);
            const rest = jHi - jLo - tiles * mr;
            if (rest > 0) gemm[rest](aAddr + tiles * mr * aRow, aRow, 4, wTapB, coB, cAddr + tiles * mr * coB, coB, co, kFull);
            // Border columns: the taps inside the input.
            for (let e = 0; e < ow; e++) {
              if (e === jLo) e = jHi;
              if (e >= ow) break;
              const kwLo = Math.max(0, left - e * sw);
              const kwHi = Math.min(fw, W + left - e * sw);
              if (kwHi <= kwLo) continue;
              gemm[1](xRowB + (e * sw + kwLo - left) * pixB, 0, 4, wTapB + kwLo * ci * coB, coB, rowB + e * coB, coB, co, (kwHi - kwLo) * ci);
            }
          }
        }
        if (relu) simd.relu(outB + r0 * ow * coB, (r1 - r0) * ow * co);
      }
      return;
    }
    for (let b = 0; b < batchSize; b++) {
      for (let i = 0; i < oh; i++) {
        const rowPixel = (b * oh + i) * ow;
        let nTaps = 0;
        for (let kh = 0; kh < fh; kh++) {
          const ih = i * sh + kh - top;
          if (ih < 0 || ih >= H) continue;
          taps[2 * nTaps] = (b * H + ih) * W * pixB;
          taps[2 * nTaps + 1] = kh * tapRowB;
          nTaps++;
        }
        if (nTaps === 0) {
          for (let j = 0; j < ow; j++) fillPixel(rowPixel + j);
          continue;
        }
        // Interior: tiles of mr pixels, then the remainder.
        const tiles = Math.floor((jHi - jLo) / mr);
        if (tiles > 0) {
          tileLoop(xB + (jLo * sw - left) * pixB, aRow, rowTapsB, nTaps, wB, coB, outB + (rowPixel + jLo) * coB, coB, co, kFull, biasB, flags, tiles, mr * aRow, mr * coB);
        }
        const j = jLo + tiles * mr;
        if (j < jHi) {
          simd.conv[jHi - j](xB + (j * sw - left) * pixB, aRow, rowTapsB, nTaps, wB, coB, outB + (rowPixel + j) * coB, coB, co, kFull, biasB, flags);
        }
        // Border pixels, one at a time, with the window columns inside the input.
        for (let e = 0; e < ow; e++) {
          if (e === jLo) e = jHi;
          if (e >= ow) break;
          const kwLo = Math.max(0, left - e * sw);
          const kwHi = Math.min(fw, W + left - e * sw);
          if (kwHi <= kwLo) {
            fillPixel(rowPixel + e);
            continue;
          }
          const colB = (e * sw + kwLo - left) * pixB;
          for (let t = 0; t < nTaps; t++) {
            taps[2 * fh + 2 * t] = taps[2 * t] + colB;
            taps[2 * fh + 2 * t + 1] = taps[2 * t + 1] + kwLo * ci * coB;
          }
          simd.conv[1](xB, 0, edgeTapsB, nTaps, wB, coB, outB + (rowPixel + e) * coB, coB, co, (kwHi - kwLo) * ci, biasB, flags);
        }
      }
    }
  } finally {
    backend.disposeData(table.dataId);
  }
}
