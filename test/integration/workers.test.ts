/**
 * Data-parallel training: the same seed and batches give the same weights with 1 and 2 workers
 * (beyond float rounding), with Model 2's dropout and augmentation on. Uses the built worker bundle.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { SEED_AUGMENTATION } from '../../src/trainer/data/augmentation';
import { exampleSeeds } from '../../src/trainer/engine/dropoutMask';
import { WorkerPoolEngine } from '../../src/trainer/engine/workerPoolEngine';
import { buildModel, type ModelOptions } from '../../src/trainer/model/buildModel';
import { selectBackend } from '../../src/trainer/backend/selectBackend';
import { TrainingCore } from '../../src/trainer/engine/trainingCore';
import { assembleBatch, gatherBatch } from '../../src/trainer/train/batches';
import { Rng } from '../../src/trainer/util/rng';

const WORKER = join(__dirname, '..', '..', 'dist', 'trainer', 'trainingWorker.js');
const SIZE = 78;

function syntheticImages(count: number, seed: number) {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * SIZE * SIZE * 3);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < SIZE * SIZE * 3; p++) images[i * SIZE * SIZE * 3 + p] = labels[i] ? 60 + rng.int(196) : rng.int(196);
  }
  return { count, height: SIZE, width: SIZE, images, labels };
}

/** `gather`: send the images' bytes and augmentation maps (each worker makes its shard's pixels) instead of float pixels. */
async function trainSteps(workers: number, model: ModelOptions, initialWeights: Float32Array[], batchSize = 7, options: { gather?: boolean } = {}): Promise<{ weights: Float32Array[]; losses: number[] }> {
  const engine = await WorkerPoolEngine.start({ workers, backend: 'wasm', model, optimizer: { learningRate: 1e-3 }, initialWeights, workerScript: WORKER });
  try {
    const data = syntheticImages(7, 11);
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const indices = Array.from({ length: batchSize }, (_, i) => (i + step) % 7);
      const batch = (options.gather ? gatherBatch : assembleBatch)({ data, indices, augmentation: SEED_AUGMENTATION, augmentationSeed: 100 + step });
      const result = await engine.trainStep({ ...batch, seeds: exampleSeeds({ seed: 5, epoch: 1, batch: step, size: batch.size }) });
      losses.push(result.lossSum / batch.size);
    }
    return { weights: await engine.getWeights(), losses };
  } finally {
    await engine.dispose();
  }
}

function initialWeightsOf(model: ModelOptions): Float32Array[] {
  const host = buildModel(model);
  const initial = host.getWeights().map((w) => new Float32Array(w.dataSync()));
  host.dispose();
  return initial;
}

function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

