// The wasm training kernels (src/trainer/backend/*Wasm.ts) must match the cpu backend, on every
// path they have (fast path, general path, hand-back to the built-in kernel), and free everything.
// Unlike wasmGradients.test.ts, the kernels are registered here AFTER the wasm backend started.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../../src/trainer/backend/wasmTrainingKernels';
import { filterGradTuning } from '../../src/trainer/backend/conv2dBackpropFilterWasm';
import { inputGradTuning } from '../../src/trainer/backend/conv2dBackpropInputWasm';
import { conv2dTuning } from '../../src/trainer/backend/conv2dWasm';
import { leadingReducedAxes } from '../../src/trainer/backend/sumWasm';
import { randomValues, relativeError, size } from '../helpers/numeric';
import { assertNoLeak, type ConvForwardCase, type Pad, type Shape, warningsDuring } from '../helpers/wasmTesting';

const TOLERANCE = 1e-4;

type Attrs = Record<string, unknown>;

interface Input {
  values: ArrayLike<number>;
  shape: Shape;
  dtype?: 'float32' | 'int32' | 'bool';
}

/** Runs one kernel on a backend with fresh input tensors; returns its output values and shape. */
async function runOn(
  backend: 'wasm' | 'cpu',
  kernel: string,
  inputs: Record<string, Input>,
  attrs: Attrs,
): Promise<{ values: Float32Array; shape: Shape; dtype: string }> {
  await tf.setBackend(backend);
  assert.equal(tf.getBackend(), backend);
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([name, i]) => [name, tf.tensor(Array.from(i.values), i.shape, i.dtype ?? 'float32')]),
  );
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: Float32Array.from(out.dataSync()), shape: out.shape, dtype: out.dtype };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

async function assertKernelMatchesCpu(kernel: string, inputs: Record<string, Input>, attrs: Attrs, label: string): Promise<void> {
  const wasm = await runOn('wasm', kernel, inputs, attrs);
  const cpu = await runOn('cpu', kernel, inputs, attrs);
  assert.deepEqual(wasm.shape, cpu.shape, `${label}: shape`);
  assert.equal(wasm.dtype, cpu.dtype, `${label}: dtype`);
  assert.ok(cpu.values.some((v) => v !== 0), `${label}: output is all zeros, test is vacuous`);
  const err = relativeError(wasm.values, cpu.values);
  assert.ok(err < TOLERANCE, `${label}: relative error ${err} >= ${TOLERANCE}`);
}

/** Runs `fn` 3 times inside tf.tidy on wasm (after a warm-up) and checks nothing is left behind. */

function convOutShape(x: Shape, filter: Shape, strides: number | [number, number], pad: Pad, dataFormat = 'NHWC'): Shape {
  return tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    strides,
    1,
    pad,
    undefined,
    false,
    dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst',
  ).outShape;
}

