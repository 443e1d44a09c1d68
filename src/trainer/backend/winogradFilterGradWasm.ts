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
import { scratchParts, tileBlocks, tileTransforms, transformPlaneStride, transformTileRows, winogradTile, type WinogradGeometry } from './winogradConvWasm';

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
  const uStride = transformPlaneStride(ci * co);
  const { scratch, at } = scratchParts(backend, { u: products * uStride, v: products * blockTiles * ci, d: products * blockTiles * co, patch: products * ci, dyPatch: tile * tile * co });
  const { u: uI, v: vI, d: dI, patch: patchI, dyPatch: dyPatchI } = at;
  try {
    const heap = heapF32(backend);
    heap.fill(0, uI, uI + products * uStride);
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
        simd.gemmLoop[4](vI * 4 + k * vKStride, 4, ciB, dI * 4 + k * dKStride, coB, (uI + k * uStride) * 4, coB, co, tiles, ci / 4, 16, 0, 4 * coB);
      }
    }
    // dW = Gt dU G for every channel pair (./wasmFilterBodies.ts)
    (tile === 2 ? simd.winogradFilterTransposed : simd.winograd4FilterTransposed)(uI * 4, heapIndex(backend, out) * 4, ci * co, uStride);
  } finally {
    backend.disposeData(scratch.dataId);
  }
}
