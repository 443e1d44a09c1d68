/**
 * Kernels the tfjs wasm backend (4.22.0) lacks, gets wrong, or runs far slower than it could, for
 * training. Importing this module does nothing; call `registerWasmTrainingKernels()` (idempotent)
 * after importing '@tensorflow/tfjs-backend-wasm' and before computing gradients on the 'wasm'
 * backend. It may be called before or after the wasm backend has started.
 *
 * - Conv2DBackpropFilter: missing in wasm; ./conv2dBackpropFilterWasm.ts.
 * - Conv2DBackpropInput: the built-in one is a naive C++ loop; ours for stride 1 NHWC, the built-in
 *   kernel otherwise; ./conv2dBackpropInputWasm.ts.
 * - MaxPoolGrad: the built-in one loses gradients in windows whose maximum is <= 0;
 *   ./maxPoolGradWasm.ts.
 * - MaxPool: 2x2 stride 2 (the model's) as straight-line SIMD, ~20% faster than XNNPACK and with
 *   the cpu backend's NaN rule; the built-in kernel otherwise; ./maxPoolWasm.ts.
 * - Sum: the built-in one copies (transposes) the whole input when the reduced axes are the
 *   leading ones, as in bias gradients; that case in JS, the built-in kernel otherwise; ./sumWasm.ts.
 * - Conv2D, FusedConv2D: XNNPACK's forward convolution, except for a multiple of 8 out-channels
 *   (and, fused, a per-channel bias and 'linear' or 'relu'), where the direct SIMD convolution of
 *   ./directConvWasm.ts is 15-40% faster and adds the bias and applies relu in the same pass;
 *   ./conv2dWasm.ts.
 * - SmallConvnetReluGrad (a kernel of this project, no built-in): dy * step(y) in one pass, and
 *   optionally the bias gradient in the same pass; ./reluGradWasm.ts.
 * - SmallConvnetMaxPoolReluGrad (a kernel of this project): back through 2x2 max pooling and the relu
 *   before it in one pass, with the bias gradient; ./maxPoolReluGradWasm.ts.
 * - Identity, Cast (to the same dtype): share the data instead of copying it; the engine clones
 *   every tensor it saves for the backward pass; ./identityWasm.ts, ./castWasm.ts.
 *
 * The replaced built-in kernels stay callable for the cases ours hand back (./wasmKernelUtils.ts).
 * The convolutions, MaxPoolGrad and the relu gradients run their inner loops in a small
 * hand-assembled wasm SIMD module working on the backend's own memory (./wasmSimdModule.ts; with
 * relaxed SIMD's fused multiply-add where the engine has it), with JS/XNNPACK fallbacks.
 */
import {
  Cast,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  FusedConv2D,
  Identity,
  MaxPool,
  MaxPoolGrad,
  Sum,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { castWasm } from './castWasm';
import { conv2DBackpropFilterWasm } from './conv2dBackpropFilterWasm';
import { conv2dWasm, fusedConv2dWasm } from './conv2dWasm';
import { conv2DBackpropInputWasm } from './conv2dBackpropInputWasm';
import { identityWasm } from './identityWasm';
import { maxPoolGradWasm } from './maxPoolGradWasm';
import { MAX_POOL_RELU_GRAD, maxPoolReluGradWasm } from './maxPoolReluGradWasm';
import { maxPoolWasm } from './maxPoolWasm';
import { RELU_GRAD, reluGradWasm } from './reluGradWasm';
import { sumWasm } from './sumWasm';
import { replaceWasmKernel } from './wasmKernelUtils';

/** The kernels `registerWasmTrainingKernels` puts in place, by kernel name. */
export const WASM_TRAINING_KERNELS: Readonly<Record<string, KernelFunc>> = {
  [Conv2D]: conv2dWasm as unknown as KernelFunc,
  [FusedConv2D]: fusedConv2dWasm as unknown as KernelFunc,
  [RELU_GRAD]: reluGradWasm as unknown as KernelFunc,
  [MAX_POOL_RELU_GRAD]: maxPoolReluGradWasm as unknown as KernelFunc,
  [Conv2DBackpropFilter]: conv2DBackpropFilterWasm as unknown as KernelFunc,
  [Conv2DBackpropInput]: conv2DBackpropInputWasm as unknown as KernelFunc,
  [MaxPool]: maxPoolWasm as unknown as KernelFunc,
  [MaxPoolGrad]: maxPoolGradWasm as unknown as KernelFunc,
  [Sum]: sumWasm as unknown as KernelFunc,
  [Identity]: identityWasm as unknown as KernelFunc,
  [Cast]: castWasm as unknown as KernelFunc,
};

export function registerWasmTrainingKernels(): void {
  for (const [name, kernelFunc] of Object.entries(WASM_TRAINING_KERNELS)) replaceWasmKernel(name, kernelFunc);
}