describe('worker pool', () => {
  it('1 worker and 2 workers reach the same weights after 3 steps of Model 2 (odd batch of 7)', async () => {
    await tf.setBackend('cpu');
    const model: ModelOptions = { recipe: 'augmented', imageSize: SIZE, numClasses: 2, seed: 9 };
    const host = buildModel(model);
    const initial = host.getWeights().map((w) => new Float32Array(w.dataSync()));
    host.dispose();
    const one = await trainSteps(1, model, initial);
    const two = await trainSteps(2, model, initial);
    one.losses.forEach((loss, i) => assert.ok(Math.abs(loss - two.losses[i]) < 1e-5, `step ${i}: ${loss} vs ${two.losses[i]}`));
    assert.equal(one.weights.length, two.weights.length);
    one.weights.forEach((w, i) => {
      assert.ok(maxRelativeError(two.weights[i], w) < 1e-4, `weight ${i}: relative error ${maxRelativeError(two.weights[i], w)}`);
      assert.ok(maxRelativeError(w, initial[i]) > 1e-6, `weight ${i} changed from its initial value`);
    });
  });

  it("each worker augments its own shard from the batch's bytes and maps: the same steps, bit for bit, as float pixels augmented on this thread", async () => {
    await tf.setBackend('cpu');
    const model: ModelOptions = { recipe: 'augmented', imageSize: SIZE, numClasses: 2, seed: 10 };
    const initial = initialWeightsOf(model);
    const floats = await trainSteps(2, model, initial);
    const gathered = await trainSteps(2, model, initial, 7, { gather: true });
    assert.deepEqual(gathered.losses, floats.losses);
    assert.deepEqual(gathered.weights, floats.weights);
  });

  it("one worker trains bit for bit as one replica with tfjs' own rmsprop on this thread (the shared optimizer's arithmetic and the copy of the weights into the replica)", async () => {
    await selectBackend('wasm');
    const model: ModelOptions = { recipe: 'augmented', imageSize: SIZE, numClasses: 2, seed: 14 };
    const initial = initialWeightsOf(model);
    const pool = await trainSteps(1, model, initial);
    const core = new TrainingCore({ model, optimizer: { learningRate: 1e-3 }, weights: initial });
    try {
      const data = syntheticImages(7, 11);
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) {
        const batch = assembleBatch({ data, indices: Array.from({ length: 7 }, (_, i) => (i + step) % 7), augmentation: SEED_AUGMENTATION, augmentationSeed: 100 + step });
        const result = await core.trainStep({ ...batch, seeds: exampleSeeds({ seed: 5, epoch: 1, batch: step, size: batch.size }), batchSize: batch.size });
        losses.push(result.lossSum / batch.size);
      }
      assert.deepEqual(pool.losses, losses);
      assert.deepEqual(pool.weights, await core.getWeights());
    } finally {
      core.dispose();
    }
  });

  it('a batch with fewer images than workers (2 images, 3 workers: one adds zeros to the sum) trains bit for bit as 2 workers do', async () => {
    await tf.setBackend('cpu');
    const model: ModelOptions = { recipe: 'scratch', imageSize: SIZE, numClasses: 2, seed: 12 };
    const initial = initialWeightsOf(model);
    // One image per shard either way, so the same kernels; x + 0 is x.
    const two = await trainSteps(2, model, initial, 2);
    const three = await trainSteps(3, model, initial, 2);
    assert.deepEqual(three.losses, two.losses);
    assert.deepEqual(three.weights, two.weights);
    assert.ok(three.weights.some((w, i) => maxRelativeError(w, initial[i]) > 1e-6), 'the weights moved');
  });

  it("a worker that fails mid-step fails the step with its own error; the worker waiting for its gradients is woken, not left hanging", async () => {
    await tf.setBackend('cpu');
    const model: ModelOptions = { recipe: 'scratch', imageSize: SIZE, numClasses: 2, seed: 13 };
    const engine = await WorkerPoolEngine.start({ workers: 2, backend: 'wasm', model, optimizer: { learningRate: 1e-3 }, initialWeights: initialWeightsOf(model), workerScript: WORKER });
    try {
      const batch = assembleBatch({ data: syntheticImages(4, 3), indices: [0, 1, 2, 3] });
      // The second worker's shard is cut short: its tensor cannot be made; the first computes its gradients and waits.
      const pixels = batch.pixels.slice(0, batch.pixels.length - 5);
      const step = engine.trainStep({ ...batch, pixels, seeds: exampleSeeds({ seed: 1, epoch: 1, batch: 0, size: 4 }) });
      await assert.rejects(step, (error: Error) => {
        assert.match(error.message, /training-worker-2: /, 'the failing worker is named');
        assert.doesNotMatch(error.message, /another training worker failed/, 'its own error, not the one it caused in the other');
        return true;
      });
      // The exchange stays closed: the next step fails at once, it does not wait for anyone.
      await assert.rejects(engine.trainStep({ ...batch, seeds: exampleSeeds({ seed: 1, epoch: 1, batch: 1, size: 4 }) }), /another training worker failed/);
    } finally {
      await engine.dispose();
    }
  });

  it('predicts the same outputs as the host model with the same weights', async () => {
    await tf.setBackend('cpu');
    const model: ModelOptions = { recipe: 'scratch', imageSize: SIZE, numClasses: 2, seed: 4 };
    const host = buildModel(model);
    const initial = host.getWeights().map((w) => new Float32Array(w.dataSync()));
    const engine = await WorkerPoolEngine.start({ workers: 2, backend: 'wasm', model, optimizer: { learningRate: 1e-3 }, initialWeights: initial, workerScript: WORKER });
    try {
      const data = syntheticImages(5, 2);
      const batch = assembleBatch({ data, indices: [0, 1, 2, 3, 4] });
      const outputs = await engine.predict({ pixels: batch.pixels, size: batch.size });
      const expected = tf.tidy(() => (host.apply(tf.tensor4d(batch.pixels, [5, SIZE, SIZE, 3])) as tf.Tensor).dataSync());
      assert.equal(outputs.length, 5);
      outputs.forEach((o, i) => assert.ok(Math.abs(o - expected[i]) < 1e-5, `${o} vs ${expected[i]}`));
      // The bytes alone (what fit sends for validation): each worker makes its shard's pixels, the same outputs.
      assert.deepEqual(await engine.predict({ pixels: gatherBatch({ data, indices: [0, 1, 2, 3, 4] }).pixels, size: 5 }), outputs);
    } finally {
      await engine.dispose();
      host.dispose();
    }
  });
});
