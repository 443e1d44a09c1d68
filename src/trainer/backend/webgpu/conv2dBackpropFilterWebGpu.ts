/**
 * The filter gradient of a stride-1, unpadded NHWC convolution (every conv layer of the model) on WebGPU, as a
 * split-K matrix product: dW[k, n] = sum over m of patch(x)[m, k] * dy[m, n], with k = (ky, kx, ci), n = co and
 * m = (b, y, x) running over the whole batch. tfjs-backend-webgpu's own kernel gives each filter weight one thread
 * that walks all of m alone: at 180x180 and batch 32, the first layer's 864 weights are 864 threads each summing
 * 1.0 million products, far too few threads for a GPU. Here each workgroup computes a 32x32 tile of dW over one
 * chunk of m, through workgroup memory, and a second pass adds the chunks' partial tiles.
 * Other convolutions (strides, padding, dilation, NCHW) go to the built-in kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { DirectConvGeometry } from '../directConvWasm';
import { FlatProgram, type WebGpuUtil } from './flatProgram';

const TILE_K = 32;
const TILE_N = 32;
const TILE_M = 16;
/** Workgroups to aim for: enough to fill a large GPU several times over. */
const TARGET_WORKGROUPS = 1024;
/** The fewest rows of m one chunk sums (fewer would make the second pass the larger one). */
const MIN_CHUNK = 256;

/** The convolution's sizes (as the wasm kernels name them). */
export type FilterGradShape = Pick<
  DirectConvGeometry,
  'batchSize' | 'inHeight' | 'inWidth' | 'inChannels' | 'outHeight' | 'outWidth' | 'outChannels' | 'filterHeight' | 'filterWidth'
>;

/** How m is split into chunks: as many as it takes to give the GPU about TARGET_WORKGROUPS workgroups. */
export function chunkPlan(shape: FilterGradShape): { chunks: number; chunkRows: number } {
  const m = shape.batchSize * shape.outHeight * shape.outWidth;
  const k = shape.filterHeight * shape.filterWidth * shape.inChannels;
  const tiles = Math.ceil(k / TILE_K) * Math.ceil(shape.outChannels / TILE_N);
  const wanted = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.ceil(m / MIN_CHUNK)));
  const chunkRows = Math.ceil(Math.ceil(m / wanted) / TILE_M) * TILE_M;
  return { chunks: Math.ceil(m / chunkRows), chunkRows };
}

