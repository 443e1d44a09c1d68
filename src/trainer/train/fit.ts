/**
 * The training loop: Keras' `model.fit(train, epochs, validation_data, callbacks)` for this project's
 * models, written out so that it can stop between any two batches and so that every number it
 * reports is a plain number. It never touches stdio: it reports through callbacks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EpochLogs } from '../../shared/trainerProtocol';
import type { AugmentationConfig } from '../data/augmentation';
import { deriveSeed } from '../util/rng';
import { assembleBatch, batchIndices, epochOrder, type LabeledImages } from './batches';
import type { CancelToken } from './cancellation';
import { countCorrect, meanLoss } from './lossAndMetrics';

export interface BatchEndEvent {
  epoch: number;
  batch: number;
  batches: number;
  /** Running means over the epoch so far. */
  loss: number;
  accuracy: number;
  msPerStep: number;
}

export interface EpochEndEvent {
  epoch: number;
  epochs: number;
  logs: EpochLogs;
  seconds: number;
}

/** Keras-style callbacks; async ones are awaited (e.g. saving a checkpoint). */
export interface FitCallbacks {
  onBatchEnd?(event: BatchEndEvent): void;
  onEpochEnd?(event: EpochEndEvent): void | Promise<void>;
}

export interface FitOptions {
  model: tfl.LayersModel;
  optimizer: tf.Optimizer;
  train: LabeledImages;
  validation: LabeledImages;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Applied to training batches only (Model 2). */
  augmentation?: AugmentationConfig;
  /** Epochs already done (resume); the first epoch trained is initialEpoch + 1. */
  initialEpoch?: number;
  cancel: CancelToken;
  callbacks: FitCallbacks;
}

export type FitOutcome =
  | { status: 'completed'; epochsDone: number }
  | { status: 'cancelled'; epochsDone: number; reason: string }
  | { status: 'diverged'; epochsDone: number; reason: string };

interface StepResult {
  loss: number;
  correct: number;
}

function trainStep(options: { model: tfl.LayersModel; optimizer: tf.Optimizer; pixels: Float32Array; labels: Float32Array; shape: [number, number, number, number] }): StepResult {
  const { model, optimizer } = options;
  return tf.tidy(() => {
    const x = tf.tensor4d(options.pixels, options.shape);
    const y = tf.tensor1d(options.labels);
    let correct: tf.Scalar | undefined;
    const loss = optimizer.minimize(() => {
      const probabilities = model.apply(x, { training: true }) as tf.Tensor;
      correct = tf.keep(countCorrect(probabilities, y));
      return meanLoss(probabilities, y);
    }, true) as tf.Scalar;
    const result = { loss: loss.dataSync()[0], correct: correct ? correct.dataSync()[0] : 0 };
    correct?.dispose();
    return result;
  });
}

/** Mean loss and accuracy of `model` on `data`, inference mode (no dropout, no augmentation). */
export function evaluateLossAndAccuracy(options: { model: tfl.LayersModel; data: LabeledImages; batchSize: number }): { loss: number; accuracy: number } {
  const { model, data, batchSize } = options;
  let lossSum = 0;
  let correct = 0;
  for (const indices of batchIndices(epochOrder({ count: data.count, seed: 0, epoch: 0, shuffle: false }), batchSize)) {
    const batch = assembleBatch({ data, indices });
    tf.tidy(() => {
      const x = tf.tensor4d(batch.pixels, [batch.size, data.height, data.width, 3]);
      const y = tf.tensor1d(batch.labels);
      const probabilities = model.apply(x, { training: false }) as tf.Tensor;
      lossSum += meanLoss(probabilities, y).dataSync()[0] * batch.size;
      correct += countCorrect(probabilities, y).dataSync()[0];
    });
  }
  return { loss: lossSum / Math.max(1, data.count), accuracy: correct / Math.max(1, data.count) };
}

export async function fit(options: FitOptions): Promise<FitOutcome> {
  const { model, optimizer, train, validation, epochs, batchSize, seed, cancel, callbacks } = options;
  const initialEpoch = options.initialEpoch ?? 0;
  for (let epoch = initialEpoch + 1; epoch <= epochs; epoch++) {
    const started = performance.now();
    const batches = batchIndices(epochOrder({ count: train.count, seed, epoch, shuffle: true }), batchSize);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < batches.length; b++) {
      const batch = assembleBatch({
        data: train,
        indices: batches[b],
        augmentation: options.augmentation,
        augmentationSeed: deriveSeed(seed, 2, epoch, b),
      });
      const step = trainStep({ model, optimizer, pixels: batch.pixels, labels: batch.labels, shape: [batch.size, train.height, train.width, 3] });
      lossSum += step.loss * batch.size;
      correct += step.correct;
      seen += batch.size;
      callbacks.onBatchEnd?.({
        epoch,
        batch: b + 1,
        batches: batches.length,
        loss: lossSum / seen,
        accuracy: correct / seen,
        msPerStep: (performance.now() - started) / (b + 1),
      });
      if (!Number.isFinite(step.loss)) {
        return {
          status: 'diverged',
          epochsDone: epoch - 1,
          reason: `The training loss became ${step.loss} at epoch ${epoch}, batch ${b + 1}: the learning rate is too high for this data. Lower --learning-rate (the seed uses 0.001).`,
        };
      }
      // Let stdin (cancel) and signals be handled between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (cancel.cancelled) return { status: 'cancelled', epochsDone: epoch - 1, reason: cancel.why ?? 'cancelled' };
    }
    const val = evaluateLossAndAccuracy({ model, data: validation, batchSize });
    const logs: EpochLogs = { loss: lossSum / seen, accuracy: correct / seen, val_loss: val.loss, val_accuracy: val.accuracy };
    await callbacks.onEpochEnd?.({ epoch, epochs, logs, seconds: (performance.now() - started) / 1000 });
    if (cancel.cancelled) return { status: 'cancelled', epochsDone: epoch, reason: cancel.why ?? 'cancelled' };
  }
  return { status: 'completed', epochsDone: epochs };
}
