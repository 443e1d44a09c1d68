/**
 * The input and output transforms of Winograd's F(2x2, 3x3) and F(4x4, 3x3) convolutions (Lavin & Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2015), as wasm SIMD bodies for ./wasmSimdModule.ts;
 * ./winogradConvWasm.ts drives them and runs the 16 or 36 products in between on the module's conv tiles.
 * NHWC, 4 channels per vector.
 *
 * F(2x2, 3x3), a 2x2 block of outputs from a 4x4 patch:
 *   input:  V = Bt d B   Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
 *   output: Y = At M A   At = [1 1 1 0; 0 1 -1 -1]
 * F(4x4, 3x3), a 4x4 block of outputs from a 6x6 patch (interpolation points 0, +-1, +-2, infinity):
 *   input:  Bt = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   output: At = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * and, for the filter gradients of both, the output transform transposed (A dy At, `winogradGradient*`).
 */
import {
  add, brIf, divU, doWhile, end, f32c, f32x4Add, f32x4Max, f32x4Mul, f32x4Splat, f32x4Sub, get, i32And, i32c, inc, loop, ltU, mul, select, set,
  sub, tee, v128Load, v128Store, type Frame,
} from './wasmEncoding';

/** a (op) b of two v128 locals into `into`. */
const op2 = (into: number, a: number, b: number, op: number[]) => [...get(a), ...get(b), ...op, ...set(into)];

/**
 * The loop the patch transforms share: for t < count, s = src + step*t*C*4 and o = dst + t*C*4, then `perQuad`
 * (which stores `vectors` vectors, moving o by kStride after each) once per channel quad, s and o moving 16
 * bytes. `setup` runs once before the loop, after pixB = C*4 and quads = C/4 are set. F(2x2): step 2, 16
 * vectors (the default); F(4x4): step 4, 36.
 */
function tileLoop(
  f: Frame,
  locals: { t: number; q: number; quads: number; pixB: number; s: number; o: number },
  perQuad: number[],
  setup: number[] = [],
  tiles: { step: number; vectors: number } = { step: 2, vectors: 16 },
): number[] {
  const { src, dst, kStride, C, count } = f.params;
  const { t, q, quads, pixB, s, o } = locals;
  const perTile = [
    ...get(t), ...get(pixB), ...mul, ...tee(o), ...i32c(tiles.step), ...mul, ...get(src), ...add, ...set(s),
    ...get(o), ...get(dst), ...add, ...set(o),
    ...doWhile(q, quads, [
      ...perQuad,
      // o went `vectors` kStrides forward: back, then to the next quad
      ...get(o), ...get(kStride), ...i32c(tiles.vectors), ...mul, ...sub, ...i32c(16), ...add, ...set(o),
      ...inc(s, i32c(16)),
    ]),
  ];
  return [
    ...get(C), ...i32c(4), ...mul, ...set(pixB),
    ...get(C), ...i32c(4), ...divU, ...set(quads),
    ...setup,
    ...doWhile(t, count, perTile),
  ];
}

/**
 * Params src, rowStride, dst, kStride, C, count: `count` patches along a row, patch t the 4x4 pixels from
 * src + 2t*C*4 (rows rowStride bytes apart, pixels C*4), written as 16 vectors per channel quad:
 * V[k] (k = 4*row + column of the transformed patch) at dst + k*kStride + t*C*4. C % 4 == 0, count >= 1.
 */