class PartialFilterGradProgram implements WebGPUProgram {
  readonly variableNames = ['x', 'dy'];
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout = { x: [2], y: [1], z: [0] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [16, 16, 1];

  constructor(
    private readonly shape: FilterGradShape,
    private readonly plan: { chunks: number; chunkRows: number },
  ) {
    const k = shape.filterHeight * shape.filterWidth * shape.inChannels;
    this.outputShape = [plan.chunks, k, shape.outChannels];
    this.dispatch = [Math.ceil(shape.outChannels / TILE_N), Math.ceil(k / TILE_K), plan.chunks];
    this.shaderKey = `smallConvnetFilterGrad_${Object.values(shape).join('_')}_${plan.chunkRows}`;
  }

  getUserCode(): string {
    const s = this.shape;
    const K = s.filterHeight * s.filterWidth * s.inChannels;
    const N = s.outChannels;
    const M = s.batchSize * s.outHeight * s.outWidth;
    return `
      var<workgroup> patches : array<array<f32, ${TILE_K}>, ${TILE_M}>;
      var<workgroup> grads : array<array<f32, ${TILE_N}>, ${TILE_M}>;
      var<workgroup> chunkStart : i32;

      // x at row m of the patch matrix, column k = (ky, kx, ci).
      fn patchValue(m : i32, k : i32) -> f32 {
        let b = m / ${s.outHeight * s.outWidth};
        let rest = m % ${s.outHeight * s.outWidth};
        let row = rest / ${s.outWidth};
        let col = rest % ${s.outWidth};
        let ky = k / ${s.filterWidth * s.inChannels};
        let kx = (k / ${s.inChannels}) % ${s.filterWidth};
        let ci = k % ${s.inChannels};
        return x[((b * ${s.inHeight} + row + ky) * ${s.inWidth} + col + kx) * ${s.inChannels} + ci];
      }

      fn main() {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let flat = i32(localIndex);
        let n0 = i32(workgroupId.x) * ${TILE_N};
        let k0 = i32(workgroupId.y) * ${TILE_K};
        // The chunk's rows bound the loop that holds the barriers, so they must be uniform in WGSL's eyes:
        // tfjs keeps the workgroup id in a private variable, which the uniformity analysis does not trust.
        if (flat == 0) { chunkStart = i32(workgroupId.z) * ${this.plan.chunkRows}; }
        let mStart = workgroupUniformLoad(&chunkStart);
        let mEnd = min(${M}, mStart + ${this.plan.chunkRows});
        var acc : array<array<f32, 2>, 2>;
        for (var m0 = mStart; m0 < mEnd; m0 = m0 + ${TILE_M}) {
          for (var l = flat; l < ${TILE_M * TILE_K}; l = l + 256) {
            let mm = l / ${TILE_K};
            let kk = l % ${TILE_K};
            let m = m0 + mm;
            let k = k0 + kk;
            var v = 0.0;
            if (m < mEnd && k < ${K}) { v = patchValue(m, k); }
            patches[mm][kk] = v;
          }
          for (var l = flat; l < ${TILE_M * TILE_N}; l = l + 256) {
            let mm = l / ${TILE_N};
            let nn = l % ${TILE_N};
            let m = m0 + mm;
            let n = n0 + nn;
            var v = 0.0;
            if (m < mEnd && n < ${N}) { v = dy[m * ${N} + n]; }
            grads[mm][nn] = v;
          }
          workgroupBarrier();
          for (var mm = 0; mm < ${TILE_M}; mm = mm + 1) {
            let p0 = patches[mm][ty * 2];
            let p1 = patches[mm][ty * 2 + 1];
            let g0 = grads[mm][tx * 2];
            let g1 = grads[mm][tx * 2 + 1];
            acc[0][0] = acc[0][0] + p0 * g0;
            acc[0][1] = acc[0][1] + p0 * g1;
            acc[1][0] = acc[1][0] + p1 * g0;
            acc[1][1] = acc[1][1] + p1 * g1;
          }
          workgroupBarrier();
        }
        // (Read from the uniforms, K * N: tfjs always binds its uniform buffer, so the shader must use it.)
        let base = i32(workgroupId.z) * uniforms.outShapeStrides[0];
        for (var i = 0; i < 2; i = i + 1) {
          let k = k0 + ty * 2 + i;
          for (var j = 0; j < 2; j = j + 1) {
            let n = n0 + tx * 2 + j;
            if (k < ${K} && n < ${N}) { setOutputAtIndex(base + k * ${N} + n, acc[i][j]); }
          }
        }
      }
    `;
  }
}

/** out[i] = sum over chunks c of partial[c, i]: one thread per filter weight, reading along c. */
class SumChunksProgram extends FlatProgram {
  readonly variableNames = ['partial'];

  constructor(
    private readonly chunks: number,
    filterShape: number[],
    util: WebGpuUtil,
  ) {
    super(filterShape, `smallConvnetSumChunks_${chunks}`, util);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var total = 0.0;
          for (var c = 0; c < ${this.chunks}; c = c + 1) { total = total + partial[c * uniforms.size + index]; }
          setOutputAtIndex(index, total);
        }
      }
    `;
  }
}

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: unknown;
  dataFormat: string;
  dimRoundingMode?: string;
  filterShape: [number, number, number, number];
}

function isOne(value: number | [number, number] | undefined): boolean {
  return value === undefined || value === 1 || (Array.isArray(value) && value.every((v) => v === 1));
}

/**
 * Replaces webgpu's Conv2DBackpropFilter with one that takes this path for the model's convolutions and hands
 * every other case to the kernel it replaced. A second call does nothing.
 */
export function registerWebGpuFilterGradient(webgpu: typeof import('@tensorflow/tfjs-backend-webgpu')): void {
  const builtIn = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
  if (builtIn === undefined || (builtIn.kernelFunc as { smallConvnet?: boolean }).smallConvnet) return;
  const kernelFunc: tf.KernelFunc & { smallConvnet?: boolean } = (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as FilterGradAttrs;
    const [filterHeight, filterWidth] = attrs.filterShape;
    const plain = attrs.pad === 'valid' && isOne(attrs.strides) && attrs.dataFormat === 'NHWC' && x.dtype === 'float32';
    if (!plain) return builtIn.kernelFunc(args);
    const backend = args.backend as WebGPUBackend;
    const [batchSize, inHeight, inWidth, inChannels] = x.shape;
    const [, outHeight, outWidth, outChannels] = dy.shape;
    const shape: FilterGradShape = { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth };
    const plan = chunkPlan(shape);
    const partial = backend.runWebGPUProgram(new PartialFilterGradProgram(shape, plan), [x, dy], 'float32');
    const summed = backend.runWebGPUProgram(new SumChunksProgram(plan.chunks, attrs.filterShape, webgpu.webgpu_util), [partial], 'float32');
    backend.disposeData(partial.dataId);
    return summed;
  };
  kernelFunc.smallConvnet = true;
  tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel({ ...builtIn, kernelFunc });
}
