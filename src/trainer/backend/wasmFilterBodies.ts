/**
 * What the convolutions do to their filters once per call, as wasm SIMD bodies for ./wasmSimdModule.ts: Winograd's
 * filter transform U = G g Gt, its transpose dW = Gt dU G (the filter gradient), and the 4x4-block transpose of a
 * filter tap (the input gradient reads the filter with its channels swapped). They cost the same whatever the
 * batch, so on a worker's small shard they weigh: in plain JS the three transforms of the model's fourth layer
 * took 6.5 (F(2x2)) to 12 ms (F(4x4)) per step on one thread, here about 0.6-1.6 ms (docs/performance.md, round four).
 *
 * The transforms work in double precision, two channel pairs per f64x2 vector, with the operations in the order
 * of ../../../test/helpers/winogradFilterReference.ts (the JS they replace), and round once to float32 when
 * storing: their results are that code's bit for bit (the tests compare them). G and Gt as in
 * ./winogradConvWasm.ts:
 *   F(2x2): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 *   F(4x4): G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 */
import {
  add, divU, doWhile, end, f32x4DemoteF64x2Zero, f64c, f64x2Add, f64x2Mul, f64x2PromoteLowF32x4, f64x2Splat, f64x2Sub, get, i32c, inc,
  mul, set, shuffle32, v128Load, v128Load64Zero, v128Store, v128Store64Lane0, type Frame,
} from './wasmEncoding';

/** F(4x4, 3x3)'s G (and Gt) coefficients, as multiplications. */
export const ONE_6TH = 1 / 6;
export const ONE_12TH = 1 / 12;
export const ONE_24TH = 1 / 24;

/** Code leaving a value on the stack. */
type Code = number[];

/** Splat f64 constants, one v128 local each: `setup` fills them, `of(v)` reads one. */
function f64Constants(f: Frame, values: readonly number[]): { setup: Code; of: (v: number) => Code } {
  const locals = new Map<number, number>();
  const setup: Code = [];
  for (const v of values) {
    const [local] = f.v128Array(1);
    locals.set(v, local);
    setup.push(...f64c(v), ...f64x2Splat, ...set(local));
  }
  return { setup, of: (v) => get(locals.get(v) as number) };
}

const plus = (a: Code, b: Code) => [...a, ...b, ...f64x2Add];
const minus = (a: Code, b: Code) => [...a, ...b, ...f64x2Sub];
const times = (a: Code, b: Code) => [...a, ...b, ...f64x2Mul];

const TRANSFORM_CONSTANTS = [0.5, 0.25, -ONE_6TH, ONE_6TH, ONE_12TH, ONE_24TH];

/**
 * G c for a column c of 3: `setup` (temporaries) then the n = tile + 2 results. JS reference: (-(a) * 1/6) is
 * (a * -1/6) bit for bit, rounding being symmetric.
 */
function filterColumn(tile: 2 | 4, c: readonly Code[], temps: readonly number[], k: (v: number) => Code): { setup: Code; results: Code[] } {
  const [c0, c1, c2] = c;
  if (tile === 2) {
    return { setup: [], results: [c0, times(plus(plus(c0, c1), c2), k(0.5)), times(plus(minus(c0, c1), c2), k(0.5)), c2] };
  }
  const [even, outer] = temps;
  const setup = [...plus(c0, c2), ...set(even), ...plus(times(c0, k(ONE_24TH)), times(c2, k(ONE_6TH))), ...set(outer)];
  return {
    setup,
    results: [
      times(c0, k(0.25)),
      times(plus(get(even), c1), k(-ONE_6TH)),
      times(minus(get(even), c1), k(-ONE_6TH)),
      plus(get(outer), times(c1, k(ONE_12TH))),
      minus(get(outer), times(c1, k(ONE_12TH))),
      c2,
    ],
  };
}

/** Gt u for a column u of n = tile + 2: `setup` (temporaries) then the 3 results. */
function transposedFilterColumn(tile: 2 | 4, u: readonly Code[], temps: readonly number[], k: (v: number) => Code): { setup: Code; results: Code[] } {
  if (tile === 2) {
    const [u0, u1, u2, u3] = u;
    const half = times(plus(u1, u2), k(0.5));
    return { setup: [], results: [plus(u0, half), times(minus(u1, u2), k(0.5)), plus(half, u3)] };
  }
  const [u0, u1, u2, u3, u4, u5] = u;
  const [inner] = temps;
  return {
    setup: [...times(plus(u1, u2), k(ONE_6TH)), ...set(inner)],
    results: [
      plus(minus(times(u0, k(0.25)), get(inner)), times(plus(u3, u4), k(ONE_24TH))),
      plus(times(minus(u2, u1), k(ONE_6TH)), times(minus(u3, u4), k(ONE_12TH))),
      plus(minus(times(plus(u3, u4), k(ONE_6TH)), get(inner)), u5),
    ],
  };
}

