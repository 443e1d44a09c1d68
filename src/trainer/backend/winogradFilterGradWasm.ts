/**
 * The filter gradient of a 3x3, stride-1 convolution by Winograd's F(2x2, 3x3), transposed. The forward pass
 * computes per tile Y = At [U ⊙ V] A with U = G g Gt and V = Bt d B, so
 *
 *   dU[k] = sum over tiles of V[k] (x) D[k],   D = A dY At   (dY: the tile's 2x2 of dy, zeros past the edge)
 *   dW    = Gt dU G                            per in/out channel pair
 *
 * where dU[k] = V[k]^T . D[k] is a product [ci, tiles] x [tiles, co]: the SIMD module's gemm, reducing over
 * the tiles of a block and accumulating over the blocks. 16 multiply-adds per 2x2 outputs and channel pair
 * instead of the direct method's 36. V comes from ./winogradConvWasm.ts' input transform, D from the module's
 * `winogradGradient`.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex } from './wasmKernelUtils';
import type { SimdKernels } from './wasmSimdModule';
import { scratchParts, tileBlocks, transformTileRows, type WinogradGeometry } from './winogradConvWasm';

/** dW = Gt dU G for every channel pair: dU is [16][ci][co] from `uIndex`, dW [3, 3, ci, co] from `wIndex`. */
export function winogradFilterFromTransformed(options: { heap: Float32Array; uIndex: number; wIndex: number; ci: number; co: number }): void {
  const { heap, uIndex, wIndex, ci, co } = options;
  const plane = ci * co;
  const u = new Float64Array(16);
  const t = new Float64Array(12);
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < 16; k++) u[k] = heap[uIndex + k * plane + p];
    // t = Gt dU (3 x 4); Gt = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]
    for (let j = 0; j < 4; j++) {
      const u0 = u[j];
      const u1 = u[4 + j];
      const u2 = u[8 + j];
      const u3 = u[12 + j];
      t[j] = u0 + 0.5 * (u1 + u2);
      t[4 + j] = 0.5 * (u1 - u2);
      t[8 + j] = 0.5 * (u1 + u2) + u3;
    }
    // dW = t G (3 x 3)
    for (let a = 0; a < 3; a++) {
      const t0 = t[4 * a];
      const t1 = t[4 * a + 1];
      const t2 = t[4 * a + 2];
      const t3 = t[4 * a + 3];
      heap[wIndex + (3 * a) * plane + p] = t0 + 0.5 * (t1 + t2);
      heap[wIndex + (3 * a + 1) * plane + p] = 0.5 * (t1 - t2);
      heap[wIndex + (3 * a + 2) * plane + p] = 0.5 * (t1 + t2) + t3;
    }
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
  const { th, tw, rowsPerBlock, blockTiles } = tileBlocks(g);
  const { scratch, at } = scratchParts(backend, { u: 16 * ci * co, v: 16 * blockTiles * ci, d: 16 * blockTiles * co, patch: 16 * ci, dyPatch: 4 * co });
  const { u: uI, v: vI, d: dI, patch: patchI, dyPatch: dyPatchI } = at;
  try {
    const heap = heapF32(backend);
    heap.fill(0, uI, uI + 16 * ci * co);
    const ciB = ci * 4;
    const coB = co * 4;
    const vKStride = blockTiles * ciB;
    const dKStride = blockTiles * coB;
    const tiling = { heap, th, tw };
    const input = { ...tiling, transform: simd.winogradInput, span: 4 as const, step: 2 as const, index: heapIndex(backend, x), height: H, width: W, channels: ci, padTop, padLeft, dstIndex: vI, kStride: vKStride, patchIndex: patchI };
    const gradient = { ...tiling, transform: simd.winogradGradient, span: 2 as const, step: 2 as const, index: heapIndex(backend, dy), height: oh, width: ow, channels: co, padTop: 0, padLeft: 0, dstIndex: dI, kStride: dKStride, patchIndex: dyPatchI };
    const totalRows = batchSize * th;
    for (let r0 = 0; r0 < totalRows; r0 += rowsPerBlock) {
      const r1 = Math.min(totalRows, r0 + rowsPerBlock);
      transformTileRows({ ...input, r0, r1 });
      transformTileRows({ ...gradient, r0, r1 });
      const tiles = (r1 - r0) * tw;
      // dU[k] += V[k]^T . D[k]: rows are in-channels (4 per call), the reduction runs over the block's tiles.
      for (let k = 0; k < 16; k++) {
        simd.gemmLoop[4](vI * 4 + k * vKStride, 4, ciB, dI * 4 + k * dKStride, coB, (uI + k * ci * co) * 4, coB, co, tiles, ci / 4, 16, 0, 4 * coB);
      }
    }
    winogradFilterFromTransformed({ heap, uIndex: uI, wIndex: heapIndex(backend, out), ci, co });
  } finally {
    backend.disposeData(scratch.dataId);
  }
}
