/**
 * The training loop's contract with its engine, with a recording engine in place of TensorFlow:
 * augmentation only on training batches (never at validation), reshuffling per epoch from the seed,
 * Keras-shaped epoch logs, cancel between batches, and a stop on a non-finite loss.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEED_AUGMENTATION } from '../../src/trainer/data/augmentation';
import type { BatchInput, StepResult, TrainingEngine, TrainingState } from '../../src/trainer/engine/trainingEngine';
import { assembleBatch, epochOrder } from '../../src/trainer/train/batches';
import { CancelToken } from '../../src/trainer/train/cancellation';
import { evaluateLossAndAccuracy, fit, type EpochEndEvent } from '../../src/trainer/train/fit';
import type { BatchPixels } from '../../src/trainer/engine/devicePixels';

const SIDE = 6;
const PIXELS = SIDE * SIDE * 3;

function dataset(count: number) {
  const images = new Uint8Array(count * PIXELS);
  for (let i = 0; i < count; i++) {
    images.fill(10 + i, i * PIXELS, (i + 1) * PIXELS);
    images[i * PIXELS + 5] = 200; // an off-centre pixel, so any flip, rotation or zoom shows
  }
  return { count, height: SIDE, width: SIDE, images, labels: Int32Array.from({ length: count }, (_, i) => i % 2) };
}

/** Predicts 0.9 for every image and records what it was given. */
class RecordingEngine implements TrainingEngine {
  readonly backend = 'cpu' as const;
  readonly workers = 1;
  readonly makesPixels = false;
  readonly steps: BatchInput[] = [];
  readonly predicted: BatchPixels[] = [];
  constructor(private readonly loss: (step: number) => number = () => 0.5) {}
  async trainStep(batch: BatchInput): Promise<StepResult> {
    this.steps.push(batch);
    return { lossSum: this.loss(this.steps.length) * batch.size, correct: batch.size / 2 };
  }
  async predict(input: { pixels: BatchPixels; size: number }): Promise<Float32Array> {
    this.predicted.push(input.pixels);
    return new Float32Array(input.size).fill(0.9);
  }
  async getWeights(): Promise<Float32Array[]> {
    return [];
  }
  async getTrainingState(): Promise<TrainingState> {
    return { weights: [], optimizer: { iterations: this.steps.length, slots: [] } };
  }
  async dispose(): Promise<void> {}
}

describe('fit', () => {
  it('augments training batches only; validation sees the images unchanged', async () => {
    const train = dataset(6);
    const validation = dataset(4);
    const engine = new RecordingEngine();
    const epochs: EpochEndEvent[] = [];
    const outcome = await fit({
      engine, train, validation, numClasses: 2, epochs: 2, batchSize: 4, seed: 1, augmentation: SEED_AUGMENTATION,
      cancel: new CancelToken(), callbacks: [{ name: 'record', onEpochEnd: (e) => void epochs.push(e) }],
    });
    assert.equal(outcome.status, 'completed');
    assert.equal(engine.steps.length, 4, '6 images in batches of 4: 2 steps per epoch');
    const firstIndices = epochOrder({ count: 6, seed: 1, epoch: 1, shuffle: true }).slice(0, 4);
    const plain = assembleBatch({ data: train, indices: firstIndices });
    assert.deepEqual(engine.steps[0].labels, plain.labels, 'the first batch holds the epoch\'s first shuffled images');
    assert.notDeepEqual(engine.steps[0].pixels, plain.pixels, 'training pixels are augmented');
    const expectedValidation = assembleBatch({ data: validation, indices: [0, 1, 2, 3] }).pixels;
    for (const pixels of engine.predicted) assert.deepEqual(pixels, expectedValidation, 'validation pixels are exact');
    assert.deepEqual(epochs.map((e) => e.epoch), [1, 2]);
    assert.deepEqual(Object.keys(epochs[0].logs).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    assert.equal(epochs[0].logs.val_accuracy, 0.5, 'p = 0.9 is right for the 2 "1" labels of 4');
    assert.ok(Math.abs(epochs[0].logs.val_loss - (-Math.log(0.9) - Math.log(0.1)) / 2) < 1e-6);
  });

  it('validation: every image once, in order, one predict at a time, each output scored against its own batch', async () => {
    /** Answers 0.9 for the first batch and 0.1 after, a turn of the event loop later. */
    class OneAtATime extends RecordingEngine {
      outstanding = 0;
      most = 0;
      readonly sizes: number[] = [];
      override async predict(input: { pixels: BatchPixels; size: number }): Promise<Float32Array> {
        this.outstanding++;
        this.most = Math.max(this.most, this.outstanding);
        this.sizes.push(input.size);
        const first = this.sizes.length === 1;
        await new Promise((resolve) => setImmediate(resolve));
        this.outstanding--;
        return new Float32Array(input.size).fill(first ? 0.9 : 0.1);
      }
    }
    const engine = new OneAtATime();
    const result = await evaluateLossAndAccuracy({ engine, data: dataset(10), numClasses: 2, batchSize: 4 });
    assert.deepEqual(engine.sizes, [4, 4, 2]);
    assert.equal(engine.most, 1);
    // Labels alternate 0, 1: the first batch (p = 0.9) is right on its two 1s, the other six images (p = 0.1) on their three 0s.
    assert.equal(result.accuracy, 0.5);
    assert.ok(Math.abs(result.loss - (-5 * Math.log(0.9) - 5 * Math.log(0.1)) / 10) < 1e-6, `loss ${result.loss}`);
  });

  it('reshuffles every epoch, the same way for the same seed', () => {
    const a = epochOrder({ count: 50, seed: 3, epoch: 1, shuffle: true });
    assert.deepEqual(a, epochOrder({ count: 50, seed: 3, epoch: 1, shuffle: true }));
    assert.notDeepEqual(a, epochOrder({ count: 50, seed: 3, epoch: 2, shuffle: true }));
    assert.deepEqual([...a].sort((x, y) => x - y), [...Array(50).keys()]);
  });

  it('stops between batches when cancelled, without finishing the epoch', async () => {
    const cancel = new CancelToken();
    const engine = new RecordingEngine();
    const epochs: EpochEndEvent[] = [];
    const outcome = await fit({
      engine, train: dataset(12), validation: dataset(2), numClasses: 2, epochs: 3, batchSize: 2, seed: 1, cancel,
      callbacks: [{ name: 'record', onBatchEnd: (e) => void (e.batch === 2 && cancel.cancel('test')), onEpochEnd: (e) => void epochs.push(e) }],
    });
    assert.deepEqual(outcome, { status: 'cancelled', epochsDone: 0, reason: 'test' });
    assert.equal(engine.steps.length, 2);
    assert.equal(epochs.length, 0);
  });

  it('stops with "diverged" when the loss is not finite', async () => {
    const engine = new RecordingEngine((step) => (step === 3 ? Number.NaN : 0.7));
    const outcome = await fit({ engine, train: dataset(8), validation: dataset(2), numClasses: 2, epochs: 2, batchSize: 2, seed: 1, cancel: new CancelToken(), callbacks: [] });
    assert.equal(outcome.status, 'diverged');
    assert.match(outcome.status === 'diverged' ? outcome.reason : '', /learning rate/);
  });
});
