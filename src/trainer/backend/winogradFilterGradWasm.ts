/**
 * The filter gradient of a 3x3, stride-1 convolution by Winograd's F(2x2, 3x3) or F(4x4, 3x3), transposed. The
 * forward pass computes per tile Y = At [U ⊙ V] A with U = G g Gt and V = Bt d B, so
 *
 *   dU[k] = sum over tiles of V[k] (x) D[k],   D = A dY At   (dY: the tile's m x m of dy, zeros past the edge)
 *   dW    = Gt dU G                            per in/out channel pair
 *
 * where dU[k] = V[k]^T . D[k] is a product [ci, tiles] x [tiles, co]: the SIMD module's gemm, reducing over
 * the tiles of a block and accumulating over the blocks. n^2 multiply-adds (n = m + 2) per m x m outputs and
 * channel pair instead of the direct method's 9 m^2. V comes from ./winogradConvWasm.ts' input transform, D
 * from the module's `winogradGradient` / `winograd4Gradient`. The tile is ./winogradConvWasm.ts' `winogradTile`
 * of the forward convolution.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex } from './wasmKernelUtils';
import type { SimdKernels } from './wasmSimdModule';
import { ONE_12TH, ONE_24TH, ONE_6TH, scratchParts, tileBlocks, tileTransforms, transformTileRows, winogradTile, type WinogradGeometry, type WinogradTile } from './winogradConvWasm';

/** w = Gt u for a column u of n = tile + 2 (F(2x2): Gt 3x4; F(4x4): Gt 3x6), written to w[offset + stride * i]. */
function transposedFilterColumn(tile: WinogradTile, u: Float64Array, from: number, step: number, w: Float64Array, offset: number, stride: number): void {
  const u0 = u[from];
  const u1 = u[from + step];
  const u2 = u[from + 2 * step];
  const u3 = u[from + 3 * step];
  if (tile === 2) {
    // Gt = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]
    w[offset] = u0 + 0.5 * (u1 + u2);
    w[offset + stride] = 0.5 * (u1 - u2);
    w[offset + 2 * stride] = 0.5 * (u1 + u2) + u3;
    return;
  }
  // Gt = [1/4 -1/6 -1/6 1/24 1/24 0; 0 -1/6 1/6 1/12 -1/12 0; 0 -1/6 -1/6 1/6 1/6 1]
  const u4 = u[from + 4 * step];
  const u5 = u[from + 5 * step];
  const inner = (u1 + u2) * ONE_6TH;
  w[offset] = 0.25 * u0 - inner + (u3 + u4) * ONE_24TH;
  w[offset + stride] = (u2 - u1) * ONE_6TH + (u3 - u4) * ONE_12TH;
  w[offset + 2 * stride] = (u3 + u4) * ONE_6TH - inner + u5;
}

/** dW = Gt dU G for every channel pair: dU is [n^2][ci][co] from `uIndex` (n = tile + 2), dW [3, 3, ci, co] from `wIndex`. */
export function winogradFilterFromTransformed(options: { heap: Float32Array; uIndex: number; wIndex: number; ci: number; co: number; tile?: WinogradTile }): void {
  const { heap, uIndex, wIndex, ci, co } = options;
  const tile = options.tile ?? 2;
  const n = tile + 2;
  const plane = ci * co;
  const u = new Float64Array(n * n);
  const t = new Float64Array(3 * n); // Gt dU: 3 x n
  const w = new Float64Array(9);
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < n * n; k++) u[k] = heap[uIndex + k * plane + p];
    for (let j = 0; j < n; j++) transposedFilterColumn(tile, u, j, n, t, j, n);
    for (let a = 0; a < 3; a++) transposedFilterColumn(tile, t, n * a, 1, w, 3 * a, 1);
    for (let tap = 0; tap < 9; tap++) heap[wIndex + tap * plane + p] = w[tap];
  }
}

/**
 * Writes dW ([3, 3, ci, co], allocated by the caller) for x ([batch, inHeight, inWidth, ci]) and dy ([batch,
 * outHeight, outWidth, co]) of a 3x3, stride-1 convolution with zero padding `padTop` / `padLeft`. Needs
 * ci % 4 == 0 and co % 8 == 0.
 */
export function winogradFilterGradient(options: { backend: BackendWasm; simd: SimdKernels; geometry: WinogradGeometry; x: TensorInfo; dy: TensorInfo; out: TensorInfo }): void {
  const { backend, simd, geometry: g, x, dy, out } = options;
  const { batchSize, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, padTop, padLeft } = g;
  const tile = winogradTile(g);
  const n = tile + 2;
  const products = n * n;
  const { th, tw, rowsPerBlock, blockTiles } = tileBlocks(g, tile);
  const { scratch, at } = scratchParts(backend, { u: products * ci * co, v: products * blockTiles * ci, d: products * blockTiles * co, patch: products * ci, dyPatch: tile * tile * co });
  const { u: uI, v: vI, d: dI, patch: patchI, dyPatch: dyPatchI } = at;
  try {
    const heap = heapF32(backend);
    heap.fill(0, uI, uI + products * ci * co);
    const ciB = ci * 4;
    const coB = co * 4;
    const vKStride = blockTiles * ciB;
    const dKStride = blockTiles * coB;
    const transforms = tileTransforms(simd, tile);
    const tiling = { heap, th, tw, step: tile };
    const input = { ...tiling, transform: transforms.input, span: n as 4 | 6, index: heapIndex(backend, x), height: H, width: W, channels: ci, padTop, padLeft, dstIndex: vI, kStride: vKStride, patchIndex: patchI };
    const gradient = { ...tiling, transform: transforms.gradient, span: tile, index: heapIndex(backend, dy), height: oh, width: ow, channels: co, padTop: 0, padLeft: 0, dstIndex: dI, kStride: dKStride, patchIndex: dyPatchI };
    const totalRows = batchSize * th;
    for (let r0 = 0; r0 < totalRows; r0 += rowsPerBlock) {
      const r1 = Math.min(totalRows, r0 + rowsPerBlock);
      transformTileRows({ ...input, r0, r1 });
      transformTileRows({ ...gradient, r0, r1 });
      const tiles = (r1 - r0) * tw;
      // dU[k] += V[k]^T . D[k]: rows are in-channels (4 per call), the reduction runs over the block's tiles.
      for (let k = 0; k < products; k++) {
        simd.gemmLoop[4](vI * 4 + k * vKStride, 4, ciB, dI * 4 + k * dKStride, coB, (uI + k * ci * co) * 4, coB, co, tiles, ci / 4, 16, 0, 4 * coB);
      }
    }
    winogradFilterFromTransformed({ heap, uIndex: uI, wIndex: heapIndex(backend, out), ci, co, tile });
  } finally {
    backend.disposeData(scratch.dataId);
  }
}
