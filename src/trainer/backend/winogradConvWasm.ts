/**
 * Winograd's F(2x2, 3x3) convolution (Lavin & Gray 2015) for this project's wasm kernels: a 3x3, stride-1
 * convolution of float32 NHWC data, any zero padding, bias and relu fused into the output transform. Each 2x2
 * block of outputs ("tile") costs 16 multiply-adds per channel pair instead of the direct method's 36:
 *
 *   U[k] = (G g G^T)[k]   per in/out channel pair (the filter, 16 matrices [ci, co], here in JS)
 *   V[k] = (Bt d B)[k]    per tile and in-channel (its 4x4 input patch; wasm SIMD)
 *   M[k] = V[k] . U[k]    16 products [tiles, ci] x [ci, co] on the SIMD module's conv tiles (~50 GFLOP/s)
 *   out  = act(At M A + bias) per tile and out-channel (wasm SIMD)
 *
 * Tiles go in blocks (whole tile rows, possibly across images) whose V and M stay in cache between the three
 * steps. Tiles whose patch crosses the input's border (padding, or the odd last row and column of a valid
 * convolution) are copied into a zero-padded patch first; tiles that stick out of the output are written to a
 * small buffer and their inside pixels copied. The input gradient of a stride-1 convolution is the same
 * operation on dy with the flipped filter (`filterLayout: 'flipped'`), so one routine serves both.
 *
 * Float error: the transforms' coefficients are 0, +-1 and 1/2, so results stay within a few float32 ulps of
 * the direct sums' (the tests compare with the cpu backend).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex } from './wasmKernelUtils';
import type { DirectConvGeometry } from './directConvWasm';
import { CONV_RELU, type SimdKernels } from './wasmSimdModule';

/** When the convolution kernels take the Winograd path (see `useWinograd`). */
export const winogradTuning = {
  /** 'auto': where it pays by the two rules below; 'always' / 'never': for tests and the bench. */
  strategy: 'auto' as 'auto' | 'always' | 'never',
  /** Fewest in-channels (the products' K; the first layer's 3 leave the transforms dominant). */
  minInChannels: 16,
  /**
   * Least ratio of the direct method's multiply-adds (the taps inside the input) to Winograd's (16 per tile,
   * tiles over the padding and past an odd edge included) for which it pays after its transforms: measured on
   * the model's layers, it lost at 1.10 (the last layer's input gradient: 9x9 from 7x7) and won from 1.7.
   */
  minSaving: 1.4,
  /**
   * Bytes of V and M per block of tiles (both stay in L2 between the transforms and the products). The model's
   * Winograd ops took 452 ms (one worker's shard) at 768 KB, 467-473 at 384 KB, 469 at 1.5 MB, 480 at 192 KB
   * (AMD EPYC, 2026-12-06, the bench's kernel table summed, two sittings).
   */
  blockBytes: 768 * 1024,
};

/** A 3x3, stride-1 convolution's sizes and padding (the bottom and right padding follow from the output size). */
export type WinogradGeometry = Omit<DirectConvGeometry, 'filterHeight' | 'filterWidth' | 'strideHeight' | 'strideWidth'>;

/** A convolution as the kernels see it (./directConvWasm.ts' geometry). */
export type ConvShape = DirectConvGeometry;

/**
 * Whether a convolution can run here: 3x3, stride 1, in-channels % 4 (the transforms' vectors), out-channels
 * % 8 (the products' register tiles).
 */
export function winogradPossible(g: ConvShape): boolean {
  return g.filterHeight === 3 && g.filterWidth === 3 && g.strideHeight === 1 && g.strideWidth === 1 && g.inChannels % 4 === 0 && g.outChannels % 8 === 0;
}

/** Taps of a 3-tap filter inside an input of `size`, summed over `outSize` outputs (stride 1, `pad` before). */
function tapsInside(outSize: number, size: number, pad: number): number {
  let taps = 0;
  for (let i = 0; i < outSize; i++) taps += Math.max(0, Math.min(size, i - pad + 3) - Math.max(0, i - pad));
  return taps;
}