export function winogradInputBody(f: Frame): number[] {
  const { rowStride, kStride } = f.params;
  const { t, q, quads, pixB, s, o, r1, r2, r3, c1, c2, c3 } = f.i32('t', 'q', 'quads', 'pixB', 's', 'o', 'r1', 'r2', 'r3', 'c1', 'c2', 'c3');
  const x = f.v128Array(4);
  // rows[r][c]: (Bt d) after the row transform, column c
  const flat = f.v128Array(16);
  const rows = [0, 1, 2, 3].map((r) => flat.slice(4 * r, 4 * r + 4));
  const rowOffsets = [undefined, r1, r2, r3];
  const columnOffsets = [undefined, c1, c2, c3];
  const load = (r: number, c: number) => {
    const code = [...get(s)];
    if (rowOffsets[r] !== undefined) code.push(...get(rowOffsets[r] as number), ...add);
    if (columnOffsets[c] !== undefined) code.push(...get(columnOffsets[c] as number), ...add);
    return [...code, ...v128Load];
  };
  const perQuad: number[] = [];
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) perQuad.push(...load(r, c), ...set(x[r]));
    // Bt applied down the column: d0 - d2, d1 + d2, d2 - d1, d1 - d3
    perQuad.push(
      ...op2(rows[0][c], x[0], x[2], f32x4Sub),
      ...op2(rows[1][c], x[1], x[2], f32x4Add),
      ...op2(rows[2][c], x[2], x[1], f32x4Sub),
      ...op2(rows[3][c], x[1], x[3], f32x4Sub),
    );
  }
  // B applied along each row, stored in k order (o moves by kStride after each store)
  const store = (a: number, b: number, operation: number[]) => [...get(o), ...get(a), ...get(b), ...operation, ...v128Store, ...inc(o, get(kStride))];
  for (let r = 0; r < 4; r++) {
    const [t0, t1, t2, t3] = rows[r];
    perQuad.push(...store(t0, t2, f32x4Sub), ...store(t1, t2, f32x4Add), ...store(t2, t1, f32x4Sub), ...store(t1, t3, f32x4Sub));
  }
  const offsets = [
    ...get(pixB), ...tee(c1), ...get(pixB), ...add, ...tee(c2), ...get(pixB), ...add, ...set(c3),
    ...get(rowStride), ...tee(r1), ...get(rowStride), ...add, ...tee(r2), ...get(rowStride), ...add, ...set(r3),
  ];
  const code = [...tileLoop(f, { t, q, quads, pixB, s, o }, perQuad, offsets), ...end];
  return f.body(code);
}

/**
 * The loop both output transforms share: for t < count, p = m + t*C*4 and d = dst + tile*t*C*4; per channel
 * quad, bv = bias[4 channels], then `perQuad`, p and d moving 16 bytes. Before the loop: pixB = C*4,
 * quads = C/4, `setup`, and lo = 0 for relu (flags & 2), -Infinity otherwise.
 */
function outputTileLoop(
  f: Frame,
  locals: { t: number; q: number; quads: number; pixB: number; p: number; d: number; bv: number; lo: number },
  perQuad: number[],
  options: { tile: number; setup?: number[] },
): number[] {
  const { m, dst, C, count, bias, flags } = f.params;
  const { t, q, quads, pixB, p, d, bv, lo } = locals;
  const perTile = [
    ...get(t), ...get(pixB), ...mul, ...tee(p), ...get(m), ...add, ...set(p),
    ...get(t), ...get(pixB), ...mul, ...i32c(options.tile), ...mul, ...get(dst), ...add, ...set(d),
    ...i32c(0), ...set(q),
    ...loop,
    ...get(bias), ...get(q), ...i32c(16), ...mul, ...add, ...v128Load, ...set(bv),
    ...perQuad,
    ...inc(p, i32c(16)), ...inc(d, i32c(16)),
    ...inc(q, i32c(1)), ...get(q), ...get(quads), ...ltU, ...brIf(0), ...end,
  ];
  return [
    ...get(C), ...i32c(4), ...mul, ...set(pixB),
    ...get(C), ...i32c(4), ...divU, ...set(quads),
    ...(options.setup ?? []),
    ...f32c(0), ...f32c(Number.NEGATIVE_INFINITY), ...get(flags), ...i32c(2), ...i32And, ...select, ...f32x4Splat, ...set(lo),
    ...doWhile(t, count, perTile),
  ];
}

/**
 * Params m, kStride, dst, rowStride, C, count, bias, flags: `count` 4x4 products along a row, product t's
 * M[k] (16 vectors per channel quad) at m + k*kStride + t*C*4, each turned into a 2x2 block of outputs at
 * dst + 2t*C*4 (rows rowStride bytes apart): Y = At M A + bias[0..C), then max(Y, 0) if flags & 2.
 * bias must hold C floats (zeros for none). C % 4 == 0, count >= 1.
 */
