/** Copying weights between flat typed arrays (what threads and files carry) and a layers model. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Sets every weight of `model` (model.getWeights() order) from `weights`. */
export function setModelWeights(model: tfl.LayersModel, weights: Float32Array[]): void {
  const current = model.getWeights();
  if (weights.length !== current.length) throw new Error(`expected ${current.length} weight arrays, got ${weights.length}`);
  tf.tidy(() => model.setWeights(current.map((w, i) => tf.tensor(weights[i], w.shape))));
}
