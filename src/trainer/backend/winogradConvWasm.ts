/**
 * Winograd's F(2x2, 3x3) and F(4x4, 3x3) convolutions (Lavin & Gray 2015) for this project's wasm kernels: a
 * 3x3, stride-1 convolution of float32 NHWC data, any zero padding, bias and relu fused into the output
 * transform. Each m x m block of outputs ("tile", m = 2 or 4) comes from an n x n input patch (n = m + 2) and
 * costs n^2 multiply-adds per channel pair instead of the direct method's 9 m^2 (2.25x fewer for m = 2, 4x for
 * m = 4):
 *
 *   U[k] = (G g G^T)[k]   per in/out channel pair (the filter, n^2 matrices [ci, co]; ./wasmFilterBodies.ts)
 *   V[k] = (Bt d B)[k]    per tile and in-channel (its n x n input patch; wasm SIMD)
 *   M[k] = V[k] . U[k]    n^2 products [tiles, ci] x [ci, co] on the SIMD module's conv tiles (~50 GFLOP/s)
 *   out  = act(At M A + bias) per tile and out-channel (wasm SIMD)
 *
 * Tiles go in blocks (whole tile rows, possibly across images) whose V and M stay in cache between the three
 * steps. Tiles whose patch crosses the input's border (padding, or the last rows and columns of a valid
 * convolution whose size m does not divide) are copied into a zero-padded patch first; tiles that stick out of
 * the output are written to a small buffer and their inside pixels copied. The input gradient of a stride-1
 * convolution is the same operation on dy with the flipped filter (`filterLayout: 'flipped'`), so one routine
 * serves both.
 *
 * Float error: F(2x2)'s coefficients are 0, +-1 and 1/2, so its results stay within a few float32 ulps of the
 * direct sums'; F(4x4)'s go up to 8 (and 1/24 in G), which costs more rounding (the tests bound both against
 * the cpu backend).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex } from './wasmKernelUtils';
import type { DirectConvGeometry } from './directConvWasm';
import { CONV_RELU, type SimdKernels } from './wasmSimdModule';

/** When the convolution kernels take the Winograd path (see `useWinograd`). */
export const winogradTuning = {
  /** 'auto': where it pays by the three rules below; 'always' / 'never': for tests and the bench. */
  strategy: 'auto' as 'auto' | 'always' | 'never',
  /** The tile of the Winograd convolutions (forward, input and filter gradients): 'auto' (see `winogradTile`), or forced. */
  tile: 'auto' as 'auto' | WinogradTile,
  /** Fewest in-channels (the products' K; the first layer's 3 leave the transforms dominant). */
  minInChannels: 16,
  /**
   * Least ratio of the direct method's multiply-adds (the taps inside the input) to Winograd's (16 per tile,
   * tiles over the padding and past an odd edge included) for which it pays after its transforms: measured on
   * the model's layers, it lost at 1.10 (the last layer's input gradient: 9x9 from 7x7) and won from 1.7.
   */
  minSaving: 1.4,
  /**
   * Least multiply-adds per channel pair that F(2x2) must save over the direct method across the batch: its filter
   * transform costs the same per call whatever the batch. Fitting time = fixed + per image to both methods on one
   * thread (AMD EPYC, 2026-12-06, shards of 2 and 16) put the break-even at 1,350-1,370 per pair on the fourth and
   * fifth layers alike: the last layer's forward and filter gradient (185 per pair and image) lose on a 2-image
   * shard (6.6 and 6.8 ms against the direct 2.6 and 3.8) and win on 16 (16.2 and 17.3 against 22.1 and 24.1).
   */
  minPairSaving: 2048,
  /**
   * Bytes of V and M per block of tiles (both stay in L2 between the transforms and the products). The model's
   * Winograd ops took 452 ms (one worker's shard) at 768 KB, 467-473 at 384 KB, 469 at 1.5 MB, 480 at 192 KB
   * (AMD EPYC, 2026-12-06, the bench's kernel table summed, two sittings).
   */
  blockBytes: 768 * 1024,
  /**
   * Least multiply-adds per channel pair that F(4x4) must save over F(2x2) (batch included; see `winogradTile`).
   * On one worker's shard of 16 images (AMD EPYC, 2026-12-06, the layers' timings in several sittings) F(4x4)
   * won on the model's second to fourth layers (saving 216,832, 43,200 and 6,336 per pair) in all three ops,
   * mostly by 10-35%, and tied or lost on the last (1,792).
   */
  minTile4Saving: 4096,
};

