/**
 * A tfjs-backend-webgpu program with one thread per output value (flat dispatch, workgroups of 64, the output
 * size in `uniforms.size`): what this project's simple element-wise kernels share. Subclasses give the inputs
 * and the WGSL body (`fn main(index : i32)`).
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export type WebGpuUtil = typeof import('@tensorflow/tfjs-backend-webgpu').webgpu_util;

export abstract class FlatProgram implements WebGPUProgram {
  abstract readonly variableNames: string[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;

  constructor(
    readonly outputShape: number[],
    readonly shaderKey: string,
    util: WebGpuUtil,
  ) {
    this.dispatchLayout = util.flatDispatchLayout(outputShape);
    this.dispatch = util.computeDispatch(this.dispatchLayout, outputShape, this.workgroupSize);
  }

  abstract getUserCode(): string;
}
