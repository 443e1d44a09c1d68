// Gradients on the wasm backend (with our Conv2DBackpropFilter kernel) must match the cpu backend.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels } from '../../src/trainer/backend/wasmTrainingKernels';
import { convBiasRelu } from '../../src/trainer/engine/convBiasRelu';
import { randomValues, relativeError, size } from '../helpers/numeric';
import { warningsDuring } from '../helpers/wasmTesting';

const TOLERANCE = 1e-4;

type Shape = number[];
type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];


/** Runs `fn` on a backend and returns the values of the tensors it returns; frees everything. */
async function onBackend(name: 'wasm' | 'cpu', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(name);
  assert.equal(tf.getBackend(), name);
  return tf.tidy(() => fn()).map((t) => {
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return Float32Array.from(values);
  });
}

async function assertSameOnBothBackends(fn: () => tf.Tensor[], label: string): Promise<void> {
  const wasm = await onBackend('wasm', fn);
  const cpu = await onBackend('cpu', fn);
  assert.equal(wasm.length, cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    assert.ok(cpu[i].some((v) => v !== 0), `${label}: output ${i} is all zeros, test is vacuous`);
    const err = relativeError(wasm[i], cpu[i]);
    assert.ok(err < TOLERANCE, `${label}: output ${i} relative error ${err} >= ${TOLERANCE}`);
  }
}

function tensor(values: Float32Array, shape: Shape): tf.Tensor {
  return tf.tensor(values, shape, 'float32');
}

// ---------------------------------------------------------------------------------------------
// conv2d gradients

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [
  { name: 'valid, stride 1, 3x3', x: [2, 8, 8, 4], filter: [3, 3, 4, 6], strides: 1, pad: 'valid' },
  { name: 'same, stride 1, 3x3', x: [2, 7, 9, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: 'same, stride 1, 2x2 (asymmetric padding)', x: [2, 6, 5, 3], filter: [2, 2, 3, 4], strides: 1, pad: 'same' },
  {
    name: 'explicit padding, stride 1',
    x: [2, 6, 7, 3],
    filter: [3, 3, 3, 4],
    strides: 1,
    pad: [[0, 0], [1, 2], [0, 1], [0, 0]],
  },
  { name: 'valid, stride 2 (general path)', x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { name: 'same, stride 2 (general path)', x: [3, 8, 7, 2], filter: [3, 3, 2, 5], strides: 2, pad: 'same' },
  { name: 'valid, strides [2,1] (general path)', x: [2, 7, 6, 3], filter: [3, 3, 3, 2], strides: [2, 1], pad: 'valid' },
  { name: 'batch 1, 3 -> 16 channels, valid', x: [1, 10, 10, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'valid' },
  { name: 'batch 5, 1x1 kernel, valid', x: [5, 6, 6, 8], filter: [1, 1, 8, 7], strides: 1, pad: 'valid' },
  { name: 'batch 5, 1x1 kernel, same', x: [5, 5, 4, 3], filter: [1, 1, 3, 2], strides: 1, pad: 'same' },
  { name: 'batch 5, 3x3, 32 -> 64 channels, valid', x: [5, 9, 9, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'valid' },
  { name: 'batch 1, 3x3, 1 -> 1 channel, same', x: [1, 6, 6, 1], filter: [3, 3, 1, 1], strides: 1, pad: 'same' },
];

function convOutShape(c: ConvCase): Shape {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
}

/** Returns [dx, dFilter] of conv2d with a random upstream gradient. */
function convGrads(c: ConvCase, seed: number): () => tf.Tensor[] {
  const xv = randomValues(seed, size(c.x));
  const wv = randomValues(seed + 1, size(c.filter));
  const outShape = convOutShape(c);
  const dyv = randomValues(seed + 2, size(outShape));
  return () => {
    const x = tensor(xv, c.x) as tf.Tensor4D;
    const w = tensor(wv, c.filter) as tf.Tensor4D;
    const dy = tensor(dyv, outShape) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
    return tf.grads(f)([x, w], dy);
  };
}

before(async () => {
  registerWasmTrainingKernels();
  registerWasmTrainingKernels(); // idempotent
  await tf.ready();
});

after(async () => {
  await tf.setBackend('cpu');
});

describe('wasm training kernels: registration', () => {
  test('registers its kernels once; a second call is a silent no-op', () => {
    const filterGrad = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const maxPoolGrad = tf.getKernel('MaxPoolGrad', 'wasm');
    assert.ok(filterGrad, 'Conv2DBackpropFilter registered');
    assert.ok(maxPoolGrad, 'MaxPoolGrad registered');
    const warnings = warningsDuring(() => registerWasmTrainingKernels());
    assert.deepEqual(warnings, []);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), filterGrad);
    assert.equal(tf.getKernel('MaxPoolGrad', 'wasm'), maxPoolGrad);
  });

  test('refuses NCHW with a clear message', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 3, 5, 5]);
    const dy = tf.zeros([1, 2, 3, 3]);
    assert.throws(
      () =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
          strides: 1,
          pad: 'valid',
          dataFormat: 'NCHW',
          filterShape: [3, 3, 3, 2],
        }),
      /NHWC/,
    );
    tf.dispose([x, dy]);
  });
});

