// The fused wasm kernels (FusedConv2D on the direct SIMD convolution, SmallConvnetReluGrad,
// SmallConvnetMaxPoolReluGrad) and the op that uses them (convBiasRelu) must match the cpu backend,
// on every path (tiles, rows, border pixels, hand-back to the built-in kernel; plain SIMD and
// relaxed-SIMD multiply-add), and free everything. The kernels are registered after the wasm backend started (as in wasmKernels.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels } from '../../src/trainer/backend/wasmTrainingKernels';
import { conv2dTuning } from '../../src/trainer/backend/conv2dWasm';
import { directConvTuning } from '../../src/trainer/backend/directConvWasm';
import { inputGradTuning } from '../../src/trainer/backend/conv2dBackpropInputWasm';
import { maxPoolGradTuning } from '../../src/trainer/backend/maxPoolGradWasm';
import { maxPoolTuning } from '../../src/trainer/backend/maxPoolWasm';
import { MAX_POOL_RELU_GRAD, maxPoolReluGradTuning } from '../../src/trainer/backend/maxPoolReluGradWasm';
import { RELU_GRAD, reluGradTuning } from '../../src/trainer/backend/reluGradWasm';
import { simdKernels, simdTuning } from '../../src/trainer/backend/wasmSimdModule';
import { convBiasRelu } from '../../src/trainer/engine/convBiasRelu';
import { randomValues, relativeError, size } from '../helpers/numeric';
import { assertNoLeak, type ConvForwardCase, type Pad, type Shape } from '../helpers/wasmTesting';

const TOLERANCE = 1e-5;


/** Runs `fn` on a backend and returns the values of the tensors it returns; frees everything. */
async function onBackend(name: 'wasm' | 'cpu', fn: () => tf.Tensor[]): Promise<{ values: Float32Array; shape: Shape }[]> {
  await tf.setBackend(name);
  assert.equal(tf.getBackend(), name);
  return tf.tidy(() => fn()).map((t) => {
    const result = { values: Float32Array.from(t.dataSync() as Float32Array), shape: t.shape };
    t.dispose();
    return result;
  });
}

async function assertSameOnBothBackends(fn: () => tf.Tensor[], label: string, tolerance = TOLERANCE): Promise<void> {
  const wasm = await onBackend('wasm', fn);
  const cpu = await onBackend('cpu', fn);
  assert.equal(wasm.length, cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    assert.deepEqual(wasm[i].shape, cpu[i].shape, `${label}: output ${i} shape`);
    assert.ok(cpu[i].values.some((v) => v !== 0), `${label}: output ${i} is all zeros, test is vacuous`);
    const err = relativeError(wasm[i].values, cpu[i].values);
    assert.ok(err < tolerance, `${label}: output ${i} relative error ${err} >= ${tolerance}`);
  }
}

/** Runs `fn` 3 times inside tf.tidy on wasm (after a warm-up) and checks nothing is left behind. */

function tensor(values: ArrayLike<number>, shape: Shape): tf.Tensor {
  return tf.tensor(Array.from(values), shape, 'float32');
}

/** Runs `fn` with the SIMD module's plain f32x4 mul + add (fma: false) and with relaxed_madd. */
const VARIANTS: { name: string; fma: boolean }[] = [
  { name: 'relaxed-SIMD madd where available', fma: true },
  { name: 'plain SIMD', fma: false },
];

before(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

after(async () => {
  simdTuning.fma = true;
  conv2dTuning.strategy = 'auto';
  directConvTuning.strategy = 'auto';
  directConvTuning.tileRows = 4;
  reluGradTuning.simd = true;
  maxPoolReluGradTuning.simd = true;
  maxPoolGradTuning.specialized2x2 = true;
  await tf.setBackend('cpu');
});

describe('the SIMD module', () => {
  test('compiles in both variants; relaxed SIMD is used where the engine can (set by a V8 flag on Node 20)', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    simdTuning.fma = false;
    const plain = simdKernels(backend);
    simdTuning.fma = true;
    const relaxed = simdKernels(backend);
    assert.ok(plain !== undefined && relaxed !== undefined);
    assert.equal(plain.fma, false);
    // Node >= 20 runs V8 11.3+, which implements relaxed SIMD (behind a flag that the module sets on 11.x).
    assert.equal(relaxed.fma, true);
  });
});

// ---------------------------------------------------------------------------------------------
// FusedConv2D

interface FusedCase extends ConvForwardCase {
  /** 'none': no bias input; 'rank1': [co]; 'keras': [1, 1, 1, co] (not accepted by the built-in wasm kernel). */
  bias?: 'none' | 'rank1';
}

