/**
 * `Conv2D` (forward convolution) for the tfjs wasm backend. Registered by
 * `registerWasmTrainingKernels()` in ./wasmTrainingKernels.ts in place of the built-in kernel
 * (XNNPACK), which it hands everything but its fast case to.
 *
 * Fast case (float32 NHWC, dilation 1, any stride and padding, in-channels >= 8, out-channels a
 * multiple of 8, output width >= 8, wasm SIMD available): per output row and filter tap, the
 * input row segment [M pixels, ci] (pixel stride sw*ci) times the filter tap W[kh, kw] [ci, co]
 * adds into the output row segment [M, co], by the register-tiled SIMD GEMM of
 * ./wasmSimdModule.ts (4 pixels x 8 channels per tile; ~10-15% faster than XNNPACK here). No im2col, no
 * packing, no copy. With fewer than 8 input channels (the first layer: 3) the reduction per tap
 * is too short for that loop, and with outputs narrower than 8 pixels (the last layer: 7) the row
 * tiles are ragged; XNNPACK is as fast or faster there, so it keeps those.
 */
import { backend_util, Conv2D, type Conv2DAttrs, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, heapIndex, runBuiltinWasmKernel } from './wasmKernelUtils';
import { simdKernels, type SimdKernels } from './wasmSimdModule';

export interface Conv2DArgs {
  inputs: { x: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DAttrs;
}

/** Strategy override for tests and benchmarks; where the SIMD path beat XNNPACK on this machine. */
export const conv2dTuning = { strategy: 'auto' as 'auto' | 'xnnpack', minInChannels: 8, minOutWidth: 8 };

export function conv2dWasm(args: Conv2DArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const possible =
    conv2dTuning.strategy === 'auto' &&
    (dataFormat === undefined || dataFormat === 'NHWC') &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    x.shape.length === 4 &&
    filter.shape.length === 4;
  if (possible) {
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides,
      dilations,
      pad,
      dimRoundingMode,
      false /* depthwise */,
      'channelsLast',
    );
    if (
      info.dilationHeight === 1 &&
      info.dilationWidth === 1 &&
      info.inChannels >= conv2dTuning.minInChannels &&
      info.outWidth >= conv2dTuning.minOutWidth &&
      info.outChannels % 8 === 0
    ) {
      const simd = simdKernels(backend);
      if (simd !== undefined) return conv2dDirect(x, filter, backend, info, simd);
    }
  }
  return runBuiltinWasmKernel(Conv2D, backend, inputs, attrs as unknown as NamedAttrMap);
}

function conv2dDirect(x: TensorInfo, filter: TensorInfo, backend: BackendWasm, info: backend_util.Conv2DInfo, simd: SimdKernels): TensorInfo {
  const { batchSize, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = backend.makeOutput(info.outShape, 'float32');
  const o0 = heapIndex(backend, out);
  heapF32(backend).fill(0, o0, o0 + batchSize * oh * ow * co);
  const xB = heapIndex(backend, x) * 4;
  const wB = heapIndex(backend, filter) * 4;
  const outB = o0 * 4;
  const aRow = sw * ci * 4;
  const gemm4 = simd.gemm[4];
  for (let b = 0; b < batchSize; b++) {
    for (let i = 0; i < oh; i++) {
      const rowB = outB + (b * oh + i) * ow * co * 4;
      for (let kh = 0; kh < fh; kh++) {
        const ih = i * sh + kh - top;
        if (ih < 0 || ih >= H) continue;
        for (let kw = 0; kw < fw; kw++) {
          // Output columns j whose input column j*sw + kw - left is inside [0, W).
          const jStart = Math.max(0, Math.ceil((left - kw) / sw));
          const jEnd = Math.min(ow, Math.floor((W - 1 + left - kw) / sw) + 1);
          const bAddr = wB + (kh * fw + kw) * ci * co * 4;
          let aAddr = xB + ((b * H + ih) * W + jStart * sw + kw - left) * ci * 4;
          let cAddr = rowB + jStart * co * 4;
          let m = jEnd - jStart;
          for (; m >= 4; m -= 4, aAddr += 4 * aRow, cAddr += 4 * co * 4) {
            gemm4(aAddr, aRow, 4, bAddr, co * 4, cAddr, co * 4, co, ci);
          }
          if (m > 0) simd.gemm[m](aAddr, aRow, 4, bAddr, co * 4, cAddr, co * 4, co, ci);
        }
      }
    }
  }
  return out;
}
