/**
 * `Conv2D` and `FusedConv2D` (conv + bias + activation) for the tfjs wasm backend. Registered by
 * `registerWasmTrainingKernels()` in ./wasmTrainingKernels.ts in place of the built-in kernels
 * (XNNPACK), which they hand everything but their fast case to.
 *
 * Fast case (float32 NHWC, dilation 1, any stride and padding, out-channels a multiple of 8, wasm
 * SIMD available; for FusedConv2D also: no bias or a bias of out-channels elements, activation
 * 'linear' or 'relu'): the direct SIMD convolution of ./directConvWasm.ts, which starts its register
 * tiles from the bias and applies relu when it stores them: one pass, no separate Add and Relu.
 * No im2col, no packing, no copy. 25-35% faster than XNNPACK (FusedConv2D, bias and relu
 * included) on every layer of the model, the first (3 in-channels) and last (7x7 output) too.
 * 3x3 stride-1 convolutions with enough in-channels take Winograd's F(2x2, 3x3) instead
 * (./winogradConvWasm.ts: 2.25x fewer multiply-adds, bias and relu fused the same way).
 *
 * Training matters here: tf.fused.conv2d falls back to separate Conv2D + Add + Relu ops whenever a
 * gradient is being recorded, so ../engine/convBiasRelu.ts calls the FusedConv2D kernel directly.
 */
import {
  backend_util,
  Conv2D,
  FusedConv2D,
  util,
  type Conv2DAttrs,
  type FusedConv2DAttrs,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { directConv, geometryOf } from './directConvWasm';
import { nhwcConv2DInfo, runBuiltinWasmKernel } from './wasmKernelUtils';
import { simdKernels } from './wasmSimdModule';
import { useWinograd, winogradConv } from './winogradConvWasm';

export interface Conv2DArgs {
  inputs: { x: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DAttrs;
}

export interface FusedConv2DArgs {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: FusedConv2DAttrs;
}

/** Strategy override for tests and benchmarks: 'xnnpack' hands every call to the built-in kernel. */
export const conv2dTuning = { strategy: 'auto' as 'auto' | 'xnnpack' };

/** The shapes the direct path takes, or undefined (then the built-in kernel runs). */
function directConvInfo(
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Pick<Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dilations' | 'dimRoundingMode'>,
): backend_util.Conv2DInfo | undefined {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const possible =
    conv2dTuning.strategy === 'auto' &&
    (dataFormat === undefined || dataFormat === 'NHWC') &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    x.shape.length === 4 &&
    filter.shape.length === 4;
  if (!possible) return undefined;
  const info = nhwcConv2DInfo({ xShape: x.shape, filterShape: filter.shape, strides, dilations: dilations ?? 1, pad, dimRoundingMode });
  const ok = info.dilationHeight === 1 && info.dilationWidth === 1 && info.outChannels % 8 === 0;
  return ok ? info : undefined;
}

function runDirect(
  backend: BackendWasm,
  info: backend_util.Conv2DInfo,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  relu: boolean,
): TensorInfo | undefined {
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const out = backend.makeOutput(info.outShape, 'float32');
  if (util.sizeFromShape(info.outShape) === 0) return out;
  try {
    const geometry = geometryOf(info);
    if (useWinograd(geometry)) winogradConv({ backend, simd, geometry, x, filter, filterLayout: 'forward', bias, relu, out });
    else directConv(backend, simd, geometry, x, filter, bias, relu, out);
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  }
  return out;
}

export function conv2dWasm(args: Conv2DArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const info = directConvInfo(inputs.x, inputs.filter, attrs);
  const out = info && runDirect(backend, info, inputs.x, inputs.filter, undefined, false);
  return out ?? runBuiltinWasmKernel(Conv2D, backend, inputs, attrs as unknown as NamedAttrMap);
}

export function fusedConv2dWasm(args: FusedConv2DArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs;
  const activation = attrs.activation ?? 'linear';
  if ((activation === 'linear' || activation === 'relu') && preluActivationWeights == null) {
    const info = directConvInfo(x, filter, attrs);
    // A bias of one value per out-channel ([co], or [1, ..., 1, co]); other broadcasts: built-in.
    const biasFits =
      bias == null ||
      (bias.dtype === 'float32' && bias.shape.length >= 1 && info !== undefined && bias.shape.at(-1) === info.outChannels &&
        util.sizeFromShape(bias.shape) === info.outChannels);
    const out = info && biasFits && runDirect(backend, info, x, filter, bias ?? undefined, activation === 'relu');
    if (out) return out;
  }
  return runBuiltinWasmKernel(FusedConv2D, backend, inputs as unknown as Parameters<typeof runBuiltinWasmKernel>[2], attrs as unknown as NamedAttrMap);
}