const FUSED_CASES: FusedCase[] = [
  { name: 'valid 3x3, 8 -> 16 channels', x: [2, 7, 11, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'valid' },
  { name: 'same 3x3 (border pixels), 16 -> 8', x: [2, 6, 8, 16], filter: [3, 3, 16, 8], strides: 1, pad: 'same' },
  { name: 'stride 2, same', x: [2, 9, 17, 8], filter: [3, 3, 8, 8], strides: 2, pad: 'same' },
  { name: 'strides [2, 1], valid, 12 channels', x: [1, 9, 10, 12], filter: [3, 3, 12, 16], strides: [2, 1], pad: 'valid' },
  { name: 'explicit asymmetric padding', x: [2, 6, 9, 8], filter: [3, 3, 8, 8], strides: 1, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { name: 'padding wider than the input (windows entirely outside)', x: [1, 3, 3, 8], filter: [3, 3, 8, 8], strides: 1, pad: [[0, 0], [4, 4], [4, 4], [0, 0]] },
  { name: '5x5 filter wider than the input, same', x: [1, 3, 2, 5], filter: [5, 5, 5, 8], strides: 1, pad: 'same' },
  { name: '1x1, width 13', x: [3, 4, 13, 24], filter: [1, 1, 24, 8], strides: 1, pad: 'valid' },
  { name: '3 in-channels (the first layer), 32 out', x: [2, 12, 14, 3], filter: [3, 3, 3, 32], strides: 1, pad: 'valid' },
  { name: 'output 7 wide (the last layer), 16 -> 24', x: [3, 9, 9, 16], filter: [3, 3, 16, 24], strides: 1, pad: 'valid' },
  { name: 'no bias', x: [2, 7, 9, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'valid', bias: 'none' },
  { name: '5 out-channels (built-in kernel)', x: [2, 10, 10, 8], filter: [3, 3, 8, 5], strides: 1, pad: 'same' },
  { name: 'dilation 2 (built-in kernel)', x: [2, 12, 12, 8], filter: [3, 3, 8, 8], strides: 1, pad: 'valid', dilations: 2 },
];

function fusedConv(c: FusedCase, seed: number, activation: string): () => tf.Tensor[] {
  const xv = randomValues(seed, size(c.x));
  const wv = randomValues(seed + 1, size(c.filter));
  const bv = randomValues(seed + 2, c.filter[3]);
  return () => {
    const inputs: tf.NamedTensorMap = { x: tensor(xv, c.x), filter: tensor(wv, c.filter) };
    if (c.bias !== 'none') inputs.bias = tensor(bv, [c.filter[3]]);
    if (activation === 'prelu') inputs.preluActivationWeights = tensor(randomValues(seed + 3, c.filter[3]), [c.filter[3]]);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilations ?? 1, activation, leakyreluAlpha: 0.2 };
    return [tf.engine().runKernel('FusedConv2D', inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor];
  };
}

describe('FusedConv2D: wasm matches cpu', () => {
  for (const variant of VARIANTS) {
    FUSED_CASES.forEach((c, i) => {
      for (const activation of ['relu', 'linear']) {
        test(`${c.name}, ${activation} (${variant.name})`, async () => {
          simdTuning.fma = variant.fma;
          try {
            await assertSameOnBothBackends(fusedConv(c, 100 + 10 * i, activation), c.name);
          } finally {
            simdTuning.fma = true;
          }
        });
      }
    });
  }

  const strategies: { name: string; set: () => void }[] = [
    { name: "'tiles', 4-pixel tiles", set: () => { directConvTuning.strategy = 'tiles'; directConvTuning.tileRows = 4; } },
    { name: "'tiles', 6-pixel tiles", set: () => { directConvTuning.strategy = 'tiles'; directConvTuning.tileRows = 6; } },
    { name: "'tiles', 1-pixel tiles", set: () => { directConvTuning.strategy = 'tiles'; directConvTuning.tileRows = 1; } },
    { name: "'rows', one row per block", set: () => { directConvTuning.strategy = 'rows'; directConvTuning.rowsBlockBytes = 1; } },
    { name: "'rows', blocks across images", set: () => { directConvTuning.strategy = 'rows'; directConvTuning.rowsBlockBytes = 1 << 20; } },
  ];
  for (const s of strategies) {
    test(`every direct case, forced to ${s.name}`, async () => {
      const rowsBlockBytes = directConvTuning.rowsBlockBytes;
      s.set();
      try {
        for (const [i, c] of FUSED_CASES.slice(0, 11).entries()) {
          await assertSameOnBothBackends(fusedConv(c, 200 + 10 * i, 'relu'), c.name);
        }
      } finally {
        directConvTuning.strategy = 'auto';
        directConvTuning.tileRows = 4;
        directConvTuning.rowsBlockBytes = rowsBlockBytes;
      }
    });
  }

  for (const activation of ['relu6', 'elu', 'leakyrelu', 'prelu', 'sigmoid']) {
    test(`${activation} goes to the built-in kernel`, async () => {
      await assertSameOnBothBackends(fusedConv(FUSED_CASES[0], 300, activation), activation, 1e-4);
    });
  }

  test('forced to XNNPACK', async () => {
    conv2dTuning.strategy = 'xnnpack';
    try {
      await assertSameOnBothBackends(fusedConv(FUSED_CASES[0], 310, 'relu'), 'xnnpack', 1e-4);
    } finally {
      conv2dTuning.strategy = 'auto';
    }
  });

  test('relu: exactly max(0, conv + bias), NaN kept, and bit-for-bit on exactly representable sums', async () => {
    // Small integers: every product and sum is exact in float32, so any order gives the same bits.
    const x = Array.from(randomValues(320, 2 * 6 * 10 * 8), (v) => Math.round(v * 4));
    const w = Array.from(randomValues(321, 3 * 3 * 8 * 8), (v) => Math.round(v * 4));
    const b = Array.from(randomValues(322, 8), (v) => Math.round(v * 8));
    x[17] = Number.NaN;
    const run = () => {
      const inputs = { x: tensor(x, [2, 6, 10, 8]), filter: tensor(w, [3, 3, 8, 8]), bias: tensor(b, [8]) };
      return [tf.engine().runKernel('FusedConv2D', inputs, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'relu' }) as tf.Tensor];
    };
    const [wasm] = await onBackend('wasm', run);
    const [cpu] = await onBackend('cpu', run);
    assert.ok(wasm.values.some((v) => Number.isNaN(v)), 'the NaN input reaches the output');
    assert.deepEqual(Array.from(wasm.values), Array.from(cpu.values));
  });
});

describe('Conv2D on the direct path: wasm matches cpu', () => {
  FUSED_CASES.slice(0, 11).forEach((c, i) => {
    test(c.name, async () => {
      const xv = randomValues(400 + i, size(c.x));
      const wv = randomValues(450 + i, size(c.filter));
      await assertSameOnBothBackends(() => [tf.conv2d(tensor(xv, c.x) as tf.Tensor4D, tensor(wv, c.filter) as tf.Tensor4D, c.strides, c.pad)], c.name);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// SmallConvnetReluGrad

/** tf.mul(dy, tf.step(y)) and its sum over all axes but the last, the reference. */
function referenceReluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor[] {
  const act = tf.mul(dy, tf.step(y));
  return [act, tf.sum(act, Array.from({ length: act.rank - 1 }, (_, i) => i))];
}

function reluGrad(dy: tf.Tensor, y: tf.Tensor, biasGradient: boolean): tf.Tensor[] {
  return tf.engine().runKernel(RELU_GRAD, { dy, y }, { biasGradient }) as tf.Tensor[];
}

/** y with many exact zeros (as after relu), some negatives, NaN and infinities; dy with infinities too. */
function reluGradInputs(shape: Shape, seed: number): { dy: Float32Array; y: Float32Array } {
  const y = randomValues(seed, size(shape)).map((v, i) => {
    if (i % 53 === 3) return Number.NaN;
    if (i % 61 === 5) return Number.POSITIVE_INFINITY;
    if (i % 67 === 7) return Number.NEGATIVE_INFINITY;
    return i % 5 < 2 ? 0 : v;
  });
  const dy = randomValues(seed + 1, size(shape)).map((v, i) => (i % 71 === 9 ? Number.POSITIVE_INFINITY : i % 73 === 11 ? -0 : v));
  return { dy, y };
}

/** Same bits, with every NaN equal to every NaN. */
function assertSameFloats(a: Float32Array, b: Float32Array, label: string): void {
  assert.equal(a.length, b.length, `${label}: length`);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    assert.ok(Object.is(a[i], b[i]), `${label}: element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

describe('SmallConvnetReluGrad: the values of tf.mul(dy, tf.step(y)), bit for bit', () => {
  const shapes: Shape[] = [[2, 5, 7, 8], [3, 4, 6], [13, 12], [40], [2, 3, 5, 3], [1, 1, 1, 1]];
  for (const simd of [true, false]) {
    shapes.forEach((shape, i) => {
      test(`[${shape}] (${simd && shape[shape.length - 1] % 4 === 0 ? 'SIMD' : 'JS'})`, async () => {
        const { dy, y } = reluGradInputs(shape, 500 + 10 * i);
        reluGradTuning.simd = simd;
        try {
          const [wasm] = await onBackend('wasm', () => reluGrad(tensor(dy, shape), tensor(y, shape), false));
          const [cpu] = await onBackend('cpu', () => referenceReluGrad(tensor(dy, shape), tensor(y, shape)).slice(0, 1));
          assert.deepEqual(wasm.shape, shape);
          assertSameFloats(wasm.values, cpu.values, `[${shape}]`);
        } finally {
          reluGradTuning.simd = true;
        }
      });
    });
  }

  test('biasGradient: the same activation gradient, and its per-channel sums', async () => {
    for (const [i, shape] of ([[2, 9, 11, 16], [3, 7, 5], [50, 12], [4, 6, 6]] as Shape[]).entries()) {
      for (const block of [64, 1, 7]) {
        reluGradTuning.blockPixels = block;
        try {
          const dy = randomValues(600 + i, size(shape));
          const y = randomValues(610 + i, size(shape)).map((v, j) => (j % 3 === 0 ? 0 : v));
          const [act, sums] = await onBackend('wasm', () => reluGrad(tensor(dy, shape), tensor(y, shape), true));
          const [actRef, sumsRef] = await onBackend('cpu', () => referenceReluGrad(tensor(dy, shape), tensor(y, shape)));
          assertSameFloats(act.values, actRef.values, `[${shape}] activation gradient`);
          assert.deepEqual(sums.shape, [shape[shape.length - 1]]);
          const err = relativeError(sums.values, sumsRef.values);
          assert.ok(err < TOLERANCE, `[${shape}], block ${block}: bias gradient relative error ${err}`);
        } finally {
          reluGradTuning.blockPixels = 64;
        }
      }
    }
  });

  test('bias sums are accurate over many pixels (float64 between blocks)', async () => {
    const pixels = 50000;
    const dy = randomValues(620, pixels * 4).map((v) => 100 + v);
    const y = new Float32Array(pixels * 4).fill(1);
    const [, sums] = await onBackend('wasm', () => reluGrad(tensor(dy, [pixels, 4]), tensor(y, [pixels, 4]), true));
    const exact = [0, 1, 2, 3].map((c) => {
      let s = 0;
      for (let p = 0; p < pixels; p++) s += dy[p * 4 + c];
      return s;
    });
    const err = relativeError(sums.values, exact);
    assert.ok(err < 1e-6, `relative error ${err}`);
  });

  test('refuses mismatched shapes and other dtypes', async () => {
    await tf.setBackend('wasm');
    const a = tf.zeros([2, 4]);
    const b = tf.zeros([2, 8]);
    const c = tf.zeros([2, 4], 'int32');
    assert.throws(() => reluGrad(a, b, false), /same shape/);
    assert.throws(() => reluGrad(a, c, false), /float32/);
    tf.dispose([a, b, c]);
  });
});

// ---------------------------------------------------------------------------------------------
// SmallConvnetMaxPoolReluGrad: MaxPoolGrad (2x2, stride 2) then the relu gradient and the bias sums, in one pass

function maxPoolReluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor[] {
  return tf.engine().runKernel(MAX_POOL_RELU_GRAD, { dy, y }) as tf.Tensor[];
}

/** What the op did before the kernel: tf.grad of maxPool (MaxPoolGrad), then dy * step(y), then its per-channel sums. */
function referenceMaxPoolReluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor[] {
  const throughPool = tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'))(y, dy);
  return referenceReluGrad(throughPool, y);
}

/** Relu outputs: a third exact zeros (whole windows of them too), and ties (values on a coarse grid). */
function reluOutputs(shape: Shape, seed: number): Float32Array {
  return randomValues(seed, size(shape)).map((v, i) => (i % 3 === 0 || (i >> 6) % 7 === 2 ? 0 : Math.max(0, Math.round(v * 4) / 4)));
}

/** +0 and -0 as the same (the kernel writes +0 where dy * step(y) gives dy * 0), otherwise bit for bit. */
function assertSameValues(a: Float32Array, b: Float32Array, label: string): void {
  assertSameFloats(a.map((v) => (v === 0 ? 0 : v)), b.map((v) => (v === 0 ? 0 : v)), label);
}

describe('SmallConvnetMaxPoolReluGrad: MaxPoolGrad then the relu gradient, in one pass', () => {
  const shapes: Shape[] = [[2, 8, 8, 8], [2, 9, 7, 4], [1, 6, 10, 12], [1, 3, 3, 4], [3, 2, 2, 16], [2, 5, 5, 3], [1, 7, 6, 6]];
  for (const simd of [true, false]) {
    shapes.forEach((shape, i) => {
      const path = simd && shape[3] % 4 === 0 ? 'SIMD' : 'JS';
      test(`[${shape}] (${path}): the values of MaxPoolGrad then dy * step(y), and their per-channel sums`, async () => {
        const y = reluOutputs(shape, 1200 + i);
        const pooledShape: Shape = [shape[0], Math.floor(shape[1] / 2), Math.floor(shape[2] / 2), shape[3]];
        const dy = randomValues(1210 + i, size(pooledShape));
        maxPoolReluGradTuning.simd = simd;
        try {
          const [act, sums] = await onBackend('wasm', () => maxPoolReluGrad(tensor(dy, pooledShape), tensor(y, shape)));
          const [actRef, sumsRef] = await onBackend('cpu', () => referenceMaxPoolReluGrad(tensor(dy, pooledShape), tensor(y, shape)));
          assert.deepEqual(act.shape, shape);
          const passed = actRef.values.filter((v) => v !== 0).length;
          assert.ok(passed > 0 && passed < dy.length, `some windows pass their gradient (${passed} of ${dy.length}), some are stopped by the relu`);
          assertSameValues(act.values, actRef.values, `[${shape}] activation gradient`);
          assert.deepEqual(sums.shape, [shape[3]]);
          const err = relativeError(sums.values, sumsRef.values);
          assert.ok(err < TOLERANCE, `[${shape}]: bias gradient relative error ${err}`);
        } finally {
          maxPoolReluGradTuning.simd = true;
        }
      });
    });
  }

  test('a window whose maximum is 0 passes nothing; a tie goes to the first maximum in row-major order', async () => {
    // One image, 2x4, 4 channels: window 1 all zeros; window 2 a tie of 0.5 at its 2nd and 3rd pixels (channel 0).
    const y = new Float32Array(2 * 4 * 4);
    const at = (h: number, w: number, c: number) => (h * 4 + w) * 4 + c;
    y[at(0, 3, 0)] = 0.5;
    y[at(1, 2, 0)] = 0.5;
    const [act] = await onBackend('wasm', () => maxPoolReluGrad(tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 4]), tensor(y, [1, 2, 4, 4])));
    const expected = new Float32Array(y.length);
    expected[at(0, 3, 0)] = 5;
    assert.deepEqual(Array.from(act.values), Array.from(expected));
  });

  test('refuses a dy that is not the pooled shape of y', async () => {
    await tf.setBackend('wasm');
    const y = tf.zeros([1, 4, 4, 4]);
    const dy = tf.zeros([1, 3, 2, 4]);
    assert.throws(() => maxPoolReluGrad(dy, y), /dy has shape \[1,3,2,4\], expected \[1,2,2,4\]/);
    tf.dispose([y, dy]);
  });
});

// ---------------------------------------------------------------------------------------------
// convBiasRelu, the training op

describe('convBiasRelu: values and gradients match cpu (which has no SmallConvnetReluGrad)', () => {
  test('the kernel exists on wasm only', async () => {
    assert.ok(tf.getKernel(RELU_GRAD, 'wasm'));
    assert.equal(tf.getKernel(RELU_GRAD, 'cpu'), undefined);
  });

  for (const inputGradient of [true, false]) {
    test(`two layers, each with 2x2 max pooling (odd sizes), inputGradient ${inputGradient} on the first`, async () => {
      const xv = randomValues(720, 2 * 21 * 19 * 3).map((v) => v + 0.3);
      const k1 = randomValues(721, 3 * 3 * 3 * 8);
      const b1 = randomValues(722, 8).map((v) => v * 0.1);
      const k2 = randomValues(723, 3 * 3 * 8 * 16).map((v) => v * 0.5);
      const b2 = randomValues(724, 16).map((v) => v * 0.1);
      // 21x19 -> conv 19x17 -> pool 9x8 -> conv 7x6 -> pool 3x3
      const dyv = randomValues(725, 2 * 3 * 3 * 16);
      await assertSameOnBothBackends(() => {
        const f = (x: tf.Tensor, a: tf.Tensor, ab: tf.Tensor, c: tf.Tensor, cb: tf.Tensor) => {
          const h = convBiasRelu(x as tf.Tensor4D, a as tf.Tensor4D, ab as tf.Tensor1D, { inputGradient, pool2x2: true });
          return convBiasRelu(h, c as tf.Tensor4D, cb as tf.Tensor1D, { inputGradient: true, pool2x2: true });
        };
        const inputs = [tensor(xv, [2, 21, 19, 3]), tensor(k1, [3, 3, 3, 8]), tensor(b1, [8]), tensor(k2, [3, 3, 8, 16]), tensor(b2, [16])];
        const y = f(...(inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]));
        assert.deepEqual(y.shape, [2, 3, 3, 16]);
        const dy = tensor(dyv, [2, 3, 3, 16]);
        const weightsOnly = (a: tf.Tensor, ab: tf.Tensor, c: tf.Tensor, cb: tf.Tensor) => f(inputs[0], a, ab, c, cb);
        const grads = inputGradient ? tf.grads(f)(inputs, dy) : tf.grads(weightsOnly)(inputs.slice(1), dy);
        return [y, ...grads];
      }, `pooled, inputGradient ${inputGradient}`, 1e-4);
    });

    test(`two layers, inputGradient ${inputGradient} on the first`, async () => {
      const xv = randomValues(700, 2 * 12 * 13 * 3).map((v) => v + 0.3);
      const k1 = randomValues(701, 3 * 3 * 3 * 8);
      const b1 = randomValues(702, 8).map((v) => v * 0.1);
      const k2 = randomValues(703, 3 * 3 * 8 * 16).map((v) => v * 0.5);
      const b2 = randomValues(704, 16).map((v) => v * 0.1);
      const dyv = randomValues(705, 2 * 8 * 9 * 16);
      await assertSameOnBothBackends(() => {
        const f = (x: tf.Tensor, a: tf.Tensor, ab: tf.Tensor, c: tf.Tensor, cb: tf.Tensor) => {
          const h = convBiasRelu(x as tf.Tensor4D, a as tf.Tensor4D, ab as tf.Tensor1D, { inputGradient });
          return convBiasRelu(h, c as tf.Tensor4D, cb as tf.Tensor1D, { inputGradient: true });
        };
        const inputs = [tensor(xv, [2, 12, 13, 3]), tensor(k1, [3, 3, 3, 8]), tensor(b1, [8]), tensor(k2, [3, 3, 8, 16]), tensor(b2, [16])];
        const y = f(...(inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]));
        const dy = tensor(dyv, [2, 8, 9, 16]);
        // With inputGradient false, x is not an input of the first op (no gradient is made for it): the weights' only.
        const weightsOnly = (a: tf.Tensor, ab: tf.Tensor, c: tf.Tensor, cb: tf.Tensor) => f(inputs[0], a, ab, c, cb);
        const grads = inputGradient ? tf.grads(f)(inputs, dy) : tf.grads(weightsOnly)(inputs.slice(1), dy);
        return [y, ...grads];
      }, `inputGradient ${inputGradient}`, 1e-4);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// paths of the other kernels changed along with these

describe('Conv2DBackpropInput and MaxPoolGrad, block and 2x2 paths: wasm matches cpu', () => {
  test('input gradient, one dx row per block and blocks across images', async () => {
    const xShape = [3, 7, 9, 16];
    const wShape = [3, 3, 16, 8];
    const dyShape = [3, 5, 7, 8];
    const dyv = randomValues(800, size(dyShape));
    const wv = randomValues(801, size(wShape));
    const blockBytes = inputGradTuning.blockBytes;
    for (const bytes of [1, 1 << 20]) {
      inputGradTuning.blockBytes = bytes;
      try {
        await assertSameOnBothBackends(() => [
          tf.engine().runKernel('Conv2DBackpropInput', { dy: tensor(dyv, dyShape), filter: tensor(wv, wShape) }, {
            strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: xShape,
          }) as tf.Tensor,
        ], `block bytes ${bytes}`);
      } finally {
        inputGradTuning.blockBytes = blockBytes;
      }
    }
  });

  test('maxPoolGrad 2x2 stride 2: the straight-line code gives the bits of the general loop', async () => {
    for (const [i, shape] of ([[2, 8, 8, 8], [2, 9, 7, 4], [1, 6, 10, 12]] as Shape[]).entries()) {
      const xv = randomValues(810 + i, size(shape)).map((v, j) => {
        if (j % 97 === 5) return Number.NaN;
        if (j % 89 === 7) return Number.NEGATIVE_INFINITY;
        return j % 40 < 10 ? 0 : v - 0.6;
      });
      const run = (specialized: boolean) => async () => {
        maxPoolGradTuning.specialized2x2 = specialized;
        try {
          const [r] = await onBackend('wasm', () => [
            tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'))(tensor(xv, shape), tf.fill(tf.maxPool(tensor(xv, shape) as tf.Tensor4D, 2, 2, 'valid').shape, 1.5)),
          ]);
          return r.values;
        } finally {
          maxPoolGradTuning.specialized2x2 = true;
        }
      };
      const straight = await run(true)();
      const loop = await run(false)();
      assertSameFloats(straight, loop, `[${shape}]`);
      const [cpu] = await onBackend('cpu', () => [
        tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'))(tensor(xv, shape), tf.fill(tf.maxPool(tensor(xv, shape) as tf.Tensor4D, 2, 2, 'valid').shape, 1.5)),
      ]);
      assertSameFloats(straight, cpu.values, `[${shape}] vs cpu`);
    }
  });
});

describe('convolution gradients in both SIMD variants: wasm matches cpu', () => {
  const cases: { name: string; x: Shape; filter: Shape; pad: Pad }[] = [
    { name: '3 in-channels (dW rows 4 + 5 across filter columns)', x: [2, 9, 11, 3], filter: [3, 3, 3, 16], pad: 'valid' },
    { name: '8 -> 16, valid', x: [3, 8, 9, 8], filter: [3, 3, 8, 16], pad: 'valid' },
    { name: '6 -> 8, same (dW groups split at the borders)', x: [2, 6, 7, 6], filter: [3, 3, 6, 8], pad: 'same' },
  ];
  for (const variant of VARIANTS) {
    cases.forEach((c, i) => {
      test(`${c.name} (${variant.name})`, async () => {
        const xv = randomValues(870 + i, size(c.x));
        const wv = randomValues(880 + i, size(c.filter));
        const outShape = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.filter as [number, number, number, number], 1, 1, c.pad).outShape;
        const dyv = randomValues(890 + i, size(outShape));
        simdTuning.fma = variant.fma;
        try {
          await assertSameOnBothBackends(() => {
            const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, c.pad);
            return tf.grads(f)([tensor(xv, c.x), tensor(wv, c.filter)], tensor(dyv, outShape));
          }, c.name, 1e-4);
        } finally {
          simdTuning.fma = true;
        }
      });
    });
  }
});

describe('MaxPool: wasm matches cpu bit for bit', () => {
  const cases: { name: string; x: Shape; filterSize: number; strides: number; pad: 'valid' | 'same'; special?: boolean }[] = [
    { name: '2x2 stride 2, C 8 (SIMD)', x: [2, 8, 10, 8], filterSize: 2, strides: 2, pad: 'valid', special: true },
    { name: '2x2 stride 2, odd 9x7, C 4 (SIMD, last row and column unused)', x: [2, 9, 7, 4], filterSize: 2, strides: 2, pad: 'valid', special: true },
    { name: "2x2 stride 2 'same' on even sizes (no padding: SIMD)", x: [1, 6, 4, 12], filterSize: 2, strides: 2, pad: 'same', special: true },
    { name: "2x2 stride 2 'same' on odd sizes (padding: built-in)", x: [1, 7, 5, 8], filterSize: 2, strides: 2, pad: 'same' },
    { name: '2x2 stride 2, C 3 (built-in)', x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid' },
    { name: '3x3 stride 2 (built-in)', x: [2, 9, 9, 8], filterSize: 3, strides: 2, pad: 'valid' },
  ];
  cases.forEach((c, i) => {
    test(c.name, async () => {
      // NaN and -Infinity only where the SIMD loop runs: XNNPACK's NaN rule is not the cpu backend's.
      const xv = randomValues(850 + i, size(c.x)).map((v, j) => {
        if (c.special && j % 37 === 3) return Number.NaN;
        if (c.special && j % 41 === 5) return Number.NEGATIVE_INFINITY;
        return j % 7 === 0 ? 0 : j % 11 === 0 ? -0 : v;
      });
      if (c.special) {
        // Channel 0: window (0, 0) only NaN, window (0, 1) NaN and -Infinity.
        const [C, row] = [c.x[3], c.x[2] * c.x[3]];
        for (const k of [0, C, row, row + C, 2 * C, 3 * C, row + 2 * C]) xv[k] = Number.NaN;
        xv[row + 3 * C] = Number.NEGATIVE_INFINITY;
      }
      const run = () => [tf.maxPool(tensor(xv, c.x) as tf.Tensor4D, c.filterSize, c.strides, c.pad)];
      const [wasm] = await onBackend('wasm', run);
      const [cpu] = await onBackend('cpu', run);
      assert.deepEqual(wasm.shape, cpu.shape);
      if (c.special) {
        assertSameFloats(wasm.values, cpu.values, c.name);
        assert.equal(wasm.values[0], Number.NEGATIVE_INFINITY, 'an all-NaN window gives -Infinity');
        assert.equal(wasm.values[c.x[3]], Number.NEGATIVE_INFINITY, 'NaN and -Infinity give -Infinity');
      } else {
        // XNNPACK may pick -0 over +0 (same value).
        assert.ok(relativeError(wasm.values, cpu.values) === 0, c.name);
      }
    });
  });

  test('forced to XNNPACK: the same values without NaN', async () => {
    const xv = randomValues(860, 2 * 8 * 8 * 8);
    maxPoolTuning.strategy = 'xnnpack';
    try {
      const [wasm] = await onBackend('wasm', () => [tf.maxPool(tensor(xv, [2, 8, 8, 8]) as tf.Tensor4D, 2, 2, 'valid')]);
      const [cpu] = await onBackend('cpu', () => [tf.maxPool(tensor(xv, [2, 8, 8, 8]) as tf.Tensor4D, 2, 2, 'valid')]);
      assertSameFloats(wasm.values, cpu.values, 'xnnpack');
    } finally {
      maxPoolTuning.strategy = 'auto';
    }
  });
});

// ---------------------------------------------------------------------------------------------
// memory

describe('no leaks on wasm (3 runs inside tf.tidy)', () => {
  test('FusedConv2D: direct (tiles and rows), built-in', () =>
    assertNoLeak(() => {
      for (const strategy of ['tiles', 'rows'] as const) {
        directConvTuning.strategy = strategy;
        try {
          fusedConv(FUSED_CASES[1], 900, 'relu')()[0].dataSync();
        } finally {
          directConvTuning.strategy = 'auto';
        }
      }
      fusedConv(FUSED_CASES[11], 901, 'relu')()[0].dataSync();
      fusedConv(FUSED_CASES[0], 902, 'elu')()[0].dataSync();
    }));

  test('MaxPool, SIMD and built-in', () =>
    assertNoLeak(() => {
      const x = tensor(randomValues(930, 2 * 8 * 8 * 8), [2, 8, 8, 8]) as tf.Tensor4D;
      tf.maxPool(x, 2, 2, 'valid').dataSync();
      tf.maxPool(x, 3, 2, 'valid').dataSync();
    }));

  test('SmallConvnetReluGrad, SIMD and JS, with and without the bias gradient', () =>
    assertNoLeak(() => {
      for (const shape of [[2, 3, 4, 8], [3, 5]]) {
        const dy = tensor(randomValues(910, size(shape)), shape);
        const y = tensor(randomValues(911, size(shape)), shape);
        for (const t of [...reluGrad(dy, y, true), ...reluGrad(dy, y, false)]) t.dataSync();
      }
    }));

  test('SmallConvnetMaxPoolReluGrad, SIMD and JS', () =>
    assertNoLeak(() => {
      for (const shape of [[2, 5, 6, 8], [1, 4, 4, 3]]) {
        const y = tensor(reluOutputs(shape, 940), shape);
        const pooled = [shape[0], Math.floor(shape[1] / 2), Math.floor(shape[2] / 2), shape[3]];
        for (const t of maxPoolReluGrad(tensor(randomValues(941, size(pooled)), pooled), y)) t.dataSync();
      }
    }));

  test('convBiasRelu with pooling, forward and backward', () =>
    assertNoLeak(() => {
      const x = tensor(randomValues(950, 2 * 9 * 9 * 8), [2, 9, 9, 8]) as tf.Tensor4D;
      const k = tensor(randomValues(951, 3 * 3 * 8 * 8), [3, 3, 8, 8]);
      const b = tensor(randomValues(952, 8), [8]);
      const f = (a: tf.Tensor, c: tf.Tensor) => tf.sum(convBiasRelu(x, a as tf.Tensor4D, c as tf.Tensor1D, { inputGradient: false, pool2x2: true })) as tf.Scalar;
      for (const g of tf.grads(f)([k, b])) g.dataSync();
    }));

  test('convBiasRelu forward and backward', () =>
    assertNoLeak(() => {
      const x = tensor(randomValues(920, 2 * 9 * 9 * 8), [2, 9, 9, 8]) as tf.Tensor4D;
      const k = tensor(randomValues(921, 3 * 3 * 8 * 8), [3, 3, 8, 8]);
      const b = tensor(randomValues(922, 8), [8]);
      const f = (a: tf.Tensor, c: tf.Tensor) => tf.sum(convBiasRelu(x, a as tf.Tensor4D, c as tf.Tensor1D, { inputGradient: true })) as tf.Scalar;
      for (const g of tf.grads(f)([k, b])) g.dataSync();
    }));
});
