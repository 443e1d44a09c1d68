/**
 * The training forward pass (fused conv+bias+relu with its own gradient, dropout by mask) computes
 * the same loss and gradients as tfjs-layers' own model.apply(training) path, on cpu and wasm.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/trainer/backend/selectBackend';
import { dropoutMask, exampleSeeds } from '../../src/trainer/engine/dropoutMask';
import { TrainingCore } from '../../src/trainer/engine/trainingCore';
import { shardRanges } from '../../src/trainer/engine/trainingEngine';
import { sumLoss } from '../../src/trainer/train/lossAndMetrics';
import { Rng } from '../../src/trainer/util/rng';

const SIZE = 78;

function randomBatch(count: number, seed: number) {
  const rng = new Rng(seed);
  const pixels = Float32Array.from({ length: count * SIZE * SIZE * 3 }, () => rng.uniform(0, 255));
  const labels = Float32Array.from({ length: count }, (_, i) => i % 2);
  return { pixels, labels };
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

// The pure-JS cpu backend takes minutes for these shapes; wasm's kernels are checked against cpu in wasmGradients.test.ts.
for (const backend of ['wasm'] as const) {
  describe(`TrainingCore on ${backend}`, () => {
    it('gradients equal those of the tfjs-layers model (Model 1)', async () => {
      await selectBackend(backend);
      const core = new TrainingCore({ model: { recipe: 'scratch', imageSize: SIZE, numClasses: 2, seed: 3 }, optimizer: { learningRate: 1e-3 } });
      const { pixels, labels } = randomBatch(4, 1);
      const ours = await core.computeGradients({ pixels, labels, size: 4, seeds: [], batchSize: 4 });
      const reference = tf.tidy(() => {
        const x = tf.tensor4d(pixels, [4, SIZE, SIZE, 3]);
        const y = tf.tensor1d(labels);
        const variables = core.model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
        const { value, grads } = tf.variableGrads(() => tf.div(sumLoss(core.model.apply(x, { training: true }) as tf.Tensor, y), 4) as tf.Scalar, variables);
        return { loss: value.dataSync()[0] * 4, grads: variables.map((v) => grads[v.name].dataSync()) };
      });
      assert.ok(Math.abs(ours.lossSum - reference.loss) < 1e-4 * Math.abs(reference.loss));
      ours.gradients.forEach((g, i) => assert.ok(relativeError(g, reference.grads[i]) < 1e-4, `gradient ${i}: ${relativeError(g, reference.grads[i])}`));
      core.dispose();
    });

    it("computeGradientsInto writes those gradients back to back into one array (a worker's slot in shared memory), and refuses one of another size", async () => {
      await selectBackend(backend);
      const core = new TrainingCore({ model: { recipe: 'augmented', imageSize: SIZE, numClasses: 2, seed: 4 }, optimizer: { learningRate: 1e-3 } });
      try {
        const { pixels, labels } = randomBatch(3, 5);
        const input = { pixels, labels, size: 3, seeds: exampleSeeds({ seed: 2, epoch: 1, batch: 0, size: 3 }), batchSize: 4 };
        const separate = await core.computeGradients(input);
        const slot = new Float32Array(new SharedArrayBuffer(core.gradientFloats * 4)).fill(Number.NaN);
        const flat = await core.computeGradientsInto(input, slot);
        assert.deepEqual(slot, Float32Array.from(separate.gradients.flatMap((g) => Array.from(g))));
        assert.deepEqual(flat, { lossSum: separate.lossSum, correct: separate.correct });
        await assert.rejects(core.computeGradientsInto(input, new Float32Array(core.gradientFloats - 1)), new RegExp(`gradients of ${core.gradientFloats} floats do not fit a destination of ${core.gradientFloats - 1}`));
      } finally {
        core.dispose();
      }
    });

    it('a Model 2 step with dropout masks leaks no tensors and gives finite gradients', async () => {
      await selectBackend(backend);
      const core = new TrainingCore({ model: { recipe: 'augmented', imageSize: SIZE, numClasses: 2, seed: 3 }, optimizer: { learningRate: 1e-3 } });
      const { pixels, labels } = randomBatch(2, 2);
      const before = tf.memory().numTensors;
      const result = await core.computeGradients({ pixels, labels, size: 2, seeds: exampleSeeds({ seed: 1, epoch: 1, batch: 0, size: 2 }), batchSize: 2 });
      assert.equal(tf.memory().numTensors, before, 'no tensors leak from a step');
      assert.equal(result.gradients.length, 12);
      assert.ok(result.gradients.every((g) => g.every(Number.isFinite)));
      core.dispose();
    });
  });
}

describe('dropout masks and shards', () => {
  it('a mask depends only on the example seed, keeps ~1-rate of units, scaled by 1/(1-rate)', () => {
    const seeds = exampleSeeds({ seed: 7, epoch: 2, batch: 3, size: 4 });
    const whole = dropoutMask({ seeds, units: 1000, rate: 0.5 });
    const second = dropoutMask({ seeds: seeds.slice(2), units: 1000, rate: 0.5 });
    assert.deepEqual(whole.subarray(2000), second, 'a shard gets the same masks as in the whole batch');
    const kept = whole.filter((v) => v !== 0);
    assert.ok(kept.every((v) => v === 2));
    assert.ok(Math.abs(kept.length / whole.length - 0.5) < 0.05);
    assert.notDeepEqual(whole.subarray(0, 1000), whole.subarray(1000, 2000));
  });

  it('shards cover the batch in order, as evenly as possible', () => {
    assert.deepEqual(shardRanges(32, 2), [[0, 16], [16, 32]]);
    assert.deepEqual(shardRanges(7, 2), [[0, 4], [4, 7]]);
    assert.deepEqual(shardRanges(1, 4), [[0, 1]]);
  });
});