/** Outputs per side of a Winograd tile: F(2x2, 3x3) or F(4x4, 3x3). */
export type WinogradTile = 2 | 4;

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

/** Multiply-adds per channel pair and image: the direct method's (taps inside the input) and Winograd's with `tile`. */
function multiplyAdds(g: WinogradGeometry, tile: WinogradTile): { direct: number; winograd: number } {
  const direct = tapsInside(g.outHeight, g.inHeight, g.padTop) * tapsInside(g.outWidth, g.inWidth, g.padLeft);
  return { direct, winograd: (tile + 2) ** 2 * Math.ceil(g.outHeight / tile) * Math.ceil(g.outWidth / tile) };
}

/** The direct method's multiply-adds per channel pair over Winograd's with `tile` (default F(2x2)). */
export function winogradSaving(g: WinogradGeometry, tile: WinogradTile = 2): number {
  const { direct, winograd } = multiplyAdds(g, tile);
  return direct / winograd;
}

/** Multiply-adds per channel pair that F(2x2) saves over the direct method across the batch. */
export function winogradPairSaving(g: WinogradGeometry): number {
  const { direct, winograd } = multiplyAdds(g, 2);
  return g.batchSize * (direct - winograd);
}

/**
 * The tile for a convolution that takes Winograd (forward, input gradient, and filter gradient by the forward
 * geometry): F(4x4) when the multiply-adds it saves over F(2x2) per channel pair, over the batch, reach
 * `winogradTuning.minTile4Saving`; below that its larger filter transform (per call, whatever the batch) and
 * the outputs its 4x4 tiles compute past the edge eat the saving.
 */
export function winogradTile(g: WinogradGeometry): WinogradTile {
  if (winogradTuning.tile !== 'auto') return winogradTuning.tile;
  const tiles = (m: number) => Math.ceil(g.outHeight / m) * Math.ceil(g.outWidth / m);
  return g.batchSize * (16 * tiles(2) - 36 * tiles(4)) >= winogradTuning.minTile4Saving ? 4 : 2;
}

/** The SIMD module's transforms of a tile: its input patches, its output, and its dy tiles (the filter gradient). */
export function tileTransforms(simd: SimdKernels, tile: WinogradTile): { input: SimdKernels['winogradInput']; output: SimdKernels['winogradOutput']; gradient: SimdKernels['winogradGradient'] } {
  return tile === 2
    ? { input: simd.winogradInput, output: simd.winogradOutput, gradient: simd.winogradGradient }
    : { input: simd.winograd4Input, output: simd.winograd4Output, gradient: simd.winograd4Gradient };
}

/** Whether to take the Winograd path for this convolution (possible, and worth it by `winogradTuning`). */
export function useWinograd(g: ConvShape): boolean {
  if (winogradTuning.strategy === 'never' || !winogradPossible(g)) return false;
  if (winogradTuning.strategy === 'always') return true;
  return g.inChannels >= winogradTuning.minInChannels && winogradSaving(g) >= winogradTuning.minSaving && winogradPairSaving(g) >= winogradTuning.minPairSaving;
}

/**
 * Floats from one of U's or dU's n^2 planes ([ci][co], `plane` floats) to the next: the plane rounded up to 4 KB,
 * plus 64 bytes. The filter transforms read or write all 16 or 36 planes at once; planes a multiple of 4 KB apart
 * (every layer of the model) put all those streams in one L1 cache set, which made the transforms 7-16x slower
 * (AMD EPYC, 2026-12-06, .scratch timing of the model's layers).
 */
export function transformPlaneStride(plane: number): number {
  return Math.ceil(plane / 1024) * 1024 + 16;
}

/**
 * U = G g Gt for every (in, out) channel pair (G: ./wasmFilterBodies.ts), into `uIndex` (n^2 planes [ci][co],
 * n = tile + 2, `transformPlaneStride(ci * co)` floats apart), by the SIMD module. The filter at `wIndex` is
 * [3, 3, ci, co] ('forward') or, for the input gradient, the forward filter [3, 3, co, ci] whose taps are read
 * flipped (g[kh][kw][c][o] = w[2-kh][2-kw][o][c]): then `flippedIndex` holds 9 * ci * co floats of scratch for
 * it, transposed.
 */
