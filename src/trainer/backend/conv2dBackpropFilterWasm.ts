/**
 * `Conv2DBackpropFilter` (the filter gradient of conv2d) for the tfjs wasm backend, which ships
 * without it. Registered by `registerWasmTrainingKernels()` in ./wasmTrainingKernels.ts.
 *
 * Stride 1 (the common case): the gradient is itself a convolution,
 *   dW[kh,kw,ci,co] = sum_{b,oh,ow} xPadded[b, oh+kh, ow+kw, ci] * dy[b, oh, ow, co],
 * so with the batch moved into the channel (reduction) axis,
 *   X' = transpose(x, [3,1,2,0])   : [ci, H, W, b]      (input; "batch" ci)
 *   F' = transpose(dy, [1,2,0,3])  : [oh, ow, b, co]    (filter)
 *   conv2d(X', F', stride 1, the forward pass's padding) : [ci, kh, kw, co]
 *   dW = transpose(that, [1,2,0,3]) : [kh, kw, ci, co]
 * all four steps run by the wasm backend's own kernels (Conv2D is XNNPACK). The padding is handed
 * to Conv2D as explicit padding, so no padded copy of x is made.
 *
 * Stride > 1: a plain-JS loop over the heap views (correct, not fast).
 */
import {
  backend_util,
  Conv2D,
  getKernel,
  Transpose,
  type Conv2DBackpropFilterAttrs,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export interface Conv2DBackpropFilterArgs {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}

type ConvInfo = backend_util.Conv2DInfo;

export function conv2DBackpropFilterWasm(args: Conv2DBackpropFilterArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;

  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(
      `Conv2DBackpropFilter on the wasm backend supports dataFormat 'NHWC' only, got '${dataFormat}'.`,
    );
  }
  for (const t of [x, dy]) {
    if (t.dtype !== 'float32') {
      throw new Error(`Conv2DBackpropFilter on the wasm backend needs float32 tensors, got ${t.dtype}.`);
    }
  }
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(`Conv2DBackpropFilter on the wasm backend needs rank-4 x and dy, got [${x.shape}] and [${dy.shape}].`);
  }

  const convInfo = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1 /* dilations: conv2d gradients only exist for dilation 1 */,
    pad,
    dimRoundingMode,
    false /* depthwise */,
    'channelsLast',
  );
  const expectedDy = convInfo.outShape;
  if (dy.shape.some((d, i) => d !== expectedDy[i])) {
    throw new Error(`Conv2DBackpropFilter: dy has shape [${dy.shape}], expected [${expectedDy}].`);
  }

  if (convInfo.strideHeight === 1 && convInfo.strideWidth === 1) {
    return filterGradByConvolution({ x, dy, backend, convInfo });
  }
  return filterGradNaive({ x, dy, backend, convInfo });
}

interface FilterGradArgs {
  x: TensorInfo;
  dy: TensorInfo;
  backend: BackendWasm;
  convInfo: ConvInfo;
}

/** Runs another wasm kernel directly (its setup already ran when the backend initialised). */
function runWasmKernel(opts: {
  name: string;
  backend: BackendWasm;
  inputs: NamedTensorInfoMap;
  attrs: NamedAttrMap;
}): TensorInfo {
  const kernel = getKernel(opts.name, 'wasm');
  if (kernel === undefined) {
    throw new Error(`Conv2DBackpropFilter (wasm) needs the wasm '${opts.name}' kernel, which is not registered.`);
  }
  return kernel.kernelFunc({ inputs: opts.inputs, backend: opts.backend, attrs: opts.attrs }) as TensorInfo;
}

/** Stride-1 fast path: one XNNPACK convolution with the batch as the reduction axis. */
function filterGradByConvolution({ x, dy, backend, convInfo }: FilterGradArgs): TensorInfo {
  const { top, bottom, left, right } = convInfo.padInfo;
  const { filterHeight, filterWidth, inChannels, outChannels } = convInfo;
  // Intermediates are backend-level TensorInfos the engine does not track: free them ourselves.
  // Freeing dyT also matters on the C++ side: wasm Conv2D caches an XNNPACK operator (holding a
  // packed copy of the filter, i.e. of dy) keyed by the filter's id, dropped when that id is disposed.
  const scratch: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => {
    scratch.push(t);
    return t;
  };
  try {
    const xT = keep(runWasmKernel({ name: Transpose, backend, inputs: { x }, attrs: { perm: [3, 1, 2, 0] } }));
    const dyT = keep(runWasmKernel({ name: Transpose, backend, inputs: { x: dy }, attrs: { perm: [1, 2, 0, 3] } }));
    // Always explicit padding, never 'same': for 'same' wasm Conv2D lets XNNPACK derive its own
    // padding from the *inner* conv's shapes, which would be wrong here.
    const noPadding = top === 0 && bottom === 0 && left === 0 && right === 0;
    const conv = keep(
      runWasmKernel({
        name: Conv2D,
        backend,
        inputs: { x: xT, filter: dyT },
        attrs: {
          strides: [1, 1],
          dilations: [1, 1],
          pad: noPadding ? 'valid' : [[0, 0], [top, bottom], [left, right], [0, 0]],
          dataFormat: 'NHWC',
        },
      }),
    );
    const expected = [inChannels, filterHeight, filterWidth, outChannels];
    if (conv.shape.some((d, i) => d !== expected[i])) {
      throw new Error(`Conv2DBackpropFilter (wasm): inner conv gave [${conv.shape}], expected [${expected}].`);
    }
    return runWasmKernel({ name: Transpose, backend, inputs: { x: conv }, attrs: { perm: [1, 2, 0, 3] } });
  } finally {
    for (const t of scratch) backend.disposeData(t.dataId);
  }
}

/** General path (stride > 1): direct summation in JS, accumulated in float64. */
function filterGradNaive({ x, dy, backend, convInfo }: FilterGradArgs): TensorInfo {
  const {
    batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    filterHeight, filterWidth, strideHeight, strideWidth,
  } = convInfo;
  const padTop = convInfo.padInfo.top;
  const padLeft = convInfo.padInfo.left;

  const acc = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  // Take heap views only after every allocation is done (makeOutput may grow the wasm memory,
  // which detaches older views), so allocate the output last, then view.
  const out = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  const xv = backend.typedArrayFromHeap(x);
  const dyv = backend.typedArrayFromHeap(dy);

  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyOff = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh - padTop;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw - padLeft;
            if (iw < 0 || iw >= inWidth) continue;
            const xOff = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wOff = (kh * filterWidth + kw) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xVal = xv[xOff + ci];
              if (xVal === 0) continue;
              const base = wOff + ci * outChannels;
              for (let co = 0; co < outChannels; co++) {
                acc[base + co] += xVal * dyv[dyOff + co];
              }
            }
          }
        }
      }
    }
  }
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}
