/**
 * `Sum` for the tfjs wasm backend, fast when the reduced axes are the leading ones: a tensor of
 * shape [A0, ..., Am-1, B0, ..., Bk-1] summed over axes [0, ..., m-1] (k >= 1). That is what bias
 * gradients do (sum an NHWC dy over [0, 1, 2]). The built-in wasm Sum first transposes the input
 * so that the reduced axes are innermost, i.e. copies the whole (often 100+ MB) tensor with a
 * strided pattern, then sums; here the data is read once, in order, by a JS loop over the heap view
 * into float64 accumulators (one per output element, eight input rows added per pass), so the
 * result is also more accurate.
 *
 * Everything else (other axes, non-float32 dtypes, a full reduction, empty tensors) goes to the
 * built-in kernel, kept by ./wasmKernelUtils.ts before it was unregistered.
 */
import { backend_util, Sum, util, type NamedAttrMap, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runBuiltinWasmKernel } from './wasmKernelUtils';

export interface SumArgs {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: SumAttrs;
}

/** Number of leading axes reduced if `axes` is exactly [0, 1, ..., m-1] with 0 < m < rank, else 0. */
export function leadingReducedAxes(axis: number | number[], shape: number[]): number {
  const rank = shape.length;
  const axes = [...new Set(util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return 0;
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

export function sumWasm(args: SumArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const { axis, keepDims } = attrs;
  const m = x.dtype === 'float32' ? leadingReducedAxes(axis, x.shape) : 0;
  const outer = util.sizeFromShape(x.shape.slice(0, m));
  const inner = util.sizeFromShape(x.shape.slice(m));
  if (m === 0 || outer === 0 || inner === 0) {
    return runBuiltinWasmKernel(Sum, backend, inputs, attrs as unknown as NamedAttrMap);
  }

  const outShape = keepDims
    ? backend_util.expandShapeToKeepDim(x.shape.slice(m), Array.from({ length: m }, (_, i) => i))
    : x.shape.slice(m);
  const out = backend.makeOutput(outShape, 'float32');
  // Views only after the allocation (makeOutput may grow the wasm memory and detach older views).
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const acc = new Float64Array(inner);
  // Eight rows per pass, added in float64, then into the accumulator: an eighth of its traffic.
  const s = inner;
  const outer8 = outer - (outer % 8);
  let i = 0;
  let off = 0;
  for (; i < outer8; i += 8, off += 8 * s) {
    for (let j = 0; j < s; j++) {
      const o = off + j;
      acc[j] +=
        xv[o] + xv[o + s] + (xv[o + 2 * s] + xv[o + 3 * s]) + (xv[o + 4 * s] + xv[o + 5 * s] + (xv[o + 6 * s] + xv[o + 7 * s]));
    }
  }
  for (; i < outer; i++, off += s) {
    for (let j = 0; j < s; j++) acc[j] += xv[off + j];
  }
  (backend.typedArrayFromHeap(out) as Float32Array).set(acc);
  return out;
}