export function winogradOutputBody(f: Frame): number[] {
  const { kStride, rowStride } = f.params;
  const { t, q, quads, pixB, p, d, bp } = f.i32('t', 'q', 'quads', 'pixB', 'p', 'd', 'bp');
  const mv = f.v128Array(16);
  const a = f.v128Array(4);
  const b = f.v128Array(4);
  const { lo, bv, y } = f.v128('lo', 'bv', 'y');
  const perQuad: number[] = [...get(p), ...set(bp)];
  for (let k = 0; k < 16; k++) perQuad.push(...get(bp), ...v128Load, ...set(mv[k]), ...inc(bp, get(kStride)));
  for (let c = 0; c < 4; c++) {
    // At down the column: a = m0 + m1 + m2, b = m1 - m2 - m3
    perQuad.push(
      ...get(mv[c]), ...get(mv[4 + c]), ...f32x4Add, ...get(mv[8 + c]), ...f32x4Add, ...set(a[c]),
      ...get(mv[4 + c]), ...get(mv[8 + c]), ...f32x4Sub, ...get(mv[12 + c]), ...f32x4Sub, ...set(b[c]),
    );
  }
  // A along the row, + bias, max with lo (0 for relu, -Infinity otherwise), stored to the 2x2 block
  const out = (row: number[], offset: number[]) => [
    ...get(row[0]), ...get(row[1]), ...f32x4Add, ...get(row[2]), ...f32x4Add, ...get(bv), ...f32x4Add, ...get(lo), ...f32x4Max, ...set(y),
    ...offset, ...get(y), ...v128Store,
    ...get(row[1]), ...get(row[2]), ...f32x4Sub, ...get(row[3]), ...f32x4Sub, ...get(bv), ...f32x4Add, ...get(lo), ...f32x4Max, ...set(y),
    ...offset, ...get(pixB), ...add, ...get(y), ...v128Store,
  ];
  perQuad.push(
    ...out(a, get(d)),
    ...out(b, [...get(d), ...get(rowStride), ...add]),
  );
  return f.body([...outputTileLoop(f, { t, q, quads, pixB, p, d, bv, lo }, perQuad, { tile: 2 }), ...end]);
}

/**
 * The transpose of the output transform, for the filter gradient: Params src, rowStride, dst, kStride, C, count:
 * `count` 2x2 tiles of dy along a row, tile t from src + 2t*C*4 (rows rowStride bytes apart), written as
 * D = A g At (A = At transposed: [1 0; 1 1; 1 -1; 0 -1]), 16 vectors per channel quad at dst + k*kStride + t*C*4.
 * C % 4 == 0, count >= 1.
 */
export function winogradGradientBody(f: Frame): number[] {
  const { rowStride, kStride } = f.params;
  const { t, q, quads, pixB, s, o } = f.i32('t', 'q', 'quads', 'pixB', 's', 'o');
  const y = f.v128Array(4); // y[2r + c]
  const flat = f.v128Array(8); // rows[i][c]: A applied down the columns
  const rows = [0, 1, 2, 3].map((i) => flat.slice(2 * i, 2 * i + 2));
  const { zero } = f.v128('zero');
  const addresses = [get(s), [...get(s), ...get(pixB), ...add], [...get(s), ...get(rowStride), ...add], [...get(s), ...get(rowStride), ...add, ...get(pixB), ...add]];
  const perQuad: number[] = [];
  y.forEach((v, i) => perQuad.push(...addresses[i], ...v128Load, ...set(v)));
  for (let c = 0; c < 2; c++) {
    const [y0, y1] = [y[c], y[2 + c]];
    perQuad.push(
      ...get(y0), ...set(rows[0][c]),
      ...op2(rows[1][c], y0, y1, f32x4Add),
      ...op2(rows[2][c], y0, y1, f32x4Sub),
      ...op2(rows[3][c], zero, y1, f32x4Sub),
    );
  }
  const store = (value: number[]) => [...get(o), ...value, ...v128Store, ...inc(o, get(kStride))];
  for (let i = 0; i < 4; i++) {
    const [r0, r1] = rows[i];
    perQuad.push(
      ...store(get(r0)),
      ...store([...get(r0), ...get(r1), ...f32x4Add]),
      ...store([...get(r0), ...get(r1), ...f32x4Sub]),
      ...store([...get(zero), ...get(r1), ...f32x4Sub]),
    );
  }
  const code = [...tileLoop(f, { t, q, quads, pixB, s, o }, perQuad), ...end];
  return f.body(code);
}

