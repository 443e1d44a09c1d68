/**
 * Conv2D(3x3 valid, stride 1) + bias + relu as one op for training, with its own gradient:
 * - forward: the FusedConv2D kernel, called directly. (tf.fused.conv2d would not fuse here: while a
 *   gradient is recorded it runs separate Conv2D + Add + Relu ops.) On wasm that kernel is the
 *   project's direct SIMD convolution, bias and relu in the same pass (../backend/conv2dWasm.ts).
 * - backward: dyAct = dy * relu'(pre-activation) = dy * step(y); on backends with the project's
 *   'SmallConvnetReluGrad' kernel (wasm: ../backend/reluGradWasm.ts) that is one pass which also
 *   sums the bias gradient, elsewhere tf.mul(dy, tf.step(y)) and tf.sum. Then the filter gradient,
 *   and the input gradient except for the first layer, whose input is the image (nothing upstream).
 * Runs on every backend: without the project's kernels it is made of standard kernels only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRAD as RELU_GRAD_KERNEL } from '../backend/reluGradWasm';

export interface ConvBiasReluOptions {
  /** False for the first conv layer: nothing upstream needs dL/dx. */
  inputGradient: boolean;
}

/** [dy * step(y), sum of it over all axes but the last]. */
function reluAndBiasGradients(dy: tf.Tensor, y: tf.Tensor): [tf.Tensor4D, tf.Tensor1D] {
  if (tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) !== undefined) {
    const [dyActivation, dBias] = tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, y }, { biasGradient: true }) as tf.Tensor[];
    return [dyActivation as tf.Tensor4D, dBias as tf.Tensor1D];
  }
  // relu'(pre-activation) = step(y): y > 0 exactly where the pre-activation is > 0.
  const dyActivation = tf.mul(dy, tf.step(y)) as tf.Tensor4D;
  return [dyActivation, tf.sum(dyActivation, [0, 1, 2])];
}

export function convBiasRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, options: ConvBiasReluOptions): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, filterIn, biasIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const y = tf.engine().runKernel(
      'FusedConv2D',
      { x: xIn, filter: filterIn, bias: biasIn },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' },
    ) as tf.Tensor4D;
    save([xIn, filterIn, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, filterSaved, ySaved] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const [dyActivation, dBias] = reluAndBiasGradients(dy, ySaved);
        const dFilter = tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: xSaved, dy: dyActivation },
          { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: filterSaved.shape },
        ) as tf.Tensor4D;
        const dx = options.inputGradient
          ? tf.conv2dTranspose(dyActivation, filterSaved, xSaved.shape, 1, 'valid')
          : tf.zerosLike(xSaved);
        return [dx, dFilter, dBias];
      },
    };
  });
  return op(x, filter, bias) as tf.Tensor4D;
}