before(async () => {
  // The backend starts first (its built-in kernels' setup runs), then ours replace some of them.
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

after(async () => {
  filterGradTuning.strategy = 'auto';
  inputGradTuning.strategy = 'auto';
  conv2dTuning.strategy = 'auto';
  await tf.setBackend('cpu');
});

describe('registration after the backend started', () => {
  test('all kernels are ours, and a second call is a silent no-op', () => {
    const warnings = warningsDuring(() => registerWasmTrainingKernels());
    assert.deepEqual(warnings, []);
    for (const [name, kernelFunc] of Object.entries(WASM_TRAINING_KERNELS)) {
      assert.equal(tf.getKernel(name, 'wasm')?.kernelFunc, kernelFunc, name);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Conv2D

const CONV2D_CASES: ConvForwardCase[] = [
  { name: 'valid 3x3, 8 -> 16 channels (direct)', x: [2, 7, 11, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'valid' },
  { name: 'same 3x3, 16 -> 8 channels (direct)', x: [2, 6, 8, 16], filter: [3, 3, 16, 8], strides: 1, pad: 'same' },
  { name: 'stride 2, same (direct)', x: [2, 9, 17, 8], filter: [3, 3, 8, 8], strides: 2, pad: 'same' },
  { name: 'strides [2, 1], valid, 12 channels (direct, 3-channel remainder)', x: [1, 9, 10, 12], filter: [3, 3, 12, 16], strides: [2, 1], pad: 'valid' },
  { name: 'explicit padding (direct)', x: [2, 6, 9, 8], filter: [3, 3, 8, 8], strides: 1, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { name: '1x1, width 13 (direct, 1-pixel remainder)', x: [3, 4, 13, 24], filter: [1, 1, 24, 8], strides: 1, pad: 'valid' },
  { name: '3 in-channels (direct)', x: [2, 10, 10, 3], filter: [3, 3, 3, 8], strides: 1, pad: 'valid' },
  { name: '5 out-channels (XNNPACK)', x: [2, 10, 10, 8], filter: [3, 3, 8, 5], strides: 1, pad: 'same' },
  { name: 'dilation 2 (XNNPACK)', x: [2, 12, 12, 8], filter: [3, 3, 8, 8], strides: 1, pad: 'valid', dilations: 2 },
  { name: 'output 5 wide (direct)', x: [2, 7, 7, 8], filter: [3, 3, 8, 8], strides: 1, pad: 'valid' },
];

function conv2dCase(c: ConvForwardCase, seed: number): [Record<string, Input>, Attrs] {
  return [
    {
      x: { values: randomValues(seed, size(c.x)), shape: c.x },
      filter: { values: randomValues(seed + 1, size(c.filter)), shape: c.filter },
    },
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilations ?? 1 },
  ];
}

describe('Conv2D: wasm matches cpu', () => {
  CONV2D_CASES.forEach((c, i) => {
    test(c.name, async () => {
      const [inputs, attrs] = conv2dCase(c, 50 + 10 * i);
      await assertKernelMatchesCpu('Conv2D', inputs, attrs, c.name);
    });
  });
  CONV2D_CASES.slice(0, 6).forEach((c, i) => {
    test(`${c.name}, forced to XNNPACK`, async () => {
      const [inputs, attrs] = conv2dCase(c, 50 + 10 * i);
      conv2dTuning.strategy = 'xnnpack';
      try {
        await assertKernelMatchesCpu('Conv2D', inputs, attrs, c.name);
      } finally {
        conv2dTuning.strategy = 'auto';
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropInput

interface ConvCase {
  name: string;
  x: Shape;
  filter: Shape;
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
}

const INPUT_GRAD_CASES: ConvCase[] = [
  { name: 'valid 3x3, ci 8 (direct)', x: [2, 7, 9, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'valid' },
  { name: 'same 3x3, ci 16 (direct)', x: [2, 6, 5, 16], filter: [3, 3, 16, 8], strides: 1, pad: 'same' },
  { name: 'same 2x2, asymmetric padding (direct)', x: [1, 5, 6, 8], filter: [2, 2, 8, 4], strides: 1, pad: 'same' },
  { name: 'explicit padding (direct)', x: [2, 6, 7, 8], filter: [3, 3, 8, 12], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: 'explicit padding = filter - 1 (direct)', x: [2, 4, 3, 8], filter: [3, 3, 8, 8], strides: 1, pad: [[0, 0], [2, 2], [2, 2], [0, 0]] },
  { name: '1x1, width 13 (direct, 1-row remainder)', x: [3, 5, 13, 24], filter: [1, 1, 24, 5], strides: 1, pad: 'valid' },
  { name: 'ci 3 (XNNPACK convolution)', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: 'stride 2 (built-in kernel)', x: [2, 9, 9, 8], filter: [3, 3, 8, 4], strides: 2, pad: 'same' },
  { name: 'padding wider than the filter (built-in kernel)', x: [1, 5, 5, 8], filter: [2, 2, 8, 3], strides: 1, pad: [[0, 0], [3, 0], [0, 3], [0, 0]] },
  { name: 'NCHW (built-in kernel)', x: [2, 8, 6, 5], filter: [3, 3, 8, 4], strides: 1, pad: 'valid', dataFormat: 'NCHW' },
];

function inputGradCase(c: ConvCase, seed: number): [Record<string, Input>, Attrs] {
  const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad, c.dataFormat);
  return [
    {
      dy: { values: randomValues(seed, size(dyShape)), shape: dyShape },
      filter: { values: randomValues(seed + 1, size(c.filter)), shape: c.filter },
    },
    { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', inputShape: c.x },
  ];
}

describe('Conv2DBackpropInput: wasm matches cpu', () => {
  INPUT_GRAD_CASES.forEach((c, i) => {
    test(c.name, async () => {
      const [inputs, attrs] = inputGradCase(c, 100 + 10 * i);
      await assertKernelMatchesCpu('Conv2DBackpropInput', inputs, attrs, c.name);
    });
  });
  INPUT_GRAD_CASES.slice(0, 6).forEach((c, i) => {
    test(`${c.name}, forced to the XNNPACK convolution`, async () => {
      const [inputs, attrs] = inputGradCase(c, 100 + 10 * i);
      inputGradTuning.strategy = 'xnnpack';
      try {
        await assertKernelMatchesCpu('Conv2DBackpropInput', inputs, attrs, c.name);
      } finally {
        inputGradTuning.strategy = 'auto';
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropFilter

const FILTER_GRAD_CASES: ConvCase[] = [
  { name: 'valid 3x3, co 8', x: [2, 8, 8, 4], filter: [3, 3, 4, 8], strides: 1, pad: 'valid' },
  { name: 'same 3x3, ci 3, co 16', x: [2, 7, 9, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'same' },
  { name: 'explicit padding, ci 6 (2-channel remainder)', x: [2, 6, 7, 6], filter: [3, 3, 6, 8], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: 'same 2x2 (asymmetric padding), ci 1', x: [3, 5, 4, 1], filter: [2, 2, 1, 8], strides: 1, pad: 'same' },
  { name: 'stride 2, same', x: [3, 8, 7, 5], filter: [3, 3, 5, 8], strides: 2, pad: 'same' },
  { name: 'strides [2, 1], valid', x: [2, 7, 6, 3], filter: [3, 3, 3, 16], strides: [2, 1], pad: 'valid' },
  { name: '1x1, co 24', x: [5, 6, 6, 9], filter: [1, 1, 9, 24], strides: 1, pad: 'valid' },
  { name: 'batch 5, 32 -> 64 channels', x: [5, 9, 9, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'valid' },
  { name: 'co 5 (im2col, XNNPACK)', x: [2, 6, 6, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
];

function filterGradCase(c: ConvCase, seed: number): [Record<string, Input>, Attrs] {
  const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad);
  return [
    {
      x: { values: randomValues(seed, size(c.x)), shape: c.x },
      dy: { values: randomValues(seed + 1, size(dyShape)), shape: dyShape },
    },
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter },
  ];
}

describe('Conv2DBackpropFilter: wasm matches cpu', () => {
  FILTER_GRAD_CASES.forEach((c, i) => {
    test(`${c.name} (direct SIMD unless co % 8 != 0)`, async () => {
      const [inputs, attrs] = filterGradCase(c, 300 + 10 * i);
      await assertKernelMatchesCpu('Conv2DBackpropFilter', inputs, attrs, c.name);
    });
    test(`${c.name}, forced to im2col + XNNPACK`, async () => {
      const [inputs, attrs] = filterGradCase(c, 300 + 10 * i);
      filterGradTuning.strategy = 'im2col';
      const chunk = filterGradTuning.im2colChunkFloats;
      filterGradTuning.im2colChunkFloats = 64; // several chunks even on these small shapes
      try {
        await assertKernelMatchesCpu('Conv2DBackpropFilter', inputs, attrs, c.name);
      } finally {
        filterGradTuning.strategy = 'auto';
        filterGradTuning.im2colChunkFloats = chunk;
      }
    });
  });

  test('direct: many small row blocks (summed in float64 totals) match cpu as one block does (summed straight into dW, the cases above)', async () => {
    const [inputs, attrs] = filterGradCase(FILTER_GRAD_CASES[7], 399);
    const blockFloats = filterGradTuning.directBlockFloats;
    filterGradTuning.directBlockFloats = 1; // one output row per block
    try {
      await assertKernelMatchesCpu('Conv2DBackpropFilter', inputs, attrs, 'one row per block');
    } finally {
      filterGradTuning.directBlockFloats = blockFloats;
    }
  });

  test('refuses NCHW with a clear message', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 3, 5, 5]);
    const dy = tf.zeros([1, 8, 3, 3]);
    assert.throws(
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 3, 8] }),
      /NHWC/,
    );
    tf.dispose([x, dy]);
  });
});

// ---------------------------------------------------------------------------------------------
// Sum

describe('Sum: wasm matches cpu', () => {
  test('leadingReducedAxes recognises "all axes but the last k" in any spelling', () => {
    assert.equal(leadingReducedAxes([0, 1, 2], [2, 3, 4, 5]), 3);
    assert.equal(leadingReducedAxes([2, 0, 1], [2, 3, 4, 5]), 3);
    assert.equal(leadingReducedAxes([-4, -3], [2, 3, 4, 5]), 2);
    assert.equal(leadingReducedAxes(0, [7, 3]), 1);
    assert.equal(leadingReducedAxes([1, 2], [2, 3, 4, 5]), 0);
    assert.equal(leadingReducedAxes([0, 1, 2, 3], [2, 3, 4, 5]), 0); // full reduction: built-in
    assert.equal(leadingReducedAxes(3, [2, 3, 4, 5]), 0);
  });

  const cases: { name: string; shape: Shape; axis: number | number[]; keepDims?: boolean; dtype?: 'float32' | 'int32' | 'bool' }[] = [
    { name: 'bias gradient: [3,5,4,8] over [0,1,2]', shape: [3, 5, 4, 8], axis: [0, 1, 2] },
    { name: 'same, keepDims', shape: [3, 5, 4, 8], axis: [0, 1, 2], keepDims: true },
    { name: 'same, axes as [-4,-3,-2] unordered', shape: [3, 5, 4, 8], axis: [-3, -4, -2] },
    { name: 'odd row count (not a multiple of 8): [13, 7] over 0', shape: [13, 7], axis: 0 },
    { name: 'rank 5 over [0, 1]', shape: [2, 3, 4, 5, 3], axis: [0, 1] },
    { name: 'inner axes [1, 2] (built-in)', shape: [3, 5, 4, 8], axis: [1, 2] },
    { name: 'last axis (built-in)', shape: [3, 5, 4, 8], axis: 3 },
    { name: 'all axes (built-in)', shape: [3, 5, 4, 8], axis: [0, 1, 2, 3] },
    { name: 'int32 over [0] (built-in)', shape: [6, 4], axis: 0, dtype: 'int32' },
  ];
  cases.forEach((c, i) => {
    test(c.name, async () => {
      const values = randomValues(700 + i, size(c.shape)).map((v) => (c.dtype === 'int32' ? Math.round(v * 50) : v));
      await assertKernelMatchesCpu('Sum', { x: { values, shape: c.shape, dtype: c.dtype } }, { axis: c.axis, keepDims: c.keepDims ?? false }, c.name);
    });
  });

  test('accurate on a long sum with a large offset (float64 accumulation)', async () => {
    const rows = 20000;
    const values = randomValues(790, rows * 4).map((v) => 1000 + v);
    const wasm = await runOn('wasm', 'Sum', { x: { values, shape: [rows, 4] } }, { axis: 0, keepDims: false });
    const exact = [0, 1, 2, 3].map((j) => {
      let s = 0;
      for (let i = 0; i < rows; i++) s += values[i * 4 + j];
      return s;
    });
    assert.ok(relativeError(wasm.values, exact) < 1e-7, `relative error ${relativeError(wasm.values, exact)}`);
  });
});

// ---------------------------------------------------------------------------------------------
// MaxPoolGrad

interface PoolCase {
  name: string;
  x: Shape;
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same';
}

const POOL_CASES: PoolCase[] = [
  { name: '2x2 stride 2 valid, C 8 (SIMD, 2x2 straight-line)', x: [2, 8, 8, 8], filterSize: 2, strides: 2, pad: 'valid' },
  { name: '2x2 stride 2 valid, odd size 9x7 (SIMD 2x2, uncovered edge)', x: [2, 9, 7, 4], filterSize: 2, strides: 2, pad: 'valid' },
  { name: '3x3 stride 1 valid, overlapping windows (SIMD)', x: [2, 7, 7, 4], filterSize: 3, strides: 1, pad: 'valid' },
  { name: '3x2 strides [2, 1] valid (SIMD)', x: [1, 9, 8, 12], filterSize: [3, 2], strides: [2, 1], pad: 'valid' },
  { name: '3x3 stride 2 same, C 8 (JS, padding)', x: [2, 9, 8, 8], filterSize: 3, strides: 2, pad: 'same' },
  { name: '2x2 stride 2 valid, C 3 (JS)', x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid' },
];

/** Inputs where many windows are all negative, all zero (ties, as after relu), or hold NaN/-Infinity. */
function poolInput(shape: Shape, seed: number): Float32Array {
  return randomValues(seed, size(shape)).map((v, i) => {
    if (i % 97 === 5) return Number.NaN;
    if (i % 89 === 7) return Number.NEGATIVE_INFINITY;
    return i % 40 < 10 ? 0 : v - 0.6;
  });
}

describe('MaxPoolGrad: wasm matches cpu', () => {
  POOL_CASES.forEach((c, i) => {
    test(c.name, async () => {
      // Leave NaN garbage in freed wasm memory, which the gradient's output may then reuse.
      await tf.setBackend('wasm');
      tf.fill([size(c.x)], Number.NaN).dispose();
      const xValues = poolInput(c.x, 800 + 10 * i);
      await tf.setBackend('cpu');
      const x = tf.tensor4d(Array.from(xValues), c.x as [number, number, number, number]);
      const y = tf.maxPool(x, c.filterSize, c.strides, c.pad);
      const outShape = y.shape;
      const yValues = y.dataSync().slice();
      tf.dispose([x, y]);
      await assertKernelMatchesCpu(
        'MaxPoolGrad',
        {
          dy: { values: randomValues(801 + 10 * i, size(outShape)), shape: outShape },
          input: { values: xValues, shape: c.x },
          output: { values: yValues, shape: outShape },
        },
        { filterSize: c.filterSize, strides: c.strides, pad: c.pad },
        c.name,
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Identity and Cast

describe('Identity and Cast share data instead of copying', () => {
  test('clone: same values, no new backend data, survives disposing the original', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const a = tf.tensor([1, 2, 3, 4], [2, 2]);
    const ids = backend.numDataIds();
    const b = tf.clone(a);
    assert.equal(backend.numDataIds(), ids, 'no new data');
    assert.deepEqual(b.shape, [2, 2]);
    a.dispose();
    assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3, 4]);
    b.dispose();
    assert.equal(backend.numDataIds(), ids - 1, 'freed with the last reference');
  });

  test('cast to the same dtype shares data; real casts still convert like cpu', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const a = tf.tensor([1.7, -2.2, 0, 3.5]);
    const ids = backend.numDataIds();
    const same = tf.cast(a, 'float32');
    assert.equal(backend.numDataIds(), ids);
    assert.deepEqual(Array.from(same.dataSync()), Array.from(a.dataSync()));
    tf.dispose([a, same]);

    const values = [1.7, -2.2, 0, 3.5, -0.4];
    for (const [from, to] of [['float32', 'int32'], ['int32', 'float32'], ['float32', 'bool'], ['bool', 'float32']] as const) {
      const results: number[][] = [];
      for (const name of ['wasm', 'cpu'] as const) {
        await tf.setBackend(name);
        const t = tf.tensor(from === 'bool' ? values.map((v) => (v !== 0 ? 1 : 0)) : values, [5], from);
        const c = tf.cast(t, to);
        assert.equal(c.dtype, to);
        results.push(Array.from(c.dataSync()));
        tf.dispose([t, c]);
      }
      assert.deepEqual(results[0], results[1], `${from} -> ${to}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// memory

describe('no leaks on wasm (3 runs inside tf.tidy)', () => {
  const run = (kernel: string, inputs: Record<string, Input>, attrs: Attrs) => () => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([n, i]) => [n, tf.tensor(Array.from(i.values), i.shape, i.dtype ?? 'float32')]));
    (tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor).dataSync();
  };
  const paths: [string, () => void][] = [
    ['conv2d, direct', run('Conv2D', ...conv2dCase(CONV2D_CASES[2], 0))],
    ['conv2d, XNNPACK', run('Conv2D', ...conv2dCase(CONV2D_CASES[7], 0))],
    ['input gradient, direct', run('Conv2DBackpropInput', ...inputGradCase(INPUT_GRAD_CASES[1], 1))],
    ['input gradient, XNNPACK convolution', run('Conv2DBackpropInput', ...inputGradCase(INPUT_GRAD_CASES[6], 2))],
    ['input gradient, built-in (stride 2)', run('Conv2DBackpropInput', ...inputGradCase(INPUT_GRAD_CASES[7], 3))],
    ['filter gradient, direct', run('Conv2DBackpropFilter', ...filterGradCase(FILTER_GRAD_CASES[4], 4))],
    ['filter gradient, im2col', run('Conv2DBackpropFilter', ...filterGradCase(FILTER_GRAD_CASES[8], 5))],
    ['sum, leading axes', run('Sum', { x: { values: randomValues(6, 60), shape: [3, 4, 5] } }, { axis: [0, 1], keepDims: false })],
    ['sum, built-in', run('Sum', { x: { values: randomValues(7, 60), shape: [3, 4, 5] } }, { axis: [1], keepDims: false })],
    ['maxPoolGrad, SIMD and JS', () => {
      for (const c of [POOL_CASES[0], POOL_CASES[4]]) {
        const x = tf.tensor4d(Array.from(randomValues(8, size(c.x))), c.x as [number, number, number, number]);
        const y = tf.maxPool(x, c.filterSize, c.strides, c.pad);
        tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, c.filterSize, c.strides, c.pad))(x, tf.onesLike(y)).dataSync();
      }
    }],
    ['identity and cast aliases', () => {
      const a = tf.tensor([1, 2, 3]);
      tf.clone(tf.cast(tf.clone(a), 'float32')).dataSync();
    }],
  ];
  for (const [name, fn] of paths) test(name, () => assertNoLeak(fn));

  test('a whole small training step with every kernel', async () => {
    await assertNoLeak(() => {
      const x = tf.tensor(Array.from(randomValues(9, 2 * 12 * 12 * 3)), [2, 12, 12, 3]) as tf.Tensor4D;
      const k1 = tf.tensor(Array.from(randomValues(10, 3 * 3 * 3 * 8)), [3, 3, 3, 8]) as tf.Tensor4D;
      const k2 = tf.tensor(Array.from(randomValues(11, 3 * 3 * 8 * 16)), [3, 3, 8, 16]) as tf.Tensor4D;
      const b2 = tf.tensor(Array.from(randomValues(12, 16)), [16]);
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const h = tf.maxPool(tf.relu(tf.conv2d(x, a as tf.Tensor4D, 1, 'valid')), 2, 2, 'valid');
        return tf.sum(tf.relu(tf.add(tf.conv2d(h, b as tf.Tensor4D, 1, 'same'), c))) as tf.Scalar;
      };
      for (const g of tf.grads(loss)([k1, k2, b2])) g.dataSync();
    });
  });
});
