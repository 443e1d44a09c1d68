// The SIMD module's filter-side functions (src/trainer/backend/wasmFilterBodies.ts): Winograd's filter transform
// (forward, and flipped for the input gradient), its transpose for the filter gradient, and the tap transpose.
// They must give the plain-JS code they replaced (test/helpers/winogradFilterReference.ts) bit for bit, so
// that moving them into wasm changed no weight of any training.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { moduleBytes, type SimdKernels } from '../../src/trainer/backend/wasmSimdModule';
import { transformPlaneStride, transposeTaps, winogradFilter, type WinogradTile } from '../../src/trainer/backend/winogradConvWasm';
import { randomValues } from '../helpers/numeric';
import { webAssembly } from '../helpers/wasmTesting';
import { referenceFilterFromTransformed, referenceWinogradFilter } from '../helpers/winogradFilterReference';

type FilterFunctions = Pick<SimdKernels, 'transpose' | 'winogradFilter' | 'winograd4Filter' | 'winogradFilterTransposed' | 'winograd4FilterTransposed'>;

/** The module on a memory of its own: its filter functions and a float view of the memory. */
function instantiate(): { simd: FilterFunctions; heap: Float32Array } {
  const memory = new webAssembly.Memory({ initial: 64 }); // 4 MB
  const { exports } = new webAssembly.Instance(new webAssembly.Module(moduleBytes(false)), { env: { memory } });
  return { simd: exports as unknown as FilterFunctions, heap: new Float32Array(memory.buffer) };
}

/** Random floats over many magnitudes (1e-6 to 1e3, both signs), so that roundings of every kind occur. */
function spreadValues(seed: number, count: number): Float32Array {
  const unit = randomValues(seed, count);
  const scale = randomValues(seed + 1, count);
  return unit.map((v, i) => v * 10 ** Math.round(4.5 * scale[i] - 1.5));
}

/** The positions where two arrays' bits differ (NaN-safe), as a message. */
function bitDifferences(actual: Float32Array, expected: Float32Array): string {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const differ = [...a.keys()].filter((i) => a[i] !== e[i]);
  return differ.length === 0 ? '' : `${differ.length} of ${a.length} differ, first at ${differ[0]}: ${actual[differ[0]]} vs ${expected[differ[0]]}`;
}

/** `count` planes of `plane` floats, `stride` apart from float index `index`, end to end. */
function planes(heap: Float32Array, options: { index: number; count: number; plane: number; stride: number }): Float32Array {
  const { index, count, plane, stride } = options;
  const out = new Float32Array(count * plane);
  for (let k = 0; k < count; k++) out.set(heap.subarray(index + k * stride, index + k * stride + plane), k * plane);
  return out;
}

const SHAPES = [
  { ci: 4, co: 8 },
  { ci: 16, co: 24 },
  { ci: 32, co: 64 },
  { ci: 3, co: 6 }, // odd channel counts: only the plane must be even
];
const TILES: WinogradTile[] = [2, 4];

describe('Winograd filter transforms in wasm: the JS reference, bit for bit', () => {
  for (const tile of TILES) {
    const n = tile + 2;
    for (const { ci, co } of SHAPES) {
      test(`F(${tile}x${tile}), ${ci} -> ${co} channels: U = G g Gt, forward layout`, () => {
        const { simd, heap } = instantiate();
        const plane = ci * co;
        const filter = spreadValues(ci * co + tile, 9 * plane);
        const stride = transformPlaneStride(plane);
        heap.set(filter, 0);
        heap.fill(Number.NaN, 9 * plane, 9 * plane + n * n * stride);
        winogradFilter({ simd, wIndex: 0, uIndex: 9 * plane, ci, co, layout: 'forward', tile });
        const expected = new Float32Array(9 * plane + n * n * plane);
        expected.set(filter, 0);
        referenceWinogradFilter({ heap: expected, wIndex: 0, uIndex: 9 * plane, ci, co, layout: 'forward', tile });
        assert.equal(bitDifferences(planes(heap, { index: 9 * plane, count: n * n, plane, stride }), expected.subarray(9 * plane)), '');
      });

      test(`F(${tile}x${tile}), ${ci} -> ${co} channels: dW = Gt dU G`, () => {
        const { simd, heap } = instantiate();
        const plane = ci * co;
        const stride = transformPlaneStride(plane);
        const transformed = spreadValues(ci + co + 7 * tile, n * n * plane);
        for (let k = 0; k < n * n; k++) heap.set(transformed.subarray(k * plane, (k + 1) * plane), k * stride);
        const wIndex = n * n * stride;
        heap.fill(Number.NaN, wIndex, wIndex + 9 * plane);
        (tile === 2 ? simd.winogradFilterTransposed : simd.winograd4FilterTransposed)(0, wIndex * 4, plane, stride);
        const expected = new Float32Array(n * n * plane + 9 * plane);
        expected.set(transformed, 0);
        referenceFilterFromTransformed({ heap: expected, uIndex: 0, wIndex: n * n * plane, ci, co, tile });
        assert.equal(bitDifferences(heap.subarray(wIndex, wIndex + 9 * plane), expected.subarray(n * n * plane)), '');
      });
    }

    test(`F(${tile}x${tile}): the input gradient's flipped filter ([3, 3, co, ci] read turned and transposed)`, () => {
      const { simd, heap } = instantiate();
      // The flipped convolution's channels: in = the forward's out (24), out = the forward's in (16).
      const [ci, co] = [24, 16];
      const plane = ci * co;
      const filter = spreadValues(5 + tile, 9 * plane);
      heap.set(filter, 0);
      const [flippedIndex, uIndex] = [9 * plane, 18 * plane];
      const stride = transformPlaneStride(plane);
      heap.fill(Number.NaN, flippedIndex, uIndex + n * n * stride);
      winogradFilter({ simd, wIndex: 0, uIndex, ci, co, layout: 'flipped', flippedIndex, tile });
      const expected = new Float32Array(uIndex + n * n * plane);
      expected.set(filter, 0);
      referenceWinogradFilter({ heap: expected, wIndex: 0, uIndex, ci, co, layout: 'flipped', tile });
      assert.equal(bitDifferences(planes(heap, { index: uIndex, count: n * n, plane, stride }), expected.subarray(uIndex)), '');
      assert.deepEqual(heap.subarray(0, 9 * plane), filter, 'the filter itself is left as it was');
    });
  }
});

describe('the tap transpose in wasm', () => {
  for (const { rows, cols, taps, flip } of [
    { rows: 4, cols: 4, taps: 1, flip: false },
    { rows: 8, cols: 12, taps: 9, flip: false },
    { rows: 12, cols: 8, taps: 9, flip: true },
    { rows: 256, cols: 32, taps: 4, flip: true },
  ]) {
    test(`${taps} taps of ${rows} x ${cols}${flip ? ', turned by 180 degrees' : ''}: dst[t'][c][r] = src[t][r][c]`, () => {
      const { simd, heap } = instantiate();
      const plane = rows * cols;
      const src = randomValues(rows + cols, taps * plane);
      heap.set(src, 0);
      heap.fill(Number.NaN, taps * plane, 2 * taps * plane);
      transposeTaps({ simd, src: 0, dst: taps * plane, taps, rows, cols, flip });
      const expected = new Float32Array(taps * plane);
      for (let t = 0; t < taps; t++) {
        const to = flip ? taps - 1 - t : t;
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expected[to * plane + c * rows + r] = src[t * plane + r * cols + c];
      }
      assert.equal(bitDifferences(heap.subarray(taps * plane, 2 * taps * plane), expected), '');
    });
  }
});
