// Every kernel of the training graph on the webgpu backend (tfjs-backend-webgpu on Dawn, here on
// SwiftShader, a Vulkan driver that runs on the CPU) against the cpu backend: forward ops and their
// gradients, the loss, RMSprop's update, and a whole Model 2 step against wasm (whose kernels are
// checked against cpu in test/unit/wasmKernels.test.ts). Shapes are small: SwiftShader is slow.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/trainer/backend/selectBackend';
import { SEED_AUGMENTATION, type AugmentationConfig } from '../../src/trainer/data/augmentation';
import { pixelsTensor } from '../../src/trainer/engine/devicePixels';
import { assembleBatch, gatherBatch } from '../../src/trainer/train/batches';
import { dropoutMask, exampleSeeds } from '../../src/trainer/engine/dropoutMask';
import { convBiasRelu } from '../../src/trainer/engine/convBiasRelu';
import { TrainingCore } from '../../src/trainer/engine/trainingCore';
import { sumLoss } from '../../src/trainer/train/lossAndMetrics';
import { assertClose, randomValues, size } from '../helpers/numeric';
import { useSwiftShaderHere } from '../helpers/swiftShader';

const TOLERANCE = 1e-5;

type Compute = () => tf.Tensor | tf.Tensor[];

/** Runs `compute` on one backend and reads every output asynchronously (webgpu has no synchronous read in Node). */
async function runOn(backend: 'cpu' | 'webgpu', compute: Compute): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outputs = tf.tidy(() => {
    const result = compute();
    return Array.isArray(result) ? result : [result];
  });
  const values = await Promise.all(outputs.map(async (t) => new Float32Array(await t.data())));
  tf.dispose(outputs);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors left behind`);
  return values;
}

async function assertSameOnWebGpu(what: string, compute: Compute, relative = TOLERANCE): Promise<void> {
  const expected = await runOn('cpu', compute);
  const actual = await runOn('webgpu', compute);
  assert.equal(actual.length, expected.length);
  actual.forEach((values, i) => assertClose({ actual: values, expected: expected[i], relative, what: `${what} [output ${i}]` }));
}

function random(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(randomValues(seed, size(shape)).map((v) => v * scale), shape);
}

describe('webgpu kernels against cpu (SwiftShader)', () => {
  before(async () => {
    useSwiftShaderHere();
    const choice = await selectBackend('webgpu');
    assert.equal(choice.backend, 'webgpu');
    assert.match(choice.detail, /SwiftShader.*CPU emulation/);
  });

  // The model's conv layers: 3x3 valid, stride 1, bias and relu, with 3 and with more input channels.
  for (const [inChannels, outChannels, side] of [[3, 8, 12], [8, 16, 9]] as const) {
    test(`conv+bias+relu (${inChannels}->${outChannels} channels, ${side}x${side}): forward, filter, bias and input gradients`, async () => {
      await assertSameOnWebGpu('convBiasRelu', () => {
        const x = random([2, side, side, inChannels], 1, 2);
        const filter = random([3, 3, inChannels, outChannels], 2, 0.5);
        const bias = random([outChannels], 3, 0.1);
        const dy = random([2, side - 2, side - 2, outChannels], 4);
        const f = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(convBiasRelu(a as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, { inputGradient: true }), dy));
        const value = f(x, filter, bias);
        const [dx, dFilter, dBias] = tf.grads(f)([x, filter, bias]);
        return [value, dx, dFilter, dBias];
      });
    });
  }

  test('Conv2DBackpropFilter and Conv2DBackpropInput as the model calls them', async () => {
    await assertSameOnWebGpu('conv backprops', () => {
      const x = random([3, 11, 11, 4], 5);
      const dy = random([3, 9, 9, 6], 6);
      const filter = random([3, 3, 4, 6], 7);
      const dFilter = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 4, 6] }) as tf.Tensor;
      const dx = tf.conv2dTranspose(dy as tf.Tensor4D, filter as tf.Tensor4D, [3, 11, 11, 4], 1, 'valid');
      return [dFilter, dx];
    });
  });

  // conv2dBackpropFilterWebGpu.ts: partial tiles (K, N not multiples of 32), many chunks of m, and the cases it hands back.
  for (const [name, xShape, outChannels, attrs] of [
    ['3 input channels, 16 chunks of m', [4, 34, 34, 3], 8, {}],
    ['45 x 40 weights in 2 x 2 tiles, 3 chunks', [2, 20, 20, 5], 40, {}],
    ['5x5 filters', [2, 12, 12, 4], 6, { filter: 5 }],
    ['stride 2 (the built-in kernel)', [2, 11, 11, 3], 4, { strides: 2 }],
    ["padding 'same' (the built-in kernel)", [2, 9, 9, 3], 4, { pad: 'same' }],
  ] as [string, number[], number, { filter?: number; strides?: number; pad?: 'same' }][]) {
    test(`Conv2DBackpropFilter: ${name}`, async () => {
      const size = attrs.filter ?? 3;
      const strides = attrs.strides ?? 1;
      const pad = attrs.pad ?? 'valid';
      const side = (n: number) => (pad === 'same' ? Math.ceil(n / strides) : Math.floor((n - size) / strides) + 1);
      await assertSameOnWebGpu('filter gradient', () => {
        const x = random(xShape, 31);
        const dy = random([xShape[0], side(xShape[1]), side(xShape[2]), outChannels], 32);
        return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [strides, strides], pad, dataFormat: 'NHWC', filterShape: [size, size, xShape[3], outChannels] }) as tf.Tensor;
      }, 1e-5);
    });
  }

  // Even and odd sides: the model's pools floor (e.g. 87 -> 43).
  for (const side of [8, 9]) {
    test(`MaxPool 2x2 and its gradient (${side}x${side})`, async () => {
      await assertSameOnWebGpu('maxPool', () => {
        const x = random([2, side, side, 5], 8 + side);
        const dy = random([2, Math.floor(side / 2), Math.floor(side / 2), 5], 9);
        const f = (a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dy));
        return [tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), tf.grad(f)(x)];
      });
    });
  }

  test('Dense with sigmoid and with softmax, the losses and their gradients', async () => {
    await assertSameOnWebGpu('dense + loss', () => {
      const x = random([4, 12], 10);
      const dropout = tf.tensor2d(dropoutMask({ seeds: exampleSeeds({ seed: 1, epoch: 1, batch: 0, size: 4 }), units: 12, rate: 0.5 }), [4, 12]);
      const binaryKernel = random([12, 1], 11, 0.5);
      const softmaxKernel = random([12, 3], 12, 0.5);
      const bias = random([1], 13, 0.1);
      const binaryLabels = tf.tensor1d([0, 1, 1, 0]);
      const classLabels = tf.tensor1d([2, 0, 1, 2]);
      const binary = (k: tf.Tensor, b: tf.Tensor) => sumLoss(tf.sigmoid(tf.add(tf.matMul(tf.mul(x, dropout), k as tf.Tensor2D), b)), binaryLabels);
      const categorical = (k: tf.Tensor) => sumLoss(tf.softmax(tf.matMul(x, k as tf.Tensor2D)), classLabels);
      return [binary(binaryKernel, bias), ...tf.grads(binary)([binaryKernel, bias]), categorical(softmaxKernel), tf.grad(categorical)(softmaxKernel)];
    });
  });

  test("RMSprop's update (Keras' rho 0.9, epsilon 1e-7) over three steps", async () => {
    await assertSameOnWebGpu('rmsprop', () => {
      const variable = tf.variable(random([5, 7], 14), true, `w${tf.getBackend()}`);
      const optimizer = tf.train.rmsprop(1e-3, 0.9, 0, 1e-7);
      for (let step = 0; step < 3; step++) optimizer.applyGradients({ [variable.name]: random([5, 7], 15 + step) });
      const value = variable.clone();
      optimizer.dispose();
      variable.dispose();
      return value;
    });
  });

  // Model 2's augmentation made on the GPU from the images' bytes (batchPixelsWebGpu.ts) against the CPU's.
  const HEIGHT = 19;
  const WIDTH = 23;
  const images = Uint8Array.from(randomValues(21, 4 * HEIGHT * WIDTH * 3), (v) => Math.floor((v + 1) * 127.99));
  const data = { count: 4, height: HEIGHT, width: WIDTH, images, labels: new Int32Array([0, 1, 0, 1]) };
  const onGpu = async (batch: ReturnType<typeof gatherBatch>) => {
    await tf.setBackend('webgpu');
    const x = pixelsTensor(batch.pixels, { count: batch.size, height: HEIGHT, width: WIDTH });
    assert.deepEqual(x.shape, [batch.size, HEIGHT, WIDTH, 3]);
    const values = new Float32Array(await x.data());
    x.dispose();
    return values;
  };

  test('batch pixels from bytes on the GPU: without augmentation, exactly the CPU copy', async () => {
    const indices = [3, 0, 2];
    const gpu = await onGpu(gatherBatch({ data, indices }));
    assert.deepEqual(gpu, assembleBatch({ data, indices }).pixels);
  });

  for (const [name, config] of [
    ["the seed's flip, rotation 0.1, zoom 0.2", SEED_AUGMENTATION],
    ['half turns and zoom 0.9 (reflect fill far outside the image)', { flip: 'horizontal', rotation: 0.5, zoom: 0.9 }],
  ] as [string, AugmentationConfig][]) {
    test(`augmentation on the GPU gives the CPU's pictures: ${name}`, async () => {
      for (const seed of [1, 2, 3]) {
        const indices = [1, 3, 2, 0];
        const cpu = assembleBatch({ data, indices, augmentation: config, augmentationSeed: seed }).pixels;
        const gpu = await onGpu(gatherBatch({ data, indices, augmentation: config, augmentationSeed: seed }));
        let worst = 0;
        for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(gpu[i] - cpu[i]));
        // float32 coordinates on the GPU, float64 on the CPU: a few thousandths of a grey level apart.
        assert.ok(worst < 0.02, `seed ${seed}: largest difference ${worst} (of 0..255)`);
      }
    });
  }

  test('a whole Model 2 step (78x78, dropout masks): loss and every gradient as on wasm', async () => {
    const model = { recipe: 'augmented' as const, imageSize: 78, numClasses: 2, seed: 3 };
    const input = {
      pixels: randomValues(16, 2 * 78 * 78 * 3).map((v) => (v + 1) * 127.5),
      labels: new Float32Array([0, 1]),
      size: 2,
      seeds: exampleSeeds({ seed: 1, epoch: 1, batch: 0, size: 2 }),
      batchSize: 2,
    };
    const gradientsOn = async (backend: 'wasm' | 'webgpu') => {
      await selectBackend(backend);
      const core = new TrainingCore({ model, optimizer: { learningRate: 1e-3 } });
      try {
        return await core.computeGradients(input);
      } finally {
        core.dispose();
      }
    };
    const expected = await gradientsOn('wasm');
    const actual = await gradientsOn('webgpu');
    assert.ok(Math.abs(actual.lossSum - expected.lossSum) < 1e-5, `loss ${actual.lossSum} vs ${expected.lossSum}`);
    assert.equal(actual.correct, expected.correct);
    actual.gradients.forEach((g, i) => assertClose({ actual: g, expected: expected.gradients[i], relative: 1e-4, what: `gradient ${i}` }));
  });
});
