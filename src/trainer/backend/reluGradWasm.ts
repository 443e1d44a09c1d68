/**
 * `SmallConvnetReluGrad`, a kernel of this project (wasm only): the gradient through a relu given
 * its output y, dy * step(y), in one pass instead of tfjs' two (Step, then Multiply), and, with
 * `biasGradient: true`, also the sum of that over every axis but the last (the bias gradient of the
 * conv or dense layer before the relu) in the same pass. ../engine/convBiasRelu.ts uses it when the
 * active backend has it, and tf.mul(dy, tf.step(y)) + tf.sum otherwise.
 *
 * Inputs {dy, y} (float32, same shape, rank >= 1); attrs {biasGradient?: boolean}. Outputs:
 * [dyAct] or [dyAct, biasGrad] (biasGrad of shape [C], C = the last dimension).
 *
 * The values are exactly those of tf.mul(dy, tf.step(y)): dy where y > 0, dy * 0 (a signed zero, or
 * NaN for an infinite dy) where y <= 0, NaN where y is NaN. The bias gradient adds short blocks of
 * pixels in float32 (wasm SIMD, 4 channels at a time) and the blocks in float64, like ./sumWasm.ts
 * (more accurate than the cpu backend's sequential float32 sum). SIMD when C % 4 == 0, else JS.
 */
import { util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex } from './wasmKernelUtils';
import { simdKernels } from './wasmSimdModule';

export const RELU_GRAD = 'SmallConvnetReluGrad';

export interface ReluGradAttrs {
  biasGradient?: boolean;
}

export interface ReluGradArgs {
  inputs: { dy: TensorInfo; y: TensorInfo };
  backend: BackendWasm;
  attrs?: ReluGradAttrs | NamedAttrMap;
}

/** Pixels per float32 block of the bias sums (then float64); tests shorten it. */
export const reluGradTuning = { blockPixels: 64, simd: true };

export function reluGradWasm({ inputs, backend, attrs }: ReluGradArgs): TensorInfo[] {
  const { dy, y } = inputs;
  if (dy.dtype !== 'float32' || y.dtype !== 'float32') {
    throw new Error(`${RELU_GRAD} needs float32 tensors, got ${dy.dtype} and ${y.dtype}.`);
  }
  if (!util.arraysEqual(dy.shape, y.shape) || dy.shape.length === 0) {
    throw new Error(`${RELU_GRAD}: dy [${dy.shape}] and y [${y.shape}] must have the same shape, of rank >= 1.`);
  }
  const withBias = (attrs as ReluGradAttrs | undefined)?.biasGradient === true;
  const size = util.sizeFromShape(dy.shape);
  const C = dy.shape[dy.shape.length - 1];
  const pixels = C === 0 ? 0 : size / C;

  const out = backend.makeOutput(dy.shape, 'float32');
  const bias = withBias ? backend.makeOutput([C], 'float32') : undefined;
  const sums = withBias && C > 0 ? backend.makeOutput([C], 'float32') : undefined;
  try {
    const simd = reluGradTuning.simd && C % 4 === 0 && size > 0 ? simdKernels(backend) : undefined;
    const dyI = heapIndex(backend, dy);
    const yI = heapIndex(backend, y);
    const outI = heapIndex(backend, out);
    const totals = new Float64Array(C);
    if (simd !== undefined) {
      if (sums === undefined) {
        simd.reluGrad(dyI * 4, yI * 4, outI * 4, pixels, C, 0);
      } else {
        const sI = heapIndex(backend, sums);
        const block = Math.max(1, reluGradTuning.blockPixels);
        for (let p0 = 0; p0 < pixels; p0 += block) {
          const n = Math.min(block, pixels - p0);
          const heap = heapF32(backend);
          heap.fill(0, sI, sI + C);
          const off = p0 * C * 4;
          simd.reluGrad(dyI * 4 + off, yI * 4 + off, outI * 4 + off, n, C, sI * 4);
          for (let c = 0; c < C; c++) totals[c] += heap[sI + c];
        }
      }
    } else {
      const heap = heapF32(backend);
      for (let p = 0; p < pixels; p++) {
        const base = p * C;
        for (let c = 0; c < C; c++) {
          const yv = heap[yI + base + c];
          const v = heap[dyI + base + c] * (yv > 0 ? 1 : yv !== yv ? Number.NaN : 0);
          heap[outI + base + c] = v;
          totals[c] += Math.fround(v);
        }
      }
    }
    if (bias !== undefined) heapF32(backend).set(totals, heapIndex(backend, bias));
  } catch (error) {
    backend.disposeData(out.dataId);
    if (bias !== undefined) backend.disposeData(bias.dataId);
    throw error;
  } finally {
    if (sums !== undefined) backend.disposeData(sums.dataId);
  }
  return bias === undefined ? [out] : [out, bias];
}