/** The direct method's multiply-adds per channel pair over Winograd's. */
export function winogradSaving(g: WinogradGeometry): number {
  const direct = tapsInside(g.outHeight, g.inHeight, g.padTop) * tapsInside(g.outWidth, g.inWidth, g.padLeft);
  return direct / (16 * Math.ceil(g.outHeight / 2) * Math.ceil(g.outWidth / 2));
}

/** Whether to take the Winograd path for this convolution (possible, and worth it by `winogradTuning`). */
export function useWinograd(g: ConvShape): boolean {
  if (winogradTuning.strategy === 'never' || !winogradPossible(g)) return false;
  if (winogradTuning.strategy === 'always') return true;
  return g.inChannels >= winogradTuning.minInChannels && winogradSaving(g) >= winogradTuning.minSaving;
}

/**
 * U = G g G^T for every (in, out) channel pair, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], into
 * `u` ([16][ci][co] floats from index `uIndex`). The filter at index `wIndex` of `heap` is [3, 3, ci, co]
 * ('forward') or, for the input gradient, the forward filter [3, 3, co, ci] whose taps are read flipped
 * (g[kh][kw][c][o] = w[2-kh][2-kw][o][c]).
 */
export function winogradFilter(options: { heap: Float32Array; wIndex: number; uIndex: number; ci: number; co: number; layout: 'forward' | 'flipped' }): void {
  const { heap, wIndex, uIndex, ci, co, layout } = options;
  const g = new Float64Array(9);
  const r = new Float64Array(12);
  const plane = ci * co;
  for (let c = 0; c < ci; c++) {
    for (let o = 0; o < co; o++) {
      for (let tap = 0; tap < 9; tap++) {
        g[tap] = layout === 'forward' ? heap[wIndex + tap * plane + c * co + o] : heap[wIndex + (8 - tap) * plane + o * ci + c];
      }
      // r = G g (4 x 3)
      for (let j = 0; j < 3; j++) {
        const g0 = g[j];
        const g1 = g[3 + j];
        const g2 = g[6 + j];
        r[j] = g0;
        r[3 + j] = 0.5 * (g0 + g1 + g2);
        r[6 + j] = 0.5 * (g0 - g1 + g2);
        r[9 + j] = g2;
      }
      // U = r G^T (4 x 4)
      const at = uIndex + c * co + o;
      for (let i = 0; i < 4; i++) {
        const r0 = r[3 * i];
        const r1 = r[3 * i + 1];
        const r2 = r[3 * i + 2];
        heap[at + (4 * i) * plane] = r0;
        heap[at + (4 * i + 1) * plane] = 0.5 * (r0 + r1 + r2);
        heap[at + (4 * i + 2) * plane] = 0.5 * (r0 - r1 + r2);
        heap[at + (4 * i + 3) * plane] = r2;
      }
    }
  }
}

/**
 * Patches (4x4 input pixels) or gradient tiles (2x2 outputs) of a block of tile rows, transformed into 16
 * vectors per channel quad at `dst` (tile t of the block at dst + t*C*4, transform k at + k*kStride). Where a
 * tile leaves its tensor (padding, an odd edge), its pixels are copied into `patch` (zeros around) first.
 */