// ---------------------------------------------------------------------------------------------
// F(4x4, 3x3)

/** Splat constants the F(4x4, 3x3) transforms multiply by: local per value. */
function constants(f: Frame, values: number[]): { setup: number[]; of: Map<number, number> } {
  const of = new Map<number, number>();
  const setup: number[] = [];
  for (const v of values) {
    const [local] = f.v128Array(1);
    of.set(v, local);
    setup.push(...f32c(v), ...f32x4Splat, ...set(local));
  }
  return { setup, of };
}

/** Code leaving a + c*b (or a - c*b) on the stack: locals a and b, c a splat-constant local. */
const plusTimes = (a: number[], c: number, b: number[], op: number[] = f32x4Add) => [...a, ...b, ...get(c), ...f32x4Mul, ...op];

/**
 * Bt (6x6, above) applied to six vectors x0..x5, each result as code leaving it on the stack:
 * 4x0 - 5x2 + x4, (x3 + x4) - 4(x1 + x2), (x4 - x3) + 4(x1 - x2), (x4 - x2) + 2(x3 - x1), (x4 - x2) - 2(x3 - x1),
 * 4x1 - 5x3 + x5.
 */
function inputTransform6(x: number[], k: Map<number, number>): number[][] {
  const [c2, c4, c5] = [k.get(2) as number, k.get(4) as number, k.get(5) as number];
  const sum = (a: number, b: number) => [...get(a), ...get(b), ...f32x4Add];
  const diff = (a: number, b: number) => [...get(a), ...get(b), ...f32x4Sub];
  return [
    plusTimes(plusTimes(get(x[4]), c4, get(x[0])), c5, get(x[2]), f32x4Sub),
    plusTimes(sum(x[3], x[4]), c4, sum(x[1], x[2]), f32x4Sub),
    plusTimes(diff(x[4], x[3]), c4, diff(x[1], x[2])),
    plusTimes(diff(x[4], x[2]), c2, diff(x[3], x[1])),
    plusTimes(diff(x[4], x[2]), c2, diff(x[3], x[1]), f32x4Sub),
    plusTimes(plusTimes(get(x[5]), c4, get(x[1])), c5, get(x[3]), f32x4Sub),
  ];
}

/**
 * The byte offsets of a span x span patch's rows (rowStride apart) and columns (pixB apart) in `span` i32 locals
 * each (declare before any v128 local): `setup` fills them (after pixB is set), `load(r, c)` leaves the vector at
 * s + row r + column c on the stack.
 */
function patchOffsets(f: Frame, span: number, locals: { s: number; pixB: number }): { setup: number[]; load: (r: number, c: number) => number[] } {
  const rowOff = f.i32Array(span);
  const colOff = f.i32Array(span);
  const { rowStride } = f.params;
  const setup: number[] = [];
  for (let i = 0; i < span; i++) {
    setup.push(...get(rowStride), ...i32c(i), ...mul, ...set(rowOff[i]), ...get(locals.pixB), ...i32c(i), ...mul, ...set(colOff[i]));
  }
  return { setup, load: (r, c) => [...get(locals.s), ...get(rowOff[r]), ...add, ...get(colOff[c]), ...add, ...v128Load] };
}

/**
 * F(4x4, 3x3)'s input transform. Params src, rowStride, dst, kStride, C, count: `count` patches along a row,
 * patch t the 6x6 pixels from src + 4t*C*4 (rows rowStride bytes apart, pixels C*4), written as 36 vectors per
 * channel quad: V[k] (k = 6*row + column of Bt d B) at dst + k*kStride + t*C*4. C % 4 == 0, count >= 1.
 */