/** What a filter transform's per-pair code can use: its inputs, its stores, the constants, and new f64x2 locals. */
interface PairIo {
  loaded: (i: number) => Code;
  store: (i: number, value: Code) => Code;
  k: (v: number) => Code;
  locals: (count: number) => number[];
}

/**
 * The loop both filter transforms share: params src, dst, plane (floats per tap: ci * co; even, >= 2), stride
 * (floats from one transform's plane to the next, >= plane: padding it keeps the 16 or 36 planes' streams out of
 * one cache set). For every second element p of the plane, `perPair` reads `loads` vectors of 2 floats from
 * src + p*4 + i*loadStride (loaded(i): promoted to f64x2) and writes through store(i, value) 2 floats, rounded
 * to float32, to dst + p*4 + i*storeStride; the taps' side moves by plane, the transforms' side by stride.
 */
function planeLoop(f: Frame, counts: { loads: number; stores: number; transformed: 'loads' | 'stores' }, perPair: (io: PairIo) => Code): number[] {
  const { src, dst, plane, stride } = f.params;
  const { p, pairs, s, d, planeB, strideB } = f.i32('p', 'pairs', 's', 'd', 'planeB', 'strideB');
  const loadOffsets = f.i32Array(counts.loads);
  const storeOffsets = f.i32Array(counts.stores);
  const inputs = f.v128Array(counts.loads);
  const k = f64Constants(f, TRANSFORM_CONSTANTS);
  const setup: Code = [
    ...get(plane), ...i32c(4), ...mul, ...set(planeB), ...get(stride), ...i32c(4), ...mul, ...set(strideB),
    ...get(plane), ...i32c(2), ...divU, ...set(pairs), ...get(src), ...set(s), ...get(dst), ...set(d), ...k.setup,
  ];
  const [loadStep, storeStep] = counts.transformed === 'loads' ? [strideB, planeB] : [planeB, strideB];
  loadOffsets.forEach((local, i) => setup.push(...get(loadStep), ...i32c(i), ...mul, ...set(local)));
  storeOffsets.forEach((local, i) => setup.push(...get(storeStep), ...i32c(i), ...mul, ...set(local)));
  const body: Code = [];
  inputs.forEach((local, i) => body.push(...get(s), ...get(loadOffsets[i]), ...add, ...v128Load64Zero, ...f64x2PromoteLowF32x4, ...set(local)));
  body.push(...perPair({
    loaded: (i) => get(inputs[i]),
    store: (i, value) => [...get(d), ...get(storeOffsets[i]), ...add, ...value, ...f32x4DemoteF64x2Zero, ...v128Store64Lane0],
    k: k.of,
    locals: (count) => f.v128Array(count),
  }));
  body.push(...inc(s, i32c(8)), ...inc(d, i32c(8)));
  return f.body([...setup, ...doWhile(p, pairs, body), ...end]);
}

/**
 * Winograd's filter transform. Params src, dst, plane, stride: the filter [3, 3, ci, co] at src (plane = ci * co
 * floats per tap), U = G g Gt for every channel pair as n^2 planes [ci][co] at dst, `stride` floats apart
 * (n = tile + 2). plane even, >= 2.
 */
export function winogradFilterBody(f: Frame, tile: 2 | 4): number[] {
  const n = tile + 2;
  return planeLoop(f, { loads: 9, stores: n * n, transformed: 'stores' }, ({ loaded, store, k, locals }) => {
    const r = locals(3 * n); // G g: r[3i + j], row i, column j
    const temps = locals(2);
    const code: Code = [];
    for (let j = 0; j < 3; j++) {
      const { setup, results } = filterColumn(tile, [loaded(j), loaded(3 + j), loaded(6 + j)], temps, k);
      code.push(...setup);
      results.forEach((value, i) => code.push(...value, ...set(r[3 * i + j])));
    }
    for (let i = 0; i < n; i++) {
      const { setup, results } = filterColumn(tile, [get(r[3 * i]), get(r[3 * i + 1]), get(r[3 * i + 2])], temps, k);
      code.push(...setup);
      results.forEach((value, l) => code.push(...store(n * i + l, value)));
    }
    return code;
  });
}

