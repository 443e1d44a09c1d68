/**
 * The input and output transforms of Winograd's F(2x2, 3x3) convolution (Lavin & Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2015), as wasm SIMD bodies for ./wasmSimdModule.ts; ./winogradConvWasm.ts
 * drives them and runs the 16 products in between on the module's conv tiles. NHWC, 4 channels per vector.
 *
 *   input:  V = Bt d B   for a 4x4 patch d,   Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
 *   output: Y = At M A   for a 4x4 product M,  At = [1 1 1 0; 0 1 -1 -1]   (a 2x2 block of outputs)
 */
import {
  add, brIf, divU, doWhile, end, f32c, f32x4Add, f32x4Max, f32x4Splat, f32x4Sub, get, i32And, i32c, inc, loop, ltU, mul, select, set, sub, tee,
  v128Load, v128Store, type Frame,
} from './wasmEncoding';

/** a (op) b of two v128 locals into `into`. */
const op2 = (into: number, a: number, b: number, op: number[]) => [...get(a), ...get(b), ...op, ...set(into)];

/**
 * The loop both patch transforms share: for t < count, s = src + 2t*C*4 and o = dst + t*C*4, then `perQuad`
 * (which stores 16 vectors, moving o by kStride after each) once per channel quad, s and o moving 16 bytes.
 * `setup` runs once before the loop, after pixB = C*4 and quads = C/4 are set.
 */
function tileLoop(f: Frame, locals: { t: number; q: number; quads: number; pixB: number; s: number; o: number }, perQuad: number[], setup: number[] = []): number[] {
  const { src, dst, kStride, C, count } = f.params;
  const { t, q, quads, pixB, s, o } = locals;
  const perTile = [
    ...get(t), ...get(pixB), ...mul, ...tee(o), ...get(o), ...add, ...get(src), ...add, ...set(s),
    ...get(o), ...get(dst), ...add, ...set(o),
    ...doWhile(q, quads, [
      ...perQuad,
      // o went 16 kStrides forward: back, then to the next quad
      ...get(o), ...get(kStride), ...i32c(16), ...mul, ...sub, ...i32c(16), ...add, ...set(o),
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
 * Params m, kStride, dst, rowStride, C, count, bias, flags: `count` 4x4 products along a row, product t's
 * M[k] (16 vectors per channel quad) at m + k*kStride + t*C*4, each turned into a 2x2 block of outputs at
 * dst + 2t*C*4 (rows rowStride bytes apart): Y = At M A + bias[0..C), then max(Y, 0) if flags & 2.
 * bias must hold C floats (zeros for none). C % 4 == 0, count >= 1.
 */
export function winogradOutputBody(f: Frame): number[] {
  const { m, kStride, dst, rowStride, C, count, bias, flags } = f.params;
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
  const perTile = [
    ...get(t), ...get(pixB), ...mul, ...tee(p), ...get(m), ...add, ...set(p),
    ...get(t), ...get(pixB), ...mul, ...i32c(2), ...mul, ...get(dst), ...add, ...set(d),
    ...i32c(0), ...set(q),
    ...loop,
    ...get(bias), ...get(q), ...i32c(16), ...mul, ...add, ...v128Load, ...set(bv),
    ...perQuad,
    ...inc(p, i32c(16)), ...inc(d, i32c(16)),
    ...inc(q, i32c(1)), ...get(q), ...get(quads), ...ltU, ...brIf(0), ...end,
  ];
  const code = [
    ...get(C), ...i32c(4), ...mul, ...set(pixB),
    ...get(C), ...i32c(4), ...divU, ...set(quads),
    // lo = relu ? 0 : -Infinity
    ...f32c(0), ...f32c(Number.NEGATIVE_INFINITY), ...get(flags), ...i32c(2), ...i32And, ...select, ...f32x4Splat, ...set(lo),
    ...doWhile(t, count, perTile),
    ...end,
  ];
  return f.body(code);
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
