// Winograd's F(2x2, 3x3) and F(4x4, 3x3) convolutions (src/trainer/backend/winogradConvWasm.ts, winogradFilterGradWasm.ts)
// behind the wasm Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter kernels: it must match the cpu backend on every shape the tiles meet
// (odd and even sizes, outputs of 1-3 pixels, padding, several blocks across images, bias + relu), in both
// SIMD variants, free everything, and be the path actually taken (its transforms are counted).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels } from '../../src/trainer/backend/wasmTrainingKernels';
import { simdKernels, simdTuning, type SimdKernels } from '../../src/trainer/backend/wasmSimdModule';
import { useWinograd, winogradPairSaving, winogradSaving, winogradTile, winogradTuning, type WinogradTile } from '../../src/trainer/backend/winogradConvWasm';
import { SEED_AUGMENTATION } from '../../src/trainer/data/augmentation';
import { convBiasRelu } from '../../src/trainer/engine/convBiasRelu';
import { exampleSeeds } from '../../src/trainer/engine/dropoutMask';
import { TrainingCore } from '../../src/trainer/engine/trainingCore';
import { assembleBatch } from '../../src/trainer/train/batches';
import { Rng } from '../../src/trainer/util/rng';
import { randomValues, relativeError, size } from '../helpers/numeric';
import { assertNoLeak, type Pad, type Shape } from '../helpers/wasmTesting';

/**
 * Relative error bounds against cpu: F(2x2, 3x3) keeps the direct kernels' (2.0e-6 measured, at K = 2304;
 * coefficients 0, +-1, 1/2); F(4x4, 3x3)'s coefficients up to 8 and 1/24 cost more rounding (8.3e-6 measured
 * on the same cases), bounded at 2e-5 so that another CPU's fused or unfused multiply-adds fit too.
 */
const TOLERANCE: Record<WinogradTile, number> = { 2: 1e-5, 4: 2e-5 };
/**
 * WEIGHTS_AFTER_RMSPROP: after 3 training steps, F(2x2)'s weights are the direct kernels' within 1e-4 (1.6e-7 to
 * 2.7e-6 measured), F(4x4)'s are not compared: RMSprop's first steps move each weight by about
 * lr * g / sqrt(0.1 g^2 + eps), so a gradient component near sqrt(eps) carries its rounding into the step
 * nearly whole, and F(4x4)'s gradients (up to 6.8e-6 from the direct kernels', measured) put the first two
 * layers' weights 6e-5 to 5.7e-3 apart after 3 steps. Its learning is compared over 3 epochs of real photos
 * instead (docs/performance.md).
 */
const TILES: WinogradTile[] = [2, 4];

interface Case {
  name: string;
  x: Shape;
  /** [3, 3, ci, co] */
  filter: Shape;
  pad: Pad;
}