export function transformTileRows(options: {
  heap: Float32Array;
  transform: (src: number, rowStride: number, dst: number, kStride: number, C: number, count: number) => void;
  /** 4 for input patches (stride 2), 2 for gradient tiles */
  span: 2 | 4;
  /** the tensor: [batch, height, width, channels] from float index `index` */
  index: number;
  height: number;
  width: number;
  channels: number;
  padTop: number;
  padLeft: number;
  /** tiles per row and per image (th = ceil(outHeight / 2), tw = ceil(outWidth / 2)) */
  th: number;
  tw: number;
  /** rows r0 .. r1 - 1 of all batch * th tile rows */
  r0: number;
  r1: number;
  dstIndex: number;
  kStride: number;
  /** span x span x channels floats of scratch */
  patchIndex: number;
}): void {
  const { heap, transform, span, index, height: H, width: W, channels: C, padTop, padLeft, th, tw, r0, r1, dstIndex, kStride, patchIndex } = options;
  const pixB = C * 4;
  // Tile columns inside the tensor: 2tj - padLeft >= 0 and 2tj - padLeft + span <= W.
  const lo = Math.min(tw, Math.ceil(padLeft / 2));
  const hi = Math.max(lo, Math.min(tw, Math.floor((W - span + padLeft) / 2) + 1));
  for (let r = r0; r < r1; r++) {
    const b = Math.floor(r / th);
    const ih0 = 2 * (r - b * th) - padTop;
    const dstRowB = (dstIndex + (r - r0) * tw * C) * 4;
    const rowInside = ih0 >= 0 && ih0 + span <= H;
    if (rowInside && hi > lo) transform((index + ((b * H + ih0) * W + 2 * lo - padLeft) * C) * 4, W * pixB, dstRowB + lo * pixB, kStride, C, hi - lo);
    for (let tj = 0; tj < tw; tj++) {
      if (rowInside && tj >= lo && tj < hi) continue;
      const iw0 = 2 * tj - padLeft;
      heap.fill(0, patchIndex, patchIndex + span * span * C);
      const pcLo = Math.max(0, -iw0);
      const pcHi = Math.min(span, W - iw0);
      for (let pr = 0; pr < span && pcHi > pcLo; pr++) {
        const ih = ih0 + pr;
        if (ih < 0 || ih >= H) continue;
        const from = index + ((b * H + ih) * W + iw0 + pcLo) * C;
        heap.copyWithin(patchIndex + (pr * span + pcLo) * C, from, from + (pcHi - pcLo) * C);
      }
      transform(patchIndex * 4, span * pixB, dstRowB + tj * pixB, kStride, C, 1);
    }
  }
}

/**
 * The tile grid of a convolution's output (th x tw tiles of 2x2 per image) and its blocks: whole tile rows,
 * `rowsPerBlock` of them (`blockTiles` tiles), so that a block's transformed data for both channel counts
 * (16 floats per tile and channel) fills about `winogradTuning.blockBytes`.
 */
export function tileBlocks(g: WinogradGeometry): { th: number; tw: number; rowsPerBlock: number; blockTiles: number } {
  const th = Math.ceil(g.outHeight / 2);
  const tw = Math.ceil(g.outWidth / 2);
  const rowsPerBlock = Math.max(1, Math.floor(winogradTuning.blockBytes / (64 * (g.inChannels + g.outChannels) * tw)));
  return { th, tw, rowsPerBlock, blockTiles: rowsPerBlock * tw };
}

/**
 * One float32 scratch tensor holding consecutive parts of the given sizes (floats), and each part's float
 * index. Allocated before any heap view is taken (makeOutput may grow the memory and detach views); the
 * caller disposes `scratch`.
 */
export function scratchParts<K extends string>(backend: BackendWasm, sizes: Record<K, number>): { scratch: TensorInfo; at: Record<K, number> } {
  const keys = Object.keys(sizes) as K[];
  const scratch = backend.makeOutput([keys.reduce((total, key) => total + sizes[key], 0)], 'float32');
  const at = {} as Record<K, number>;
  let next = heapIndex(backend, scratch);
  for (const key of keys) {
    at[key] = next;
    next += sizes[key];
  }
  return { scratch, at };
}

/**
 * out = act(conv3x3(x, filter) + bias), stride 1, zero padding `padTop` / `padLeft` (the bottom and right
 * follow from the output size). `out` is allocated by the caller ([batch, outHeight, outWidth, co]).
 * `filterLayout` as in `winogradFilter`. Needs `winogradPossible`.
 */
