/**
 * Keras' losses and accuracy on probabilities: binary cross-entropy for one sigmoid unit,
 * categorical cross-entropy for a softmax over N classes. Probabilities are clipped to
 * [1e-7, 1 - 1e-7] as Keras does (backend epsilon).
 */
import * as tf from '@tensorflow/tfjs-core';

export const EPSILON = 1e-7;

/** Sum of the per-example losses of a batch. `labels` are class indices as float32, shape [batch]. */
export function sumLoss(probabilities: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const p = tf.clipByValue(probabilities, EPSILON, 1 - EPSILON);
    if (probabilities.shape[1] === 1) {
      const y = tf.reshape(labels, [-1, 1]);
      return tf.neg(tf.sum(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tf.Scalar;
    }
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), probabilities.shape[1] as number);
    return tf.neg(tf.sum(tf.mul(oneHot, tf.log(p)))) as tf.Scalar;
  });
}

/** Predicted class index per example, shape [batch]. */
export function predictedClasses(probabilities: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    if (probabilities.shape[1] === 1) return tf.cast(tf.greater(tf.reshape(probabilities, [-1]), 0.5), 'float32') as tf.Tensor1D;
    return tf.cast(tf.argMax(probabilities, -1), 'float32') as tf.Tensor1D;
  });
}

/** Number of correct predictions in the batch, as a scalar. */
export function countCorrect(probabilities: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(predictedClasses(probabilities), labels), 'float32')));
}

/** Per-example probability of each class, as plain arrays (2 classes: [1 - p, p]). */
export function classProbabilities(probabilities: Float32Array | Int32Array | Uint8Array, numClasses: number): number[][] {
  const rows: number[][] = [];
  if (numClasses === 2) {
    for (const p of probabilities) rows.push([1 - p, p]);
    return rows;
  }
  for (let i = 0; i < probabilities.length; i += numClasses) rows.push(Array.from(probabilities.subarray(i, i + numClasses)));
  return rows;
}

/** Loss and accuracy of model outputs ([count * units], probabilities) against class-index labels, in plain JS. */
export function outputLossAndCorrect(options: { outputs: Float32Array; labels: ArrayLike<number>; numClasses: number }): { lossSum: number; correct: number } {
  const rows = classProbabilities(options.outputs, options.numClasses);
  let lossSum = 0;
  let correct = 0;
  rows.forEach((probabilities, i) => {
    const label = options.labels[i];
    if (predictedClass(probabilities) === label) correct++;
    lossSum += exampleLoss(probabilities[label]);
  });
  return { lossSum, correct };
}

/** Cross-entropy of one example given the probability of its true class (clipped as Keras does). */
export function exampleLoss(probabilityOfLabel: number): number {
  return -Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, probabilityOfLabel)));
}

/** Index of the most probable class (the first one on a tie, like argMax). */
export function predictedClass(probabilities: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[best]) best = c;
  return best;
}
