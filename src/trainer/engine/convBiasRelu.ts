/**
 * Conv2D(3x3 valid, stride 1) + bias + relu, optionally followed by 2x2 max pooling (stride 2, valid), as one
 * op for training, with its own gradient:
 * - forward: the FusedConv2D kernel, called directly (tf.fused.conv2d would not fuse here: while a gradient
 *   is recorded it runs separate Conv2D + Add + Relu ops); on wasm the project's convolution, bias and relu
 *   in the same pass (../backend/conv2dWasm.ts). Then MaxPool when pooling.
 * - backward: dyAct = dy * relu'(pre-activation) = dy * step(y) and the bias gradient (its sum over all axes
 *   but the last). With pooling, on backends with the project's 'SmallConvnetMaxPoolReluGrad' kernel (wasm:
 *   ../backend/maxPoolReluGradWasm.ts) that is one pass from the pooled gradient; without pooling, its
 *   'SmallConvnetReluGrad' (../backend/reluGradWasm.ts); elsewhere MaxPoolGrad, tf.mul(dy, tf.step(y))
 *   and tf.sum. Then the filter gradient, and the input gradient unless `inputGradient` is false (the first
 *   layer, whose input is the image: its x is not an input of the op at all, so no gradient, not even zeros,
 *   is made for it).
 * Runs on every backend: without the project's kernels it is made of standard kernels only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MAX_POOL_RELU_GRAD } from '../backend/maxPoolReluGradWasm';
import { RELU_GRAD as RELU_GRAD_KERNEL } from '../backend/reluGradWasm';

export interface ConvBiasReluOptions {
  /** False for the first conv layer: nothing upstream needs dL/dx. */
  inputGradient: boolean;
  /** A 2x2 max pooling of stride 2, no padding, after the relu: the op returns the pooled output. */
  pool2x2?: boolean;
}

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

/** [dy * step(y), sum of it over all axes but the last]. */
function reluAndBiasGradients(dy: tf.Tensor, y: tf.Tensor): [tf.Tensor4D, tf.Tensor1D] {
  if (hasKernel(RELU_GRAD_KERNEL)) {
    const [dyActivation, dBias] = tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, y }, { biasGradient: true }) as tf.Tensor[];
    return [dyActivation as tf.Tensor4D, dBias as tf.Tensor1D];
  }
  // relu'(pre-activation) = step(y): y > 0 exactly where the pre-activation is > 0.
  const dyActivation = tf.mul(dy, tf.step(y)) as tf.Tensor4D;
  return [dyActivation, tf.sum(dyActivation, [0, 1, 2])];
}

/** The same from the pooled output's gradient: back through the pooling first. */
function poolReluAndBiasGradients(dyPooled: tf.Tensor4D, y: tf.Tensor4D, pooled: tf.Tensor4D): [tf.Tensor4D, tf.Tensor1D] {
  if (hasKernel(MAX_POOL_RELU_GRAD)) {
    const [dyActivation, dBias] = tf.engine().runKernel(MAX_POOL_RELU_GRAD, { dy: dyPooled, y }) as tf.Tensor[];
    return [dyActivation as tf.Tensor4D, dBias as tf.Tensor1D];
  }
  const dy = tf.engine().runKernel('MaxPoolGrad', { dy: dyPooled, input: y, output: pooled }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor4D;
  return reluAndBiasGradients(dy, y);
}

export function convBiasRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, options: ConvBiasReluOptions): tf.Tensor4D {
  const forward = (xIn: tf.Tensor, filterIn: tf.Tensor, biasIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.engine().runKernel(
      'FusedConv2D',
      { x: xIn, filter: filterIn, bias: biasIn },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' },
    ) as tf.Tensor4D;
    const output = options.pool2x2 === true ? tf.maxPool(y, 2, 2, 'valid') : y;
    save([xIn, filterIn, y, output]);
    return {
      value: output,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, filterSaved, ySaved, outputSaved] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const [dyActivation, dBias] = options.pool2x2 === true ? poolReluAndBiasGradients(dy as tf.Tensor4D, ySaved, outputSaved) : reluAndBiasGradients(dy, ySaved);
        const dFilter = tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: xSaved, dy: dyActivation },
          { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: filterSaved.shape },
        ) as tf.Tensor4D;
        if (!options.inputGradient) return [dFilter, dBias];
        return [tf.conv2dTranspose(dyActivation, filterSaved, xSaved.shape, 1, 'valid'), dFilter, dBias];
      },
    };
  };
  // Without an input gradient, x is closed over, not an input: the gradient is asked for the filter and the bias only.
  const inputs = options.inputGradient ? [x, filter, bias] : [filter, bias];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[inputs.length] as tf.GradSaveFunc;
    const [xIn, filterIn, biasIn] = (options.inputGradient ? args : [x, ...args]) as tf.Tensor[];
    return forward(xIn, filterIn, biasIn, save);
  });
  return op(...inputs) as tf.Tensor4D;
}