const CASES: Case[] = [
  { name: 'valid, odd output (the model: 89 -> 87 as 9 -> 7)', x: [2, 9, 9, 16], filter: [3, 3, 16, 32], pad: 'valid' },
  { name: 'valid, even output', x: [2, 10, 8, 16], filter: [3, 3, 16, 16], pad: 'valid' },
  { name: 'same padding', x: [3, 7, 6, 16], filter: [3, 3, 16, 8], pad: 'same' },
  { name: 'explicit, asymmetric padding', x: [1, 6, 7, 20], filter: [3, 3, 20, 24], pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { name: 'output 1x1', x: [2, 3, 3, 16], filter: [3, 3, 16, 8], pad: 'valid' },
  { name: 'output 1x3 and 2x2 edges', x: [2, 3, 5, 16], filter: [3, 3, 16, 8], pad: 'valid' },
  { name: '7x7 output from 256 channels (the last layer), several blocks', x: [3, 9, 9, 256], filter: [3, 3, 256, 16], pad: 'valid' },
];

/** The tuned block size, put back after the tests that shrink it. */
const DEFAULT_BLOCK_BYTES = winogradTuning.blockBytes;

const VARIANTS = [
  { name: 'relaxed-SIMD madd where available', fma: true },
  { name: 'plain SIMD', fma: false },
];

/** Runs `fn` on a backend, returning its tensors' values. */
async function valuesOn(backend: 'wasm' | 'cpu', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(fn).map((t) => {
    const values = Float32Array.from(t.dataSync() as Float32Array);
    t.dispose();
    return values;
  });
}

/** Counts the Winograd transforms (F(2x2) and F(4x4) input patches, the filter gradient's dy tiles) run on the wasm backend while `fn` runs. */
async function countingTransforms<T>(fn: () => Promise<T>): Promise<{ result: T; transforms: number; transforms4: number; gradientTransforms: number; gradientTransforms4: number }> {
  await tf.setBackend('wasm');
  const simd = simdKernels(tf.backend() as BackendWasm) as SimdKernels;
  const { winogradInput, winograd4Input, winogradGradient, winograd4Gradient } = simd;
  const counts = { transforms: 0, transforms4: 0, gradientTransforms: 0, gradientTransforms4: 0 };
  simd.winogradInput = (...args) => {
    counts.transforms++;
    winogradInput(...args);
  };
  simd.winograd4Input = (...args) => {
    counts.transforms4++;
    winograd4Input(...args);
  };
  simd.winogradGradient = (...args) => {
    counts.gradientTransforms++;
    winogradGradient(...args);
  };
  simd.winograd4Gradient = (...args) => {
    counts.gradientTransforms4++;
    winograd4Gradient(...args);
  };
  try {
    const result = await fn();
    return { result, ...counts };
  } finally {
    Object.assign(simd, { winogradInput, winograd4Input, winogradGradient, winograd4Gradient });
  }
}

/** The tile's input and gradient transforms must have run (and no other tile's), then the outputs match cpu. */
async function assertMatchesCpu(fn: () => tf.Tensor[], label: string, options: { tile: WinogradTile; tolerance: number }): Promise<void> {
  const { result: wasm, ...counts } = await countingTransforms(() => valuesOn('wasm', fn));
  const [input, gradient, otherInput, otherGradient] =
    options.tile === 4
      ? [counts.transforms4, counts.gradientTransforms4, counts.transforms, counts.gradientTransforms]
      : [counts.transforms, counts.gradientTransforms, counts.transforms4, counts.gradientTransforms4];
  assert.ok(input > 0 && gradient > 0, `${label}: the F(${options.tile}x${options.tile}) paths did not run (${input} input transforms, ${gradient} gradient transforms)`);
  assert.equal(otherInput + otherGradient, 0, `${label}: the other tile's transforms ran`);
  const cpu = await valuesOn('cpu', fn);
  for (let i = 0; i < cpu.length; i++) {
    assert.ok(cpu[i].some((v) => v !== 0), `${label}: output ${i} is all zeros, the test is vacuous`);
    const error = relativeError(wasm[i], cpu[i]);
    assert.ok(error < options.tolerance, `${label}: output ${i} relative error ${error.toExponential(2)} >= ${options.tolerance}`);
  }
}

const inputs = (c: Case, seed: number) => {
  const co = c.filter[3];
  return {
    x: tf.tensor4d(randomValues(seed, size(c.x)), c.x as [number, number, number, number]),
    w: tf.tensor4d(randomValues(seed + 1, size(c.filter)), c.filter as [number, number, number, number]),
    b: tf.tensor1d(randomValues(seed + 2, co)),
  };
};

before(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  winogradTuning.strategy = 'always';
});

after(async () => {
  winogradTuning.strategy = 'auto';
  winogradTuning.blockBytes = DEFAULT_BLOCK_BYTES;
  simdTuning.fma = true;
  await tf.setBackend('cpu');
});

for (const [tile, variant] of TILES.flatMap((t) => VARIANTS.map((v) => [t, v] as const))) {
  describe(`Winograd F(${tile}x${tile}, 3x3), ${variant.name}: wasm matches cpu`, () => {
    before(() => {
      simdTuning.fma = variant.fma;
      winogradTuning.tile = tile;
    });
    after(() => {
      simdTuning.fma = true;
      winogradTuning.tile = 'auto';
    });

    CASES.forEach((c, i) => {
      test(`${c.name}: Conv2D, FusedConv2D (bias + relu), the input and the filter gradient`, async () => {
        // Small blocks: tiles of several rows and images share a block, and the last block is partial.
        winogradTuning.blockBytes = c.x[3] * 64 * 8;
        try {
          await assertMatchesCpu(() => {
            const { x, w, b } = inputs(c, 10 * i + 1);
            const plain = tf.conv2d(x, w, 1, c.pad);
            const fused = tf.fused.conv2d({ x, filter: w, bias: b, strides: 1, pad: c.pad, activation: 'relu' });
            const dy = tf.tensor4d(randomValues(10 * i + 5, size(plain.shape)), plain.shape);
            const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: 1, pad: c.pad, dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor;
            const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: c.pad, dataFormat: 'NHWC', filterShape: w.shape }) as tf.Tensor;
            return [plain, fused, dx, dw];
          }, c.name, { tile, tolerance: TOLERANCE[tile] });
        } finally {
          winogradTuning.blockBytes = DEFAULT_BLOCK_BYTES;
        }
      });
    });
  });
}