export function winogradFilter(options: { simd: Pick<SimdKernels, 'transpose' | 'winogradFilter' | 'winograd4Filter'>; wIndex: number; uIndex: number; ci: number; co: number; layout: 'forward' | 'flipped'; flippedIndex?: number; tile: WinogradTile }): void {
  const { simd, uIndex, ci, co, layout, tile } = options;
  let wIndex = options.wIndex;
  if (layout === 'flipped') {
    const flipped = options.flippedIndex;
    if (flipped === undefined) throw new Error('winogradFilter: a flipped filter needs scratch (flippedIndex)');
    transposeTaps({ simd, src: wIndex, dst: flipped, taps: 9, rows: co, cols: ci, flip: true });
    wIndex = flipped;
  }
  (tile === 2 ? simd.winogradFilter : simd.winograd4Filter)(wIndex * 4, uIndex * 4, ci * co, transformPlaneStride(ci * co));
}

/**
 * Each of a filter's `taps` (fh * fw), a rows x cols matrix of floats from float index `src`, transposed into
 * `dst`; with `flip`, tap t goes to tap taps - 1 - t (the filter turned by 180 degrees). rows and cols multiples
 * of 4.
 */
export function transposeTaps(options: { simd: Pick<SimdKernels, 'transpose'>; src: number; dst: number; taps: number; rows: number; cols: number; flip: boolean }): void {
  const { simd, src, dst, taps, rows, cols, flip } = options;
  const plane = rows * cols;
  for (let tap = 0; tap < taps; tap++) simd.transpose((src + tap * plane) * 4, (dst + (flip ? taps - 1 - tap : tap) * plane) * 4, rows, cols);
}

/**
 * Patches (n x n input pixels) or gradient tiles (2x2 outputs) of a block of tile rows, transformed into n^2
 * vectors per channel quad at `dst` (tile t of the block at dst + t*C*4, transform k at + k*kStride). Where a
 * tile leaves its tensor (padding, an edge the tiles do not divide), its pixels are copied into `patch` (zeros
 * around) first.
 */
