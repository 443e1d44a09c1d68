/**
 * The training loop: Keras' `model.fit(train, epochs, validation_data, callbacks)` for this project's
 * models, written out so that it can stop between any two batches, so that the next batch is
 * prepared (gathered, and augmented unless the engine does that itself) while the engine computes the
 * current step, and so that every number
 * it reports is a plain number. It never touches stdio: it reports through callbacks.
 */
import type { EpochLogs } from '../../shared/trainerProtocol';
import { flagNote } from '../../shared/settingWords';
import type { AugmentationConfig } from '../data/augmentation';
import { exampleSeeds } from '../engine/dropoutMask';
import type { BatchInput, TrainingEngine } from '../engine/trainingEngine';
import { deriveSeed } from '../util/rng';
import { batchAssembler, batchIndices, epochOrder, type LabeledImages } from './batches';
import { CallbackList, type TrainingCallback } from './callbacks/trainingCallback';

export type { BatchEndEvent, EpochEndEvent } from './callbacks/trainingCallback';
import type { CancelToken } from './cancellation';
import { outputLossAndCorrect } from './lossAndMetrics';

export interface FitOptions {
  engine: TrainingEngine;
  train: LabeledImages;
  validation: LabeledImages;
  numClasses: number;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Applied to training batches only (Model 2). */
  augmentation?: AugmentationConfig;
  /** Epochs already done (resume); the first epoch trained is initialEpoch + 1. */
  initialEpoch?: number;
  cancel: CancelToken;
  /** Keras-style callbacks (callbacks/), called in this order; async ones are awaited. */
  callbacks: readonly TrainingCallback[];
}

export type FitOutcome =
  | { status: 'completed'; epochsDone: number }
  | { status: 'cancelled'; epochsDone: number; reason: string }
  | { status: 'diverged'; epochsDone: number; reason: string };

/**
 * An epoch whose mean training loss is this many times that of a model that only guesses (ln of the
 * number of classes) has diverged: healthy training starts near the guess and goes down; a learning
 * rate far too high saturates the outputs at the clipping bound (binary: about 8, the guess 0.69).
 */
export const EXPLODED_LOSS_FACTOR = 4;

function divergedReason(what: string): string {
  return `${what}: the learning rate is too high for this data. Lower the learning rate ${flagNote('--learning-rate')}; the seed uses 0.001.`;
}

/**
 * Mean loss and accuracy on `data` in inference mode (no dropout, no augmentation). Each batch is made while
 * the engine predicts the one before, as training batches are, so making batches is not on the critical path.
 */
export async function evaluateLossAndAccuracy(options: { engine: TrainingEngine; data: LabeledImages; numClasses: number; batchSize: number }): Promise<{ loss: number; accuracy: number }> {
  const { engine, data, numClasses, batchSize } = options;
  let lossSum = 0;
  let correct = 0;
  const order = epochOrder({ count: data.count, seed: 0, epoch: 0, shuffle: false });
  const batches = batchIndices(order, batchSize);
  const assemble = batchAssembler(engine);
  const make = (indices: number[]) => assemble({ data, indices });
  let next = batches.length > 0 ? make(batches[0]) : undefined;
  for (let i = 0; next !== undefined; i++) {
    const batch = next;
    const predicted = engine.predict({ pixels: batch.pixels, size: batch.size });
    next = i + 1 < batches.length ? make(batches[i + 1]) : undefined;
    const outputs = await predicted;
    const result = outputLossAndCorrect({ outputs, labels: batch.labels, numClasses });
    lossSum += result.lossSum;
    correct += result.correct;
  }
  return { loss: lossSum / Math.max(1, data.count), accuracy: correct / Math.max(1, data.count) };
}

function trainingBatch(options: { fit: FitOptions; epoch: number; batch: number; indices: number[] }): BatchInput {
  const { fit, epoch, batch, indices } = options;
  // The same draws either way: augmented here, or (makesPixels) by the engine, on its GPU or in its workers.
  const assembled = batchAssembler(fit.engine)({
    data: fit.train,
    indices,
    augmentation: fit.augmentation,
    augmentationSeed: deriveSeed(fit.seed, 2, epoch, batch),
  });
  return {
    pixels: assembled.pixels,
    labels: assembled.labels,
    size: assembled.size,
    seeds: exampleSeeds({ seed: fit.seed, epoch, batch, size: assembled.size }),
  };
}

export async function fit(options: FitOptions): Promise<FitOutcome> {
  const { engine, train, validation, epochs, batchSize, seed, cancel } = options;
  const callbacks = new CallbackList(options.callbacks, () => engine.getTrainingState());
  const initialEpoch = options.initialEpoch ?? 0;
  for (let epoch = initialEpoch + 1; epoch <= epochs; epoch++) {
    const started = performance.now();
    const batches = batchIndices(epochOrder({ count: train.count, seed, epoch, shuffle: true }), batchSize);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let next = trainingBatch({ fit: options, epoch, batch: 0, indices: batches[0] });
    for (let b = 0; b < batches.length; b++) {
      const current = next;
      const step = engine.trainStep(current);
      // While the engine computes, prepare the next batch on this thread.
      if (b + 1 < batches.length) next = trainingBatch({ fit: options, epoch, batch: b + 1, indices: batches[b + 1] });
      const result = await step;
      lossSum += result.lossSum;
      correct += result.correct;
      seen += current.size;
      callbacks.batchEnd({
        epoch,
        batch: b + 1,
        batches: batches.length,
        loss: lossSum / seen,
        accuracy: correct / seen,
        msPerStep: (performance.now() - started) / (b + 1),
      });
      if (!Number.isFinite(result.lossSum)) {
        return { status: 'diverged', epochsDone: epoch - 1, reason: divergedReason(`The training loss became ${result.lossSum / current.size} at epoch ${epoch}, batch ${b + 1}`) };
      }
      // Let stdin (cancel) and signals be handled between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (cancel.cancelled) return { status: 'cancelled', epochsDone: epoch - 1, reason: cancel.why ?? 'cancelled' };
    }
    const val = await evaluateLossAndAccuracy({ engine, data: validation, numClasses: options.numClasses, batchSize });
    if (!Number.isFinite(val.loss)) {
      return { status: 'diverged', epochsDone: epoch - 1, reason: divergedReason(`The validation loss became ${val.loss} after epoch ${epoch}`) };
    }
    const logs: EpochLogs = { loss: lossSum / seen, accuracy: correct / seen, val_loss: val.loss, val_accuracy: val.accuracy };
    await callbacks.epochEnd({ epoch, epochs, logs, seconds: (performance.now() - started) / 1000 });
    const guessing = Math.log(options.numClasses);
    if (logs.loss > EXPLODED_LOSS_FACTOR * guessing) {
      const what = `The training loss exploded to ${logs.loss.toFixed(2)} in epoch ${epoch} (a model that only guesses scores ${guessing.toFixed(3)}; its outputs saturated)`;
      return { status: 'diverged', epochsDone: epoch, reason: divergedReason(what) };
    }
    if (cancel.cancelled) return { status: 'cancelled', epochsDone: epoch, reason: cancel.why ?? 'cancelled' };
  }
  return { status: 'completed', epochsDone: epochs };
}