describe('Conv2DBackpropFilter: wasm matches cpu', () => {
  CONV_CASES.forEach((c, i) => {
    test(c.name, async () => {
      const grads = convGrads(c, 1000 + 10 * i);
      await assertSameOnBothBackends(() => [grads()[1]], `dW ${c.name}`);
    });
  });
});

describe('Conv2DBackpropInput: wasm matches cpu', () => {
  CONV_CASES.forEach((c, i) => {
    test(c.name, async () => {
      const grads = convGrads(c, 2000 + 10 * i);
      await assertSameOnBothBackends(() => [grads()[0]], `dx ${c.name}`);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// other layers' gradients

describe('other gradients: wasm matches cpu', () => {
  test('maxPool 2x2 stride 2 valid on 9x9 -> 4x4', async () => {
    const xShape = [2, 9, 9, 3];
    const xv = randomValues(31, size(xShape));
    const dyv = randomValues(32, 2 * 4 * 4 * 3);
    await assertSameOnBothBackends(() => {
      const f = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
      const x = tensor(xv, xShape);
      assert.deepEqual(f(x).shape, [2, 4, 4, 3]);
      return [tf.grad(f)(x, tensor(dyv, [2, 4, 4, 3]))];
    }, 'maxPool');
  });

  test('maxPool 3x3 stride 2 same, windows with only negative values and post-relu zeros', async () => {
    const xShape = [2, 9, 8, 4];
    // Shift the values down so many windows are entirely negative (the case the built-in wasm
    // MaxPoolGrad gets wrong), and zero a stripe so some windows are all zeros (ties, as after relu).
    const xv = randomValues(33, size(xShape)).map((v, i) => (i % 40 < 8 ? 0 : v - 0.8));
    await assertSameOnBothBackends(() => {
      const f = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same');
      const x = tensor(xv, xShape);
      const outShape = f(x).shape;
      return [tf.grad(f)(x, tensor(randomValues(34, size(outShape)), outShape))];
    }, 'maxPool same');
  });

  test('relu', async () => {
    const xv = randomValues(41, 200);
    const dyv = randomValues(42, 200);
    await assertSameOnBothBackends(() => [tf.grad((x) => tf.relu(x))(tensor(xv, [10, 20]), tensor(dyv, [10, 20]))], 'relu');
  });

  test('sigmoid', async () => {
    const xv = randomValues(51, 200).map((v) => v * 6);
    const dyv = randomValues(52, 200);
    await assertSameOnBothBackends(
      () => [tf.grad((x) => tf.sigmoid(x))(tensor(xv, [10, 20]), tensor(dyv, [10, 20]))],
      'sigmoid',
    );
  });

  test('matMul + bias (dense)', async () => {
    const xv = randomValues(61, 4 * 10);
    const wv = randomValues(62, 10 * 3);
    const bv = randomValues(63, 3);
    const dyv = randomValues(64, 4 * 3);
    await assertSameOnBothBackends(() => {
      const dense = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
      return tf.grads(dense)([tensor(xv, [4, 10]), tensor(wv, [10, 3]), tensor(bv, [3])], tensor(dyv, [4, 3]));
    }, 'dense');
  });

  test('reshape / flatten', async () => {
    const xv = randomValues(71, 2 * 3 * 4 * 5);
    const dyv = randomValues(72, 2 * 60);
    await assertSameOnBothBackends(
      () => [tf.grad((x) => tf.reshape(x, [2, 60]))(tensor(xv, [2, 3, 4, 5]), tensor(dyv, [2, 60]))],
      'reshape',
    );
  });

  test('binary cross-entropy (Keras formula), through a sigmoid', async () => {
    const zv = randomValues(81, 8).map((v) => v * 4);
    const yv = Float32Array.from([0, 1, 1, 0, 1, 0, 0, 1]);
    await assertSameOnBothBackends(() => {
      const y = tensor(yv, [8, 1]);
      const loss = (z: tf.Tensor) => binaryCrossEntropy(y, tf.sigmoid(z));
      const p = tf.grad(loss)(tensor(zv, [8, 1]));
      const q = tf.grad((prob: tf.Tensor) => binaryCrossEntropy(y, prob))(tf.sigmoid(tensor(zv, [8, 1])));
      return [p, q, loss(tensor(zv, [8, 1]))];
    }, 'bce');
  });
});

/** Keras: -mean(y*log(clip(p,eps,1-eps)) + (1-y)*log(1-clip(p,eps,1-eps))) */
function binaryCrossEntropy(y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  const eps = 1e-7;
  const pc = tf.clipByValue(p, eps, 1 - eps);
  const terms = tf.add(tf.mul(y, tf.log(pc)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, pc))));
  return tf.neg(tf.mean(terms)) as tf.Scalar;
}

// ---------------------------------------------------------------------------------------------
// the fused conv op of the training step (registered here before the backend started, so the
// built-in FusedConv2D's setup only runs when ours first hands a call back to it)

describe('convBiasRelu and FusedConv2D: wasm matches cpu', () => {
  test('FusedConv2D hands elu to the built-in kernel, relu to the direct one', async () => {
    const xv = randomValues(3000, 2 * 9 * 8 * 8);
    const wv = randomValues(3001, 3 * 3 * 8 * 16);
    const bv = randomValues(3002, 16);
    for (const activation of ['elu', 'relu', 'linear']) {
      await assertSameOnBothBackends(() => [
        tf.engine().runKernel('FusedConv2D', { x: tensor(xv, [2, 9, 8, 8]), filter: tensor(wv, [3, 3, 8, 16]), bias: tensor(bv, [16]) }, {
          strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation,
        }) as tf.Tensor,
      ], `FusedConv2D ${activation}`);
    }
  });

  test('gradients of a convBiasRelu stack (SmallConvnetReluGrad on wasm, mul/step/sum on cpu)', async () => {
    const xv = randomValues(3010, 2 * 10 * 11 * 3);
    const k1 = randomValues(3011, 3 * 3 * 3 * 8);
    const b1 = randomValues(3012, 8).map((v) => v * 0.1);
    const k2 = randomValues(3013, 3 * 3 * 8 * 8);
    const b2 = randomValues(3014, 8).map((v) => v * 0.1);
    await assertSameOnBothBackends(() => {
      const x = tensor(xv, [2, 10, 11, 3]) as tf.Tensor4D;
      const loss = (a: tf.Tensor, ab: tf.Tensor, c: tf.Tensor, cb: tf.Tensor) => {
        const h = convBiasRelu(x, a as tf.Tensor4D, ab as tf.Tensor1D, { inputGradient: false });
        return tf.sum(tf.square(convBiasRelu(h, c as tf.Tensor4D, cb as tf.Tensor1D, { inputGradient: true }))) as tf.Scalar;
      };
      return tf.grads(loss)([tensor(k1, [3, 3, 3, 8]), tensor(b1, [8]), tensor(k2, [3, 3, 8, 8]), tensor(b2, [8])]);
    }, 'convBiasRelu');
  });
});

// ---------------------------------------------------------------------------------------------
// end to end

describe('end to end: small convnet', () => {
  test('variableGrads of the loss wrt all weights match cpu', async () => {
    const shapes: Record<string, Shape> = {
      k1: [3, 3, 3, 8],
      b1: [8],
      k2: [3, 3, 8, 16],
      b2: [16],
      k3: [5 * 5 * 16, 1],
      b3: [1],
    };
    const initial = Object.fromEntries(
      Object.entries(shapes).map(([name, shape], i) => [name, randomValues(500 + i, size(shape)).map((v) => v * 0.3)]),
    );
    const images = randomValues(600, 4 * 16 * 16 * 3).map((v) => (v + 1) / 2);
    const labels = Float32Array.from([0, 1, 1, 0]);

    await assertSameOnBothBackends(() => {
      const vars = Object.fromEntries(
        Object.entries(shapes).map(([name, shape]) => [name, tf.variable(tensor(initial[name], shape), true, `e2e_${name}`)]),
      ) as Record<string, tf.Variable>;
      const x = tensor(images, [4, 16, 16, 3]) as tf.Tensor4D;
      const y = tensor(labels, [4, 1]);
      const model = (): tf.Scalar => {
        let h = tf.relu(tf.add(tf.conv2d(x, vars.k1 as tf.Tensor4D, 1, 'valid'), vars.b1)) as tf.Tensor4D; // 14x14x8
        h = tf.maxPool(h, 2, 2, 'valid'); // 7x7x8
        h = tf.relu(tf.add(tf.conv2d(h, vars.k2 as tf.Tensor4D, 1, 'valid'), vars.b2)) as tf.Tensor4D; // 5x5x16
        const flat = tf.reshape(h, [4, 5 * 5 * 16]) as tf.Tensor2D;
        const p = tf.sigmoid(tf.add(tf.matMul(flat, vars.k3 as tf.Tensor2D), vars.b3));
        return binaryCrossEntropy(y, p);
      };
      const { value, grads } = tf.variableGrads(model, Object.values(vars));
      const out = [value, ...Object.keys(shapes).map((name) => grads[`e2e_${name}`])];
      const copies = out.map((t) => tf.clone(t));
      Object.values(vars).forEach((v) => v.dispose());
      return copies;
    }, 'e2e');
  });
});

// ---------------------------------------------------------------------------------------------
// memory

describe('no leaks on wasm', () => {
  // [11] has size-1 batch and channels: the wasm Transpose then returns an identity alias (refCount+1).
  for (const c of [CONV_CASES[1], CONV_CASES[3], CONV_CASES[4], CONV_CASES[11]]) {
    test(`filter gradient 3x inside tf.tidy frees everything (${c.name})`, async () => {
      await tf.setBackend('wasm');
      const backend = tf.backend();
      const xv = randomValues(900, size(c.x));
      const dyv = randomValues(901, size(convOutShape(c)));
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      const run = () =>
        tf.tidy(() => {
          const x = tensor(xv, c.x);
          const dy = tensor(dyv, convOutShape(c));
          const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
          assert.deepEqual(dw.shape, c.filter);
          dw.dataSync();
        });
      run(); // warm-up
      const tensorsBefore = tf.memory().numTensors;
      const dataIdsBefore = backend.numDataIds();
      for (let i = 0; i < 3; i++) run();
      assert.equal(tf.memory().numTensors, tensorsBefore);
      assert.equal(backend.numDataIds(), dataIdsBefore);
    });
  }

  test('conv2d gradients via tf.grads 3x inside tf.tidy free everything', async () => {
    await tf.setBackend('wasm');
    const grads = convGrads(CONV_CASES[0], 950);
    const before = tf.memory().numTensors;
    const dataIdsBefore = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) tf.tidy(() => void grads()[1].dataSync());
    assert.equal(tf.memory().numTensors, before);
    assert.equal(tf.backend().numDataIds(), dataIdsBefore);
  });
});