export function winogradConv(options: {
  backend: BackendWasm;
  simd: SimdKernels;
  geometry: WinogradGeometry;
  x: TensorInfo;
  filter: TensorInfo;
  filterLayout: 'forward' | 'flipped';
  bias?: TensorInfo;
  relu: boolean;
  out: TensorInfo;
}): void {
  const { backend, simd, geometry: g, x, filter, filterLayout, bias, relu, out } = options;
  const { batchSize, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, padTop, padLeft } = g;
  const { th, tw, rowsPerBlock, blockTiles } = tileBlocks(g);
  // zeros: the bias when there is none; taps: one tap at offsets (0, 0) for the conv tiles
  const { scratch, at } = scratchParts(backend, { u: 16 * ci * co, v: 16 * blockTiles * ci, m: 16 * blockTiles * co, patch: 16 * ci, outPatch: 4 * co, zeros: co, taps: 2 });
  const { u: uI, v: vI, m: mI, patch: patchI, outPatch: outPatchI, zeros: zerosI, taps: tapsI } = at;
  try {
    const heap = heapF32(backend);
    heap.fill(0, zerosI, tapsI + 2);
    winogradFilter({ heap, wIndex: heapIndex(backend, filter), uIndex: uI, ci, co, layout: filterLayout });

    const outI = heapIndex(backend, out);
    const biasB = (bias === undefined ? zerosI : heapIndex(backend, bias)) * 4;
    const flags = relu ? CONV_RELU : 0;
    const ciB = ci * 4;
    const coB = co * 4;
    const mKStride = blockTiles * coB;
    // Tile columns whose 2x2 outputs lie inside the output.
    const outFull = Math.floor(ow / 2);
    const input = {
      heap, transform: simd.winogradInput, span: 4 as const, index: heapIndex(backend, x), height: H, width: W, channels: ci,
      padTop, padLeft, th, tw, dstIndex: vI, kStride: blockTiles * ciB, patchIndex: patchI,
    };

    const totalRows = batchSize * th;
    for (let r0 = 0; r0 < totalRows; r0 += rowsPerBlock) {
      const r1 = Math.min(totalRows, r0 + rowsPerBlock);
      // 1. input transform
      transformTileRows({ ...input, r0, r1 });
      // 2. the 16 products M[k] = V[k] . U[k], 4 tiles per register tile
      const tiles = (r1 - r0) * tw;
      const quads = tiles >> 2;
      const rest = tiles & 3;
      for (let k = 0; k < 16; k++) {
        const a = (vI + k * blockTiles * ci) * 4;
        const bB = (uI + k * ci * co) * 4;
        const c = (mI + k * blockTiles * co) * 4;
        if (quads > 0) simd.convLoop[4](a, ciB, tapsI * 4, 1, bB, coB, c, coB, co, ci, 0, 0, quads, 4 * ciB, 4 * coB);
        if (rest > 0) simd.conv[rest](a + quads * 4 * ciB, ciB, tapsI * 4, 1, bB, coB, c + quads * 4 * coB, coB, co, ci, 0, 0);
      }
      // 3. output transform, + bias, relu
      for (let r = r0; r < r1; r++) {
        const b = Math.floor(r / th);
        const oi0 = 2 * (r - b * th);
        const mRowB = (mI + (r - r0) * tw * co) * 4;
        const full = oi0 + 1 < oh ? outFull : 0;
        if (full > 0) simd.winogradOutput(mRowB, mKStride, (outI + (b * oh + oi0) * ow * co) * 4, ow * coB, co, full, biasB, flags);
        for (let tj = full; tj < tw; tj++) {
          simd.winogradOutput(mRowB + tj * coB, mKStride, outPatchI * 4, 2 * coB, co, 1, biasB, flags);
          const rows = Math.min(2, oh - oi0);
          const cols = Math.min(2, ow - 2 * tj);
          for (let pr = 0; pr < rows; pr++) {
            const from = outPatchI + pr * 2 * co;
            heap.copyWithin(outI + ((b * oh + oi0 + pr) * ow + 2 * tj) * co, from, from + cols * co);
          }
        }
      }
    }
  } finally {
    backend.disposeData(scratch.dataId);
  }
}
