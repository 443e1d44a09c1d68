/**
 * Conv2D(3x3 valid, stride 1) + bias + relu as one op for training, with its own gradient:
 * the forward pass is a single fused kernel (XNNPACK conv+bias+relu on wasm), and the backward
 * pass skips the input gradient of the first layer, whose input is the image (no weights behind it).
 * Runs on every backend: it is made of standard kernels only.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ConvBiasReluOptions {
  /** False for the first conv layer: nothing upstream needs dL/dx. */
  inputGradient: boolean;
}

export function convBiasRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, options: ConvBiasReluOptions): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, filterIn, biasIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const y = tf.fused.conv2d({
      x: xIn as tf.Tensor4D,
      filter: filterIn as tf.Tensor4D,
      bias: biasIn,
      strides: 1,
      pad: 'valid',
      activation: 'relu',
    });
    save([xIn, filterIn, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, filterSaved, ySaved] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        // relu'(pre-activation) = step(y): y > 0 exactly where the pre-activation is > 0.
        const dyActivation = tf.mul(dy, tf.step(ySaved)) as tf.Tensor4D;
        const dFilter = tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: xSaved, dy: dyActivation },
          { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: filterSaved.shape },
        ) as tf.Tensor4D;
        const dBias = tf.sum(dyActivation, [0, 1, 2]);
        const dx = options.inputGradient
          ? tf.conv2dTranspose(dyActivation, filterSaved, xSaved.shape, 1, 'valid')
          : tf.zerosLike(xSaved);
        return [dx, dFilter, dBias];
      },
    };
  });
  return op(x, filter, bias) as tf.Tensor4D;
}