describe('Winograd: when it runs', () => {
  test("'auto' takes it for the model's layers where it saves multiply-adds, not for the first layer or other shapes, and F(4x4) where that saves more", () => {
    winogradTuning.strategy = 'auto';
    try {
      const conv = (o: { size: number; ci: number; co: number; k?: number; stride?: number; pad?: number; outSize?: number }) => ({
        batchSize: 16, inHeight: o.size, inWidth: o.size, inChannels: o.ci, outChannels: o.co, filterHeight: o.k ?? 3, filterWidth: o.k ?? 3,
        strideHeight: o.stride ?? 1, strideWidth: o.stride ?? 1, padTop: o.pad ?? 0, padLeft: o.pad ?? 0,
        outHeight: o.outSize ?? o.size - 2, outWidth: o.outSize ?? o.size - 2,
      });
      assert.equal(useWinograd(conv({ size: 180, ci: 3, co: 32 })), false, 'the first layer: 3 in-channels');
      for (const [size, ci, co] of [[89, 32, 64], [43, 64, 128], [20, 128, 256], [9, 256, 256]]) {
        assert.equal(useWinograd(conv({ size, ci, co })), true, `forward ${size}x${size}x${ci} -> ${co}`);
      }
      // Input gradients: dy padded by 2 into dx. The last layer's (7x7 -> 9x9) saves too little (1.10x).
      for (const [size, ci, co] of [[87, 64, 32], [41, 128, 64], [18, 256, 128]]) {
        assert.equal(useWinograd(conv({ size, ci, co, pad: 2, outSize: size + 2 })), true, `input gradient ${size}x${size}x${ci} -> ${co}`);
      }
      assert.equal(winogradSaving(conv({ size: 7, ci: 256, co: 256, pad: 2, outSize: 9 })).toFixed(2), '1.10');
      assert.equal(useWinograd(conv({ size: 7, ci: 256, co: 256, pad: 2, outSize: 9 })), false, 'input gradient 7x7 -> 9x9');
      assert.equal(winogradSaving(conv({ size: 20, ci: 128, co: 256 })), 2.25, 'an even valid output: the full 36/16');
      assert.equal(useWinograd(conv({ size: 89, ci: 32, co: 64, k: 5 })), false, '5x5');
      assert.equal(useWinograd(conv({ size: 89, ci: 32, co: 64, stride: 2 })), false, 'stride 2');
      assert.equal(useWinograd(conv({ size: 89, ci: 32, co: 12 })), false, 'out-channels not a multiple of 8');
      // The tile: F(4x4) on one worker's shard of 16 for layers 2-4, forward and input gradient; F(2x2) for the last.
      for (const [size, ci, co] of [[89, 32, 64], [43, 64, 128], [20, 128, 256]]) {
        assert.equal(winogradTile(conv({ size, ci, co })), 4, `forward ${size}x${size}x${ci} -> ${co}`);
        assert.equal(winogradTile(conv({ size: size - 2, ci: co, co: ci, pad: 2, outSize: size })), 4, `input gradient of ${size}x${size}x${ci} -> ${co}`);
      }
      assert.equal(winogradTile(conv({ size: 9, ci: 256, co: 256 })), 2, 'the last layer: 7x7 outputs in 4x4 tiles compute 8x8');
      assert.equal(winogradSaving(conv({ size: 20, ci: 128, co: 256 }), 4), 3.24, '18x18 in 4x4 tiles: 20x20 computed (the full 4x would be 144/36)');
      // A shard of 2 images (16 workers on a batch of 32): the fourth layer's saving no longer pays the transform.
      assert.equal(winogradTile({ ...conv({ size: 20, ci: 128, co: 256 }), batchSize: 2 }), 2);
      assert.equal(winogradTile({ ...conv({ size: 89, ci: 32, co: 64 }), batchSize: 2 }), 4);
      // ... and the last layer takes the direct kernels: 2 x 185 multiply-adds saved per channel pair do not pay
      // F(2x2)'s filter transform; the fourth layer's 2 x 1,620 do; 16 images of the last layer's (2,960) too.
      assert.equal(winogradPairSaving({ ...conv({ size: 9, ci: 256, co: 256 }), batchSize: 2 }), 370);
      assert.equal(useWinograd({ ...conv({ size: 9, ci: 256, co: 256 }), batchSize: 2 }), false, 'the last layer, 2 images');
      assert.equal(useWinograd({ ...conv({ size: 9, ci: 256, co: 256 }), batchSize: 8 }), false, 'the last layer, 8 images');
      assert.equal(useWinograd({ ...conv({ size: 20, ci: 128, co: 256 }), batchSize: 2 }), true, 'the fourth layer, 2 images');
      assert.equal(winogradPairSaving(conv({ size: 9, ci: 256, co: 256 })), 2960);
      winogradTuning.strategy = 'never';
      assert.equal(useWinograd(conv({ size: 43, ci: 64, co: 128 })), false, "'never'");
    } finally {
      winogradTuning.strategy = 'always';
    }
  });

  test('a training step through it leaks no tensors or wasm memory', async () => {
    const c = CASES[0];
    await assertNoLeak(() => {
      const { x, w, b } = inputs(c, 7);
      const [dw, db] = tf.grads((wt: tf.Tensor, bt: tf.Tensor) => tf.sum(convBiasRelu(x, wt as tf.Tensor4D, bt as tf.Tensor1D, { inputGradient: true })))([w, b]);
      dw.dataSync();
      db.dataSync();
    });
  });
});