export function transformTileRows(options: {
  heap: Float32Array;
  transform: (src: number, rowStride: number, dst: number, kStride: number, C: number, count: number) => void;
  /** pixels per side read: tile + 2 for input patches, 2 for gradient tiles */
  span: 2 | 4 | 6;
  /** pixels from one tile to the next: the tile */
  step: WinogradTile;
  /** the tensor: [batch, height, width, channels] from float index `index` */
  index: number;
  height: number;
  width: number;
  channels: number;
  padTop: number;
  padLeft: number;
  /** tiles per row and per image (th = ceil(outHeight / step), tw = ceil(outWidth / step)) */
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
  const { heap, transform, span, step, index, height: H, width: W, channels: C, padTop, padLeft, th, tw, r0, r1, dstIndex, kStride, patchIndex } = options;
  const pixB = C * 4;
  // Tile columns inside the tensor: step*tj - padLeft >= 0 and step*tj - padLeft + span <= W.
  const lo = Math.min(tw, Math.ceil(padLeft / step));
  const hi = Math.max(lo, Math.min(tw, Math.floor((W - span + padLeft) / step) + 1));
  for (let r = r0; r < r1; r++) {
    const b = Math.floor(r / th);
    const ih0 = step * (r - b * th) - padTop;
    const dstRowB = (dstIndex + (r - r0) * tw * C) * 4;
    const rowInside = ih0 >= 0 && ih0 + span <= H;
    if (rowInside && hi > lo) transform((index + ((b * H + ih0) * W + step * lo - padLeft) * C) * 4, W * pixB, dstRowB + lo * pixB, kStride, C, hi - lo);
    for (let tj = 0; tj < tw; tj++) {
      if (rowInside && tj >= lo && tj < hi) continue;
      const iw0 = step * tj - padLeft;
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
 * The tile grid of a convolution's output (th x tw tiles of `tile` x `tile` per image) and its blocks: whole
 * tile rows, `rowsPerBlock` of them (`blockTiles` tiles), so that a block's transformed data for both channel
 * counts ((tile + 2)^2 floats per tile and channel) fills about `winogradTuning.blockBytes`.
 */
export function tileBlocks(g: WinogradGeometry, tile: WinogradTile = 2): { th: number; tw: number; rowsPerBlock: number; blockTiles: number } {
  const th = Math.ceil(g.outHeight / tile);
  const tw = Math.ceil(g.outWidth / tile);
  const bytesPerTileRow = 4 * (tile + 2) ** 2 * (g.inChannels + g.outChannels) * tw;
  const rowsPerBlock = Math.max(1, Math.floor(winogradTuning.blockBytes / bytesPerTileRow));
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
  const tile = winogradTile(g);
  const n = tile + 2;
  const products = n * n;
  const transforms = tileTransforms(simd, tile);
  const { th, tw, rowsPerBlock, blockTiles } = tileBlocks(g, tile);
  const uStride = transformPlaneStride(ci * co);
  // zeros: the bias when there is none; taps: one tap at offsets (0, 0) for the conv tiles
  const { scratch, at } = scratchParts(backend, {
    u: products * uStride, v: products * blockTiles * ci, m: products * blockTiles * co, patch: products * ci, outPatch: tile * tile * co, zeros: co, taps: 2,
    flipped: filterLayout === 'flipped' ? 9 * ci * co : 0,
  });
  const { u: uI, v: vI, m: mI, patch: patchI, outPatch: outPatchI, zeros: zerosI, taps: tapsI, flipped: flippedI } = at;
  try {
    const heap = heapF32(backend);
    heap.fill(0, zerosI, tapsI + 2);
    winogradFilter({ simd, wIndex: heapIndex(backend, filter), uIndex: uI, ci, co, layout: filterLayout, flippedIndex: flippedI, tile });

    const outI = heapIndex(backend, out);
    const biasB = (bias === undefined ? zerosI : heapIndex(backend, bias)) * 4;
    const flags = relu ? CONV_RELU : 0;
    const ciB = ci * 4;
    const coB = co * 4;
    const mKStride = blockTiles * coB;
    // Tile columns whose outputs lie inside the output.
    const outFull = Math.floor(ow / tile);
    const input = {
      heap, transform: transforms.input, span: n as 4 | 6, step: tile, index: heapIndex(backend, x), height: H, width: W, channels: ci,
      padTop, padLeft, th, tw, dstIndex: vI, kStride: blockTiles * ciB, patchIndex: patchI,
    };

    const totalRows = batchSize * th;
    for (let r0 = 0; r0 < totalRows; r0 += rowsPerBlock) {
      const r1 = Math.min(totalRows, r0 + rowsPerBlock);
      // 1. input transform
      transformTileRows({ ...input, r0, r1 });
      // 2. the n^2 products M[k] = V[k] . U[k], 4 tiles per register tile
      const tiles = (r1 - r0) * tw;
      const quads = tiles >> 2;
      const rest = tiles & 3;
      for (let k = 0; k < products; k++) {
        const a = (vI + k * blockTiles * ci) * 4;
        const bB = (uI + k * uStride) * 4;
        const c = (mI + k * blockTiles * co) * 4;
        if (quads > 0) simd.convLoop[4](a, ciB, tapsI * 4, 1, bB, coB, c, coB, co, ci, 0, 0, quads, 4 * ciB, 4 * coB);
        if (rest > 0) simd.conv[rest](a + quads * 4 * ciB, ciB, tapsI * 4, 1, bB, coB, c + quads * 4 * coB, coB, co, ci, 0, 0);
      }
      // 3. output transform, + bias, relu
      for (let r = r0; r < r1; r++) {
        const b = Math.floor(r / th);
        const oi0 = tile * (r - b * th);
        const mRowB = (mI + (r - r0) * tw * co) * 4;
        const full = oi0 + tile <= oh ? outFull : 0;
        if (full > 0) transforms.output(mRowB, mKStride, (outI + (b * oh + oi0) * ow * co) * 4, ow * coB, co, full, biasB, flags);
        for (let tj = full; tj < tw; tj++) {
          transforms.output(mRowB + tj * coB, mKStride, outPatchI * 4, tile * coB, co, 1, biasB, flags);
          const rows = Math.min(tile, oh - oi0);
          const cols = Math.min(tile, ow - tile * tj);
          for (let pr = 0; pr < rows; pr++) {
            const from = outPatchI + pr * tile * co;
            heap.copyWithin(outI + ((b * oh + oi0 + pr) * ow + tile * tj) * co, from, from + cols * co);
          }
        }
      }
    }
  } finally {
    backend.disposeData(scratch.dataId);
  }
}
