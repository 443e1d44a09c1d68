/**
 * Grad-CAM (Selvaraju et al. 2017; Deep Learning with Python, 2nd ed., 9.4.3) for this project's Sequential
 * convnets: the gradient of the explained class's score with respect to the last convolution layer's activations,
 * averaged over the grid per channel, weights a sum of those activations; relu; divided by its maximum. The score
 * is the class's logit: for the softmax model the Dense output before softmax, for the binary sigmoid model the
 * logit z (the second class) or -z (the first: sigmoid(-z) is its probability). Dropout is inactive (inference).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface GradCamResult {
  /** The model's probabilities, one per class (a binary model's sigmoid p as [1 - p, p]). */
  probabilities: number[];
  predictedClass: number;
  explainedClass: number;
  /** [rows][columns] of the last conv layer's grid, 0..1 (all 0 when nothing pushed the class up). */
  heatmap: number[][];
}

/** The index of the model's last Conv2D layer: where Grad-CAM looks. */
export function lastConvIndex(model: tfl.LayersModel): number {
  const index = model.layers.map((layer) => layer.getClassName()).lastIndexOf('Conv2D');
  if (index < 0) throw new Error('the model has no Conv2D layer to explain');
  return index;
}

/** The layers after the last conv, as logits: Flatten, Dense without its activation; Dropout skipped. */
function headLogits(layers: readonly tfl.layers.Layer[], features: tf.Tensor): tf.Tensor2D {
  let y = features;
  for (const layer of layers) {
    const kind = layer.getClassName();
    if (kind === 'Dropout') continue;
    if (kind === 'Dense') {
      const [kernel, bias] = layer.getWeights();
      y = tf.add(tf.matMul(y as tf.Tensor2D, kernel as tf.Tensor2D), bias);
    } else {
      y = layer.apply(y) as tf.Tensor;
    }
  }
  return y as tf.Tensor2D;
}

export function gradCam(options: {
  model: tfl.LayersModel;
  /** One image: H * W * 3 RGB values 0..255 (decoded and resized as the trainer does). */
  pixels: Uint8Array | Float32Array;
  size: number;
  /** The class to explain (default: the predicted one). */
  classIndex?: number;
}): GradCamResult {
  const { model, size } = options;
  const last = lastConvIndex(model);
  const layers = model.layers;
  let result: GradCamResult | undefined;
  tf.tidy(() => {
    let features: tf.Tensor = tf.tensor4d(Float32Array.from(options.pixels), [1, size, size, 3]);
    for (const layer of layers.slice(0, last + 1)) features = layer.apply(features) as tf.Tensor;
    const head = layers.slice(last + 1);
    const logits = headLogits(head, features);
    const units = logits.shape[1];
    const binary = units === 1;
    const probabilities = binary ? Array.from(tf.sigmoid(logits).dataSync()).flatMap((p) => [1 - p, p]) : Array.from(tf.softmax(logits).dataSync());
    const predictedClass = probabilities.indexOf(Math.max(...probabilities));
    const explainedClass = options.classIndex ?? predictedClass;
    if (explainedClass < 0 || explainedClass >= probabilities.length) throw new Error(`class ${explainedClass} is not one of the model's ${probabilities.length}`);
    const score = (activations: tf.Tensor): tf.Scalar => {
      const z = headLogits(head, activations);
      if (!binary) return tf.sum(tf.slice(z, [0, explainedClass], [1, 1]));
      return explainedClass === 1 ? tf.sum(z) : (tf.neg(tf.sum(z)) as tf.Scalar);
    };
    const gradients = tf.grad(score)(features);
    const weights = tf.mean(gradients, [1, 2], true);
    const cam = tf.squeeze(tf.relu(tf.sum(tf.mul(features, weights), -1)), [0]) as tf.Tensor2D;
    const max = tf.max(cam).dataSync()[0];
    const normalised = max > 0 ? tf.div(cam, max) : tf.zerosLike(cam);
    result = { probabilities, predictedClass, explainedClass, heatmap: normalised.arraySync() as number[][] };
  });
  if (result === undefined) throw new Error('Grad-CAM produced nothing');
  return result;
}