describe('Winograd: learning unchanged', () => {
  test("Model 2 (augmentation, dropout) on either tile: the first step's gradients and 3 steps' losses of the direct kernels (F(2x2): their weights too)", async () => {
    await tf.setBackend('wasm');
    const size = 78;
    const model = { recipe: 'augmented' as const, imageSize: size, numClasses: 2, seed: 9 };
    const rng = new Rng(11);
    const count = 8;
    const data = { count, height: size, width: size, images: new Uint8Array(count * size * size * 3).map(() => rng.int(256)), labels: Int32Array.from({ length: count }, (_, i) => i % 2) };
    const train = async (strategy: 'never' | 'auto') => {
      winogradTuning.strategy = strategy;
      const core = new TrainingCore({ model, optimizer: { learningRate: 1e-3 } });
      try {
        const first = assembleBatch({ data, indices: [...Array(count).keys()], augmentation: SEED_AUGMENTATION, augmentationSeed: 0 });
        const { gradients } = await core.computeGradients({ ...first, seeds: exampleSeeds({ seed: 5, epoch: 1, batch: 0, size: count }), batchSize: count });
        const losses: number[] = [];
        for (let step = 0; step < 3; step++) {
          const batch = assembleBatch({ data, indices: [...Array(count).keys()].map((i) => (i + step) % count), augmentation: SEED_AUGMENTATION, augmentationSeed: step });
          const { lossSum } = await core.trainStep({ ...batch, seeds: exampleSeeds({ seed: 5, epoch: 1, batch: step, size: count }), batchSize: count });
          losses.push(lossSum / count);
        }
        return { gradients, losses, weights: await core.getWeights() };
      } finally {
        core.dispose();
      }
    };
    try {
      const direct = await train('never');
      for (const tile of TILES) {
        winogradTuning.tile = tile;
        const { transforms, transforms4, result: winograd } = await countingTransforms(() => train('auto'));
        assert.ok((tile === 4 ? transforms4 : transforms) > 0, `'auto' took the F(${tile}x${tile}) path for some of the model's layers`);
        direct.gradients.forEach((g, i) => {
          const error = relativeError(winograd.gradients[i], g);
          assert.ok(error < TOLERANCE[tile], `F(${tile}x${tile}), gradient ${i}: relative error ${error.toExponential(2)}`);
        });
        winograd.losses.forEach((loss, i) => assert.ok(Math.abs(loss - direct.losses[i]) < 1e-5, `F(${tile}x${tile}), step ${i + 1}: loss ${loss} vs ${direct.losses[i]}`));
        if (tile === 4) continue; // its weights: see WEIGHTS_AFTER_RMSPROP
        direct.weights.forEach((w, i) => {
          const error = relativeError(winograd.weights[i], w);
          assert.ok(error < 1e-4, `F(${tile}x${tile}), weight ${i}: relative error ${error.toExponential(2)}`);
        });
      }
    } finally {
      winogradTuning.strategy = 'always';
      winogradTuning.tile = 'auto';
    }
  });
});