export function winograd4InputBody(f: Frame): number[] {
  const { kStride } = f.params;
  const { t, q, quads, pixB, s, o } = f.i32('t', 'q', 'quads', 'pixB', 's', 'o');
  const patch = patchOffsets(f, 6, { s, pixB });
  const x = f.v128Array(6);
  const flat = f.v128Array(36); // rows[r][c]: Bt d, row r, column c
  const rows = [0, 1, 2, 3, 4, 5].map((r) => flat.slice(6 * r, 6 * r + 6));
  const k = constants(f, [2, 4, 5]);
  const perQuad: number[] = [];
  for (let c = 0; c < 6; c++) {
    for (let r = 0; r < 6; r++) perQuad.push(...patch.load(r, c), ...set(x[r]));
    inputTransform6(x, k.of).forEach((code, r) => perQuad.push(...code, ...set(rows[r][c])));
  }
  for (let r = 0; r < 6; r++) {
    for (const code of inputTransform6(rows[r], k.of)) perQuad.push(...get(o), ...code, ...v128Store, ...inc(o, get(kStride)));
  }
  return f.body([...tileLoop(f, { t, q, quads, pixB, s, o }, perQuad, [...k.setup, ...patch.setup], { step: 4, vectors: 36 }), ...end]);
}

/**
 * At (4x6, above) applied to six vectors m0..m5, as code leaving each of the four results on the stack:
 * m0 + (m1 + m2) + (m3 + m4), (m1 - m2) + 2(m3 - m4), (m1 + m2) + 4(m3 + m4), (m1 - m2) + 8(m3 - m4) + m5.
 * `pairs` are four scratch locals for m1 + m2, m1 - m2, m3 + m4, m3 - m4.
 */
function outputTransform6(m: number[], pairs: number[], k: Map<number, number>): { setup: number[]; results: number[][] } {
  const [p12, d12, p34, d34] = pairs;
  const setup = [
    ...get(m[1]), ...get(m[2]), ...f32x4Add, ...set(p12),
    ...get(m[1]), ...get(m[2]), ...f32x4Sub, ...set(d12),
    ...get(m[3]), ...get(m[4]), ...f32x4Add, ...set(p34),
    ...get(m[3]), ...get(m[4]), ...f32x4Sub, ...set(d34),
  ];
  return {
    setup,
    results: [
      [...get(m[0]), ...get(p12), ...f32x4Add, ...get(p34), ...f32x4Add],
      plusTimes(get(d12), k.get(2) as number, get(d34)),
      plusTimes(get(p12), k.get(4) as number, get(p34)),
      [...plusTimes(get(d12), k.get(8) as number, get(d34)), ...get(m[5]), ...f32x4Add],
    ],
  };
}

/**
 * F(4x4, 3x3)'s output transform. Params m, kStride, dst, rowStride, C, count, bias, flags: `count` 6x6
 * products along a row, product t's M[k] (36 vectors per channel quad) at m + k*kStride + t*C*4, each turned
 * into a 4x4 block of outputs at dst + 4t*C*4 (rows rowStride bytes apart): Y = At M A + bias[0..C), then
 * max(Y, 0) if flags & 2. bias must hold C floats (zeros for none). C % 4 == 0, count >= 1.
 */
export function winograd4OutputBody(f: Frame): number[] {
  const { kStride, rowStride } = f.params;
  const { t, q, quads, pixB, p, d, bp, row } = f.i32('t', 'q', 'quads', 'pixB', 'p', 'd', 'bp', 'row');
  const mv = f.v128Array(36);
  const flat = f.v128Array(24); // cols[i][c]: At M, row i, column c
  const cols = [0, 1, 2, 3].map((i) => flat.slice(6 * i, 6 * i + 6));
  const pairs = f.v128Array(4);
  const { lo, bv } = f.v128('lo', 'bv');
  const k = constants(f, [2, 4, 8]);
  const perQuad: number[] = [...get(p), ...set(bp)];
  for (let i = 0; i < 36; i++) perQuad.push(...get(bp), ...v128Load, ...set(mv[i]), ...inc(bp, get(kStride)));
  for (let c = 0; c < 6; c++) {
    const column = [0, 1, 2, 3, 4, 5].map((r) => mv[6 * r + c]);
    const { setup, results } = outputTransform6(column, pairs, k.of);
    perQuad.push(...setup);
    results.forEach((code, i) => perQuad.push(...code, ...set(cols[i][c])));
  }
  for (let i = 0; i < 4; i++) {
    const { setup, results } = outputTransform6(cols[i], pairs, k.of);
    perQuad.push(...setup, ...get(d), ...get(rowStride), ...i32c(i), ...mul, ...add, ...set(row));
    results.forEach((code, j) => {
      perQuad.push(...get(row), ...(j > 0 ? [...get(pixB), ...i32c(j), ...mul, ...add] : []), ...code, ...get(bv), ...f32x4Add, ...get(lo), ...f32x4Max, ...v128Store);
    });
  }
  return f.body([...outputTileLoop(f, { t, q, quads, pixB, p, d, bv, lo }, perQuad, { tile: 4, setup: k.setup }), ...end]);
}

