/**
 * This project's kernels for tfjs-backend-webgpu, registered once its module is loaded (openWebGpu.ts) and
 * before training: batches made on the GPU from their bytes (batchPixelsWebGpu.ts) and the convolutions'
 * filter gradient as a split-K product (conv2dBackpropFilterWebGpu.ts). Each is checked against the cpu
 * backend in test/webgpu/kernels.test.ts.
 */
import { registerBatchPixels } from './batchPixelsWebGpu';
import { registerWebGpuFilterGradient } from './conv2dBackpropFilterWebGpu';

export function registerWebGpuTrainingKernels(webgpu: typeof import('@tensorflow/tfjs-backend-webgpu')): void {
  registerBatchPixels(webgpu);
  registerWebGpuFilterGradient(webgpu);
}
