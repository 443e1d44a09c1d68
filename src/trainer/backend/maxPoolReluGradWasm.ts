/**
 * `SmallConvnetMaxPoolReluGrad`, a kernel of this project (wasm only): the gradient back through a 2x2,
 * stride-2, unpadded max pooling and the relu before it, in one pass instead of MaxPoolGrad then
 * SmallConvnetReluGrad (which wrote the whole pre-pool gradient and read it back), with the bias gradient
 * of the layer before the relu summed in the same pass. ../engine/convBiasRelu.ts uses it for a conv layer
 * followed by such a pooling when the active backend has it.
 *
 * Inputs {dy: the pooling's output gradient [B, OH, OW, C], y: the relu's output [B, H, W, C]}, with
 * OH = floor(H / 2), OW = floor(W / 2); float32. Outputs [dyAct (y's shape), biasGradient [C]]:
 * dyAct is dy at each window's first maximum (row-major scan, strict `>` from -Infinity: MaxPoolGrad's
 * rule) where that maximum is > 0, and 0 elsewhere (including a last row or column no window covers);
 * that is MaxPoolGrad then dy * step(y), except that a masked value is +0 rather than dy * 0. The bias
 * gradient sums dyAct per channel: each pooled row in float32 (wasm SIMD, 4 channels at a time), the rows
 * in float64. SIMD when C % 4 == 0, plain JS otherwise.
 */
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex } from './wasmKernelUtils';
import { zeroUncovered } from './maxPoolGradWasm';
import { simdKernels } from './wasmSimdModule';

export const MAX_POOL_RELU_GRAD = 'SmallConvnetMaxPoolReluGrad';

export interface MaxPoolReluGradArgs {
  inputs: { dy: TensorInfo; y: TensorInfo };
  backend: BackendWasm;
}

/** `simd: false` takes the plain-JS path (tests). */
export const maxPoolReluGradTuning = { simd: true };

function shapeOf(dy: TensorInfo, y: TensorInfo) {
  if (dy.dtype !== 'float32' || y.dtype !== 'float32') {
    throw new Error(`${MAX_POOL_RELU_GRAD} needs float32 tensors, got ${dy.dtype} and ${y.dtype}.`);
  }
  if (y.shape.length !== 4) throw new Error(`${MAX_POOL_RELU_GRAD} needs a rank-4 (NHWC) y, got [${y.shape}].`);
  const [batchSize, inHeight, inWidth, channels] = y.shape;
  const expected = [batchSize, Math.floor(inHeight / 2), Math.floor(inWidth / 2), channels];
  if (!util.arraysEqual(dy.shape, expected)) throw new Error(`${MAX_POOL_RELU_GRAD}: dy has shape [${dy.shape}], expected [${expected}] for y [${y.shape}].`);
  return { batchSize, inHeight, inWidth, channels, outHeight: expected[1], outWidth: expected[2] };
}

type Shape = ReturnType<typeof shapeOf>;

/** Each pooled row in the SIMD module, its float32 channel sums added into `totals`. */
function simdRows(backend: BackendWasm, simd: NonNullable<ReturnType<typeof simdKernels>>, at: { x: number; dy: number; dx: number; sums: number }, shape: Shape, totals: Float64Array): void {
  const { batchSize, inHeight, inWidth, channels: C, outHeight, outWidth } = shape;
  const rowFloats = inWidth * C;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const pixel = (b * inHeight + 2 * oh) * rowFloats;
      const pooled = ((b * outHeight + oh) * outWidth) * C;
      const heap = heapF32(backend);
      heap.fill(0, at.sums, at.sums + C);
      simd.maxPoolReluGrad2x2((at.x + pixel) * 4, (at.dy + pooled) * 4, (at.dx + pixel) * 4, 1, 2, inWidth, C, 1, outWidth, at.sums * 4);
      for (let c = 0; c < C; c++) totals[c] += heap[at.sums + c];
    }
  }
}

/** The same in plain JS over the heap (any C). */
function jsWindows(heap: Float32Array, at: { x: number; dy: number; dx: number }, shape: Shape, totals: Float64Array): void {
  const { batchSize, inHeight, inWidth, channels: C, outHeight, outWidth } = shape;
  const rowFloats = inWidth * C;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const first = (b * inHeight + 2 * oh) * rowFloats + 2 * ow * C;
        const window = [first, first + C, first + rowFloats, first + rowFloats + C];
        const g0 = at.dy + ((b * outHeight + oh) * outWidth + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let winner = -1;
          for (const p of window) {
            heap[at.dx + p + c] = 0;
            const v = heap[at.x + p + c];
            if (v > best) {
              best = v;
              winner = p;
            }
          }
          if (winner >= 0 && best > 0) {
            const g = heap[g0 + c];
            heap[at.dx + winner + c] = g;
            totals[c] += g;
          }
        }
      }
    }
  }
}

export function maxPoolReluGradWasm({ inputs, backend }: MaxPoolReluGradArgs): TensorInfo[] {
  const { dy, y } = inputs;
  const shape = shapeOf(dy, y);
  const { batchSize, inHeight, inWidth, channels, outHeight, outWidth } = shape;
  const out = backend.makeOutput(y.shape, 'float32');
  const bias = backend.makeOutput([channels], 'float32');
  const sums = channels > 0 ? backend.makeOutput([channels], 'float32') : undefined;
  try {
    const simd = maxPoolReluGradTuning.simd && channels % 4 === 0 && batchSize * outHeight * outWidth * channels > 0 ? simdKernels(backend) : undefined;
    const at = { x: heapIndex(backend, y), dy: heapIndex(backend, dy), dx: heapIndex(backend, out) };
    zeroUncovered(heapF32(backend), at.dx, { batchSize, inHeight, inWidth, channels, coveredRows: 2 * outHeight, coveredCols: 2 * outWidth });
    const totals = new Float64Array(channels);
    if (simd !== undefined && sums !== undefined) simdRows(backend, simd, { ...at, sums: heapIndex(backend, sums) }, shape, totals);
    else jsWindows(heapF32(backend), at, shape, totals);
    heapF32(backend).set(totals, heapIndex(backend, bias));
  } catch (error) {
    backend.disposeData(out.dataId);
    backend.disposeData(bias.dataId);
    throw error;
  } finally {
    if (sums !== undefined) backend.disposeData(sums.dataId);
  }
  return [out, bias];
}
