/**
 * The worker pool's RMSprop in shared memory (src/trainer/engine/sharedRmsprop.ts) against tfjs' own rmsprop, the
 * optimizer of the main-thread engines: the same weights and state bit for bit, step after step, on cpu and on
 * wasm (the pool's backend), however the floats are cut into slices; and a state saved by either resumes in the
 * other.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/trainer/backend/selectBackend';
import { createOptimizerBuffer, RMSPROP, SharedRmsprop } from '../../src/trainer/engine/sharedRmsprop';
import { Rng } from '../../src/trainer/util/rng';

const SIZES = [7, 1, 12];
const LEARNING_RATE = 1e-3;

function randomArrays(seed: number, scale: number): Float32Array[] {
  const rng = new Rng(seed);
  return SIZES.map((size) => Float32Array.from({ length: size }, () => (rng.next() - 0.5) * scale * (rng.int(4) === 0 ? 1e-4 : 1)));
}

/** tfjs' rmsprop as TrainingCore makes it, on variables starting at `initial`; the weights and state after each step. */
async function tfjsSteps(initial: Float32Array[], gradients: Float32Array[][]) {
  const variables = initial.map((values, i) => tf.variable(tf.tensor1d(values), true, `rmsprop-test-${i}-${Math.random()}`));
  const optimizer = tf.train.rmsprop(LEARNING_RATE, RMSPROP.rho, RMSPROP.momentum, RMSPROP.epsilon);
  const after: { weights: Float32Array[]; iterations: number; slots: Float32Array[] }[] = [];
  for (const step of gradients) {
    tf.tidy(() => optimizer.applyGradients(Object.fromEntries(variables.map((v, i) => [v.name, tf.tensor1d(step[i])]))));
    const [iterations, ...slots] = await optimizer.getWeights();
    after.push({
      weights: variables.map((v) => new Float32Array(v.dataSync())),
      iterations: iterations.tensor.dataSync()[0],
      slots: slots.map((slot) => new Float32Array(slot.tensor.dataSync())),
    });
    iterations.tensor.dispose();
  }
  optimizer.dispose();
  tf.dispose(variables);
  return after;
}

/** The shared optimizer, each step's floats updated in the given slices (as that many workers would). */
function sharedSteps(initial: Float32Array[], gradients: Float32Array[][], cuts: number[]) {
  const floats = SIZES.reduce((n, s) => n + s, 0);
  const shared = new SharedRmsprop({ buffer: createOptimizerBuffer(floats), sizes: SIZES, learningRate: LEARNING_RATE });
  shared.initialize(initial);
  const bounds = [0, ...cuts, floats];
  return gradients.map((step) => {
    const sum = Float32Array.from(step.flatMap((g) => Array.from(g)));
    for (let k = 0; k + 1 < bounds.length; k++) shared.update(sum, bounds[k], bounds[k + 1]);
    shared.countStep();
    return { weights: shared.weights().map((w) => w.slice()), ...shared.state() };
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`shared RMSprop against tfjs' rmsprop on ${backend}`, () => {
    it('the same weights, mean squares, moments and step count, bit for bit, for one worker and for three slices', async () => {
      await selectBackend(backend);
      const initial = randomArrays(1, 0.2);
      // Gradients from tiny to large, and a zero: sqrt(v + eps) and the divide at both ends.
      const gradients = [2, 3, 4, 5].map((seed) => randomArrays(seed, 3));
      gradients[1][1][0] = 0;
      const expected = await tfjsSteps(initial, gradients);
      for (const cuts of [[], [5, 13]]) {
        const got = sharedSteps(initial, gradients, cuts);
        got.forEach((step, s) => {
          assert.deepEqual(step.weights, expected[s].weights, `step ${s + 1}, cuts ${cuts}: weights`);
          assert.deepEqual(step.slots, expected[s].slots, `step ${s + 1}, cuts ${cuts}: mean squares, then moments`);
          assert.equal(step.iterations, expected[s].iterations);
        });
        assert.ok(got[3].weights.some((w, i) => w.some((x, j) => x !== initial[i][j])), 'the weights moved');
      }
    });
  });
}

describe('shared RMSprop state', () => {
  it("resumes from a state saved by tfjs' rmsprop as if it had taken those steps itself", async () => {
    await selectBackend('cpu');
    const initial = randomArrays(6, 0.2);
    const gradients = [7, 8, 9].map((seed) => randomArrays(seed, 3));
    const expected = await tfjsSteps(initial, gradients);
    const floats = SIZES.reduce((n, s) => n + s, 0);
    const resumed = new SharedRmsprop({ buffer: createOptimizerBuffer(floats), sizes: SIZES, learningRate: LEARNING_RATE });
    resumed.initialize(expected[1].weights, { iterations: expected[1].iterations, slots: expected[1].slots });
    resumed.update(Float32Array.from(gradients[2].flatMap((g) => Array.from(g))), 0, floats);
    resumed.countStep();
    assert.deepEqual(resumed.weights(), expected[2].weights);
    assert.deepEqual(resumed.state(), { iterations: 3, slots: expected[2].slots });
  });

  it('refuses a state of another model and weights of the wrong sizes, naming what is wrong', () => {
    const shared = new SharedRmsprop({ buffer: createOptimizerBuffer(20), sizes: SIZES, learningRate: LEARNING_RATE });
    assert.throws(() => shared.initialize(randomArrays(1, 1), { iterations: 1, slots: [new Float32Array(7)] }), /optimizer state has 1 slots; this model needs 6/);
    assert.throws(() => shared.initialize([new Float32Array(7), new Float32Array(2), new Float32Array(12)]), /variable 1 has 2 floats, 1 expected/);
    assert.throws(() => new SharedRmsprop({ buffer: createOptimizerBuffer(19), sizes: SIZES, learningRate: LEARNING_RATE }), /does not hold 3 x 20 floats/);
  });
});