/**
 * The transpose of Winograd's filter transform, for the filter gradient. Params src, dst, plane, stride: dU as
 * n^2 planes [ci][co] at src, `stride` floats apart (plane = ci * co), dW = Gt dU G as [3, 3, ci, co] at dst.
 * plane even, >= 2.
 */
export function winogradFilterTransposedBody(f: Frame, tile: 2 | 4): number[] {
  const n = tile + 2;
  return planeLoop(f, { loads: n * n, stores: 9, transformed: 'loads' }, ({ loaded, store, k, locals }) => {
    const t = locals(3 * n); // Gt dU: t[n*a + j], row a, column j
    const temps = locals(1);
    const code: Code = [];
    for (let j = 0; j < n; j++) {
      const { setup, results } = transposedFilterColumn(tile, Array.from({ length: n }, (_, i) => loaded(n * i + j)), temps, k);
      code.push(...setup);
      results.forEach((value, a) => code.push(...value, ...set(t[n * a + j])));
    }
    for (let a = 0; a < 3; a++) {
      const { setup, results } = transposedFilterColumn(tile, Array.from({ length: n }, (_, j) => get(t[n * a + j])), temps, k);
      code.push(...setup);
      results.forEach((value, b) => code.push(...store(3 * a + b, value)));
    }
    return code;
  });
}

/**
 * Params src, dst, rows, cols: dst[c][r] = src[r][c] for a rows x cols matrix of floats (one filter tap), 4x4
 * blocks at a time through registers. rows and cols multiples of 4, >= 4.
 */
export function transposeBody(f: Frame): number[] {
  const { src, dst, rows, cols } = f.params;
  const { rq, cq, rowQuads, colQuads, s, d, colsB, rowsB } = f.i32('rq', 'cq', 'rowQuads', 'colQuads', 's', 'd', 'colsB', 'rowsB');
  const a = f.v128Array(4);
  const t = f.v128Array(4);
  const load = (i: number) => [...get(s), ...(i > 0 ? [...get(colsB), ...i32c(i), ...mul, ...add] : []), ...v128Load, ...set(a[i])];
  const pair = (into: number, x: number, y: number, lanes: number[]) => [...get(x), ...get(y), ...shuffle32(lanes), ...set(into)];
  const store = (j: number, x: number, y: number, lanes: number[]) => [...get(d), ...(j > 0 ? [...get(rowsB), ...i32c(j), ...mul, ...add] : []), ...get(x), ...get(y), ...shuffle32(lanes), ...v128Store];
  const perBlock = [
    ...load(0), ...load(1), ...load(2), ...load(3),
    // t0 = a0[0] a1[0] a0[1] a1[1], t1 = a0[2] a1[2] a0[3] a1[3], t2 and t3 the same of a2, a3
    ...pair(t[0], a[0], a[1], [0, 4, 1, 5]), ...pair(t[1], a[0], a[1], [2, 6, 3, 7]),
    ...pair(t[2], a[2], a[3], [0, 4, 1, 5]), ...pair(t[3], a[2], a[3], [2, 6, 3, 7]),
    // column j of the block: a0[j] a1[j] a2[j] a3[j]
    ...store(0, t[0], t[2], [0, 1, 4, 5]), ...store(1, t[0], t[2], [2, 3, 6, 7]),
    ...store(2, t[1], t[3], [0, 1, 4, 5]), ...store(3, t[1], t[3], [2, 3, 6, 7]),
    ...inc(s, i32c(16)),
    ...get(d), ...get(rowsB), ...i32c(4), ...mul, ...add, ...set(d),
  ];
  const perRowQuad = [
    ...get(src), ...get(rq), ...get(colsB), ...mul, ...i32c(4), ...mul, ...add, ...set(s),
    ...get(dst), ...get(rq), ...i32c(16), ...mul, ...add, ...set(d),
    ...doWhile(cq, colQuads, perBlock),
  ];
  return f.body([
    ...get(cols), ...i32c(4), ...mul, ...set(colsB),
    ...get(rows), ...i32c(4), ...mul, ...set(rowsB),
    ...get(rows), ...i32c(4), ...divU, ...set(rowQuads),
    ...get(cols), ...i32c(4), ...divU, ...set(colQuads),
    ...doWhile(rq, rowQuads, perRowQuad),
    ...end,
  ]);
}