/**
 * A (6x4, At transposed) applied to four vectors y0..y3, as code leaving each of the six results on the stack:
 * y0, e + o, e - o, e2 + o2, e2 - o2, y3 with e = y0 + y2, o = y1 + y3, e2 = y0 + 4y2, o2 = 2y1 + 8y3.
 * `sums` are four scratch locals for e, o, e2, o2.
 */
function gradientTransform6(y: number[], sums: number[], k: Map<number, number>): { setup: number[]; results: number[][] } {
  const [e, o, e2, o2] = sums;
  const setup = [
    ...get(y[0]), ...get(y[2]), ...f32x4Add, ...set(e),
    ...get(y[1]), ...get(y[3]), ...f32x4Add, ...set(o),
    ...plusTimes(get(y[0]), k.get(4) as number, get(y[2])), ...set(e2),
    ...get(y[1]), ...get(k.get(2) as number), ...f32x4Mul, ...get(y[3]), ...get(k.get(8) as number), ...f32x4Mul, ...f32x4Add, ...set(o2),
  ];
  const pair = (a: number, b: number, op: number[]) => [...get(a), ...get(b), ...op];
  return { setup, results: [get(y[0]), pair(e, o, f32x4Add), pair(e, o, f32x4Sub), pair(e2, o2, f32x4Add), pair(e2, o2, f32x4Sub), get(y[3])] };
}

/**
 * F(4x4, 3x3)'s transposed output transform, for the filter gradient. Params src, rowStride, dst, kStride, C,
 * count: `count` 4x4 tiles of dy along a row, tile t from src + 4t*C*4 (rows rowStride bytes apart), written
 * as D = A g At (A = At transposed, 6x4), 36 vectors per channel quad at dst + k*kStride + t*C*4.
 * C % 4 == 0, count >= 1.
 */
export function winograd4GradientBody(f: Frame): number[] {
  const { kStride } = f.params;
  const { t, q, quads, pixB, s, o } = f.i32('t', 'q', 'quads', 'pixB', 's', 'o');
  const patch = patchOffsets(f, 4, { s, pixB });
  const y = f.v128Array(4);
  const flat = f.v128Array(24); // rows[i][c]: A g, row i, column c
  const rows = [0, 1, 2, 3, 4, 5].map((i) => flat.slice(4 * i, 4 * i + 4));
  const sums = f.v128Array(4);
  const k = constants(f, [2, 4, 8]);
  const perQuad: number[] = [];
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) perQuad.push(...patch.load(r, c), ...set(y[r]));
    const { setup, results } = gradientTransform6(y, sums, k.of);
    perQuad.push(...setup);
    results.forEach((code, i) => perQuad.push(...code, ...set(rows[i][c])));
  }
  for (let i = 0; i < 6; i++) {
    const { setup, results } = gradientTransform6(rows[i], sums, k.of);
    perQuad.push(...setup);
    for (const code of results) perQuad.push(...get(o), ...code, ...v128Store, ...inc(o, get(kStride)));
  }
  return f.body([...tileLoop(f, { t, q, quads, pixB, s, o }, perQuad, [...k.setup, ...patch.setup], { step: 4, vectors: 36 }), ...end]);
}
