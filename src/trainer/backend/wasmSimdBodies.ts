/**
 * The bodies of wasmSimdModule.ts' functions, as WebAssembly code: each takes its Frame (parameters named by the
 * module's signature table, locals declared by name here) and returns the encoded body. What each computes is
 * documented on the module and on each body; the unit tests check every function against the cpu backend.
 */
import {
  add, brIf, divU, elseOp, end, f32c, f32x4Add, f32x4Gt, f32x4Max, f32x4Mul, f32x4Ne, f32x4RelaxedMadd, f32x4Splat,
  f64x2Add, f64x2PromoteLowF32x4, get, i32And, i32c, i32LoadAt, i32x4Eq, i32x4Splat, ifVoid, inc, loop, ltU, mul,
  set, sub, tee, u32, v128And, v128AndNot, v128Bitselect, v128Load, v128Load32Splat, v128Load64Zero, v128LoadAt,
  v128Or, v128Store, v128StoreAt, doWhile, type Frame,
} from './wasmEncoding';

/** Multiply-add of a v128 local: plain f32x4 mul + add, or relaxed SIMD's (possibly fused) madd. */
export type Madd = (accLocal: number, x: number, y: number) => number[];
export const maddPlain: Madd = (accLocal, x, y) => [...get(accLocal), ...get(x), ...get(y), ...f32x4Mul, ...f32x4Add, ...set(accLocal)];
export const maddRelaxed: Madd = (accLocal, x, y) => [...get(x), ...get(y), ...get(accLocal), ...f32x4RelaxedMadd, ...set(accLocal)];

// ---------------------------------------------------------------------------------------------
// maxPoolGrad

/** `store`: write dy-or-0 to every window pixel (windows that tile without overlap), else add. */
export function maxPoolGradBody(f: Frame, store: boolean): number[] {
  const { x, dy, dx, B, H, W, C, OH, OW, FH, FW, SH, SW } = f.params;
  const { b, oh, ow, win, cb, kh, kw, k, addr, dyp, rowBytes, pixBytes } = f.i32('b', 'oh', 'ow', 'win', 'cb', 'kh', 'kw', 'k', 'addr', 'dyp', 'rowBytes', 'pixBytes');
  const { best, idx, v, gt, g } = f.v128('best', 'idx', 'v', 'gt', 'g');

  // addr = base + win + kh*rowBytes + kw*pixBytes + cb
  const pixelAddress = (base: number) => [
    ...get(base), ...get(win), ...add, ...get(kh), ...get(rowBytes), ...mul, ...add,
    ...get(kw), ...get(pixBytes), ...mul, ...add, ...get(cb), ...add, ...set(addr),
  ];
  const findMax = [
    ...f32c(Number.NEGATIVE_INFINITY), ...f32x4Splat, ...set(best),
    ...i32c(-1), ...i32x4Splat, ...set(idx),
    ...i32c(0), ...set(k),
    ...doWhile(kh, FH, doWhile(kw, FW, [
      ...pixelAddress(x),
      ...get(addr), ...v128Load, ...set(v),
      ...get(v), ...get(best), ...f32x4Gt, ...set(gt),
      ...get(v), ...get(best), ...get(gt), ...v128Bitselect, ...set(best),
      ...get(k), ...i32x4Splat, ...get(idx), ...get(gt), ...v128Bitselect, ...set(idx),
      ...inc(k, i32c(1)),
    ])),
  ];
  const scatter = [
    ...get(dyp), ...get(cb), ...add, ...v128Load, ...set(g),
    ...i32c(0), ...set(k),
    ...doWhile(kh, FH, doWhile(kw, FW, [
      ...pixelAddress(dx),
      ...get(addr),
      ...(store ? [] : [...get(addr), ...v128Load]),
      ...get(g), ...get(idx), ...get(k), ...i32x4Splat, ...i32x4Eq, ...v128And,
      ...(store ? [] : f32x4Add), ...v128Store,
      ...inc(k, i32c(1)),
    ])),
  ];
  const perWindow = [
    // win = ((b*H + oh*SH)*W + ow*SW) * pixBytes
    ...get(b), ...get(H), ...mul, ...get(oh), ...get(SH), ...mul, ...add, ...get(W), ...mul,
    ...get(ow), ...get(SW), ...mul, ...add, ...get(pixBytes), ...mul, ...set(win),
    ...i32c(0), ...set(cb),
    ...loop, ...findMax, ...scatter,
    ...inc(cb, i32c(16)), ...get(cb), ...get(pixBytes), ...ltU, ...brIf(0), ...end,
    ...inc(dyp, get(pixBytes)),
  ];
  const code = [
    ...get(C), ...i32c(4), ...mul, ...set(pixBytes),
    ...get(W), ...get(pixBytes), ...mul, ...set(rowBytes),
    ...get(dy), ...set(dyp),
    ...doWhile(b, B, doWhile(oh, OH, doWhile(ow, OW, perWindow))),
    ...end,
  ];
  return f.body(code);
}

/** Locals of the 2x2, stride-2 pooling kernels that their common setup fills. */
interface Pool2x2Locals {
  C: number;
  W: number;
  pixB: number;
  quads: number;
  rowB: number;
  negInf: number;
}

/** negInf = splat(-Infinity); pixB = C * 4 (bytes per pixel); quads = C / 4; rowB = W * pixB. */
const pool2x2Setup = ({ C, W, pixB, quads, rowB, negInf }: Pool2x2Locals) => [
  ...f32c(Number.NEGATIVE_INFINITY), ...f32x4Splat, ...set(negInf),
  ...get(C), ...i32c(4), ...mul, ...set(pixB),
  ...get(C), ...i32c(4), ...divU, ...set(quads),
  ...get(W), ...get(pixB), ...mul, ...set(rowB),
];

/** The four pixels of a 2x2 window in scan order, each as the locals whose sum is its byte offset. */
const window2x2 = ({ pixB, rowB }: Pool2x2Locals) => [[], [pixB], [rowB], [rowB, pixB]];

/** local `base` + the sum of `offsets` (locals) */
const addressOf = (base: number, offsets: number[]) => [...get(base), ...offsets.flatMap((o) => [...get(o), ...add])];

/**
 * 2x2 windows, stride 2 (the model's pooling), store semantics as maxPoolGradTiled: per window and
 * 4 channels, the four pixels are compared with straight-line code (the first maximum by strict
 * `>` from -Infinity wins, as in the loop above), and dy or 0 is stored to each.
 * Params x, dy, dx, B, H, W, C, OH, OW; C % 4 == 0, every count >= 1, 2*OH <= H, 2*OW <= W.
 *
 * `reluAndBias` (maxPoolReluGrad2x2, one more param `sums`): x is a relu's output, and the gradient
 * goes on through that relu in the same pass: dy reaches the window's first maximum only where that
 * maximum is > 0 (relu' of the pre-activation), and what is stored is also added to sums[c] (float32
 * running sums per channel, the bias gradient: the caller keeps the calls short).
 */
export function maxPoolGrad2x2Body(f: Frame, reluAndBias = false): number[] {
  const { x, dy, dx, B, H, W, C, OH, OW } = f.params;
  const { b, oh, ow, q, quads, pixB, rowB, px, pd, dyp, ps } = f.i32('b', 'oh', 'ow', 'q', 'quads', 'pixB', 'rowB', 'px', 'pd', 'dyp', 'ps');
  const { v0, v1, v2, v3, best, m0, m1, m2, m3, g, negInf, zero } = f.v128('v0', 'v1', 'v2', 'v3', 'best', 'm0', 'm1', 'm2', 'm3', 'g', 'negInf', 'zero');
  const pool = { C, W, pixB, quads, rowB, negInf };
  const offsets = window2x2(pool);
  const perQuad: number[] = [];
  [v0, v1, v2, v3].forEach((v, i) => perQuad.push(...addressOf(px, offsets[i]), ...v128Load, ...set(v)));
  perQuad.push(
    ...get(v0), ...get(negInf), ...f32x4Gt, ...set(m0),
    ...get(v0), ...get(negInf), ...get(m0), ...v128Bitselect, ...set(best),
    ...get(v1), ...get(best), ...f32x4Gt, ...set(m1),
    ...get(v1), ...get(best), ...get(m1), ...v128Bitselect, ...set(best),
    ...get(v2), ...get(best), ...f32x4Gt, ...set(m2),
    ...get(v2), ...get(best), ...get(m2), ...v128Bitselect, ...set(best),
    ...get(v3), ...get(best), ...f32x4Gt, ...set(m3),
    ...get(dyp), ...v128Load, ...set(g),
    ...(reluAndBias
      ? [
          // best = the window's maximum; g = 0 where it is not > 0 (zero is a v128 local, 0 from the start)
          ...get(v3), ...get(best), ...get(m3), ...v128Bitselect, ...set(best),
          ...get(g), ...get(best), ...get(zero), ...f32x4Gt, ...v128And, ...set(g),
          // sums[4 channels] += g
          ...get(ps), ...get(ps), ...v128Load, ...get(g), ...f32x4Add, ...v128Store,
          ...inc(ps, i32c(16)),
        ]
      : []),
    // winners: k3 = m3, k2 = m2 & ~m3, k1 = m1 & ~(m2 | m3), k0 = m0 & ~(m1 | m2 | m3)
    ...addressOf(pd, offsets[3]), ...get(g), ...get(m3), ...v128And, ...v128Store,
    ...addressOf(pd, offsets[2]), ...get(g), ...get(m2), ...get(m3), ...v128AndNot, ...v128And, ...v128Store,
    ...get(m2), ...get(m3), ...v128Or, ...set(m3),
    ...addressOf(pd, offsets[1]), ...get(g), ...get(m1), ...get(m3), ...v128AndNot, ...v128And, ...v128Store,
    ...get(m1), ...get(m3), ...v128Or, ...set(m3),
    ...addressOf(pd, offsets[0]), ...get(g), ...get(m0), ...get(m3), ...v128AndNot, ...v128And, ...v128Store,
    ...inc(px, i32c(16)), ...inc(pd, i32c(16)), ...inc(dyp, i32c(16)),
  );
  const perWindow = [
    ...(reluAndBias ? [...get(f.params.sums), ...set(ps)] : []),
    ...doWhile(q, quads, perQuad), ...inc(px, get(pixB)), ...inc(pd, get(pixB)),
  ];
  const perRow = [
    // px = x + (b*H + 2*oh)*rowB; pd likewise in dx
    ...get(b), ...get(H), ...mul, ...get(oh), ...i32c(2), ...mul, ...add, ...get(rowB), ...mul, ...tee(px),
    ...get(dx), ...add, ...set(pd),
    ...get(px), ...get(x), ...add, ...set(px),
    ...doWhile(ow, OW, perWindow),
  ];
  const code = [
    ...pool2x2Setup(pool),
    ...get(dy), ...set(dyp),
    ...doWhile(b, B, doWhile(oh, OH, perRow)),
    ...end,
  ];
  return f.body(code);
}

/**
 * 2x2 max pooling, stride 2, windows inside the input: per window and 4 channels the cpu
 * backend's rule (the running maximum starts at -Infinity and takes a pixel if it is strictly
 * greater: NaN is skipped, an all-NaN window gives -Infinity).
 * Params x, y, B, H, W, C, OH, OW; C % 4 == 0, every count >= 1, 2*OH <= H, 2*OW <= W.
 */
export function maxPool2x2Body(f: Frame): number[] {
  const { x, y, B, H, W, C, OH, OW } = f.params;
  const { b, oh, ow, q, quads, pixB, rowB, px, py } = f.i32('b', 'oh', 'ow', 'q', 'quads', 'pixB', 'rowB', 'px', 'py');
  const { v, best, negInf } = f.v128('v', 'best', 'negInf');
  const pool = { C, W, pixB, quads, rowB, negInf };
  const perQuad: number[] = [...get(negInf), ...set(best)];
  for (const offsets of window2x2(pool)) {
    perQuad.push(
      ...addressOf(px, offsets), ...v128Load, ...set(v),
      ...get(v), ...get(best), ...get(v), ...get(best), ...f32x4Gt, ...v128Bitselect, ...set(best),
    );
  }
  perQuad.push(...get(py), ...get(best), ...v128Store, ...inc(px, i32c(16)), ...inc(py, i32c(16)));
  const perRow = [
    ...get(b), ...get(H), ...mul, ...get(oh), ...i32c(2), ...mul, ...add, ...get(rowB), ...mul, ...get(x), ...add, ...set(px),
    ...doWhile(ow, OW, [...doWhile(q, quads, perQuad), ...inc(px, get(pixB))]),
  ];
  const code = [
    ...pool2x2Setup(pool),
    ...get(y), ...set(py),
    ...doWhile(b, B, doWhile(oh, OH, perRow)),
    ...end,
  ];
  return f.body(code);
}

// ---------------------------------------------------------------------------------------------
// gemm: C[mr x N] += A[mr x K] . B[K x N]

/**
 * One step along K of an mr x 8 tile: B's 8 floats at bp into b0, b1; for each row r, A's float at ap(r) splat
 * into av and multiply-added into acc(r, 0..1); ap(r) += aStep. (bp moves on after, by the caller's stride.)
 */
function kStep(o: {
  mr: number; madd: Madd; bp: number; b0: number; b1: number; av: number;
  ap: (r: number) => number; acc: (r: number, h: number) => number; aStep: number[];
}): number[] {
  const code = [
    ...get(o.bp), ...v128LoadAt(0), ...set(o.b0),
    ...get(o.bp), ...v128LoadAt(16), ...set(o.b1),
  ];
  for (let r = 0; r < o.mr; r++) {
    code.push(
      ...get(o.ap(r)), ...v128Load32Splat, ...set(o.av),
      ...o.madd(o.acc(r, 0), o.av, o.b0),
      ...o.madd(o.acc(r, 1), o.av, o.b1),
      ...inc(o.ap(r), o.aStep),
    );
  }
  return code;
}

export function gemmBody(f: Frame, mr: number, madd: Madd): number[] {
  const { a, aRowStride: aRow, aKStride: aK, b, bKStride: bK, c, cRowStride: cRow, n, k: kCount } = f.params;
  // j: the column block's byte offset; ap[r]: row r of A at step k
  const { j, k, bp, nBytes, cp } = f.i32('j', 'k', 'bp', 'nBytes', 'cp');
  const aPointers = f.i32Array(mr);
  const ap = (r: number) => aPointers[r];
  // acc(r, h): row r, columns j + 4h .. j + 4h + 3
  const accumulators = f.v128Array(2 * mr);
  const acc = (r: number, h: number) => accumulators[2 * r + h];
  const { b0, b1, av } = f.v128('b0', 'b1', 'av');

  const rowAddress = (base: number, stride: number, r: number) =>
    r === 0 ? get(base) : [...get(base), ...get(stride), ...i32c(r), ...mul, ...add];
  const perColumnBlock: number[] = [];
  // accumulators <- C[r][j .. j+8]
  for (let r = 0; r < mr; r++) {
    perColumnBlock.push(...rowAddress(c, cRow, r), ...get(j), ...add, ...tee(cp));
    perColumnBlock.push(...v128LoadAt(0), ...set(acc(r, 0)), ...get(cp), ...v128LoadAt(16), ...set(acc(r, 1)));
    perColumnBlock.push(...rowAddress(a, aRow, r), ...set(ap(r)));
  }
  perColumnBlock.push(...get(b), ...get(j), ...add, ...set(bp), ...get(kCount), ...set(k));
  const inner = kStep({ mr, madd, bp, b0, b1, av, ap, acc, aStep: get(aK) });
  inner.push(...inc(bp, get(bK)));
  perColumnBlock.push(
    ...loop, ...inner,
    ...get(k), ...i32c(1), ...sub, ...tee(k), ...brIf(0), ...end,
  );
  // C[r][j .. j+8] <- accumulators
  for (let r = 0; r < mr; r++) {
    perColumnBlock.push(...rowAddress(c, cRow, r), ...get(j), ...add, ...tee(cp), ...get(acc(r, 0)), ...v128StoreAt(0));
    perColumnBlock.push(...get(cp), ...get(acc(r, 1)), ...v128StoreAt(16));
  }
  const code = [
    ...get(n), ...i32c(4), ...mul, ...set(nBytes),
    ...i32c(0), ...set(j),
    ...loop, ...perColumnBlock,
    ...inc(j, i32c(32)), ...get(j), ...get(nBytes), ...ltU, ...brIf(0), ...end,
    ...end,
  ];
  return f.body(code);
}

// ---------------------------------------------------------------------------------------------
// conv: C[mr x N] = act(init + sum over taps t of A_t[mr x K] . B_t[K x N]), accumulators kept in
// registers across all taps (C is written once)

/**
 * Params: a, aRow, taps, nTaps, b, bK, c, cRow, n, k, bias, flags. Tap t reads the i32 pair
 * (aOff, bOff) at taps + 8t: its A rows start at a + aOff + r*aRow with K consecutive floats
 * (k-stride 4 bytes), its B at b + bOff with row stride bK. flags: 1 = start from bias[0..N)
 * (else 0), 2 = relu (f32x4.max with 0, like Math.max(0, x)). Needs nTaps >= 1, K >= 1, N % 8 == 0.
 */
export function convBody(f: Frame, mr: number, madd: Madd): number[] {
  const { a, aRowStride: aRow, taps, nTaps, b, bKStride: bK, c, cRowStride: cRow, n, k: kCount, bias, flags } = f.params;
  const { j, t, tp, k, bp, nBytes, cp } = f.i32('j', 't', 'tp', 'k', 'bp', 'nBytes', 'cp');
  const aPointers = f.i32Array(mr);
  const ap = (r: number) => aPointers[r];
  const accumulators = f.v128Array(2 * mr);
  const acc = (r: number, h: number) => accumulators[2 * r + h];
  // zero: never written (wasm locals start at zero)
  const { b0, b1, av, zero } = f.v128('b0', 'b1', 'av', 'zero');

  const init: number[] = [
    ...get(flags), ...i32c(1), ...i32And, ...ifVoid,
    ...get(bias), ...get(j), ...add, ...tee(cp), ...v128LoadAt(0), ...set(acc(0, 0)),
    ...get(cp), ...v128LoadAt(16), ...set(acc(0, 1)),
  ];
  for (let r = 1; r < mr; r++) init.push(...get(acc(0, 0)), ...set(acc(r, 0)), ...get(acc(0, 1)), ...set(acc(r, 1)));
  init.push(...elseOp);
  for (let r = 0; r < mr; r++) init.push(...get(zero), ...set(acc(r, 0)), ...get(zero), ...set(acc(r, 1)));
  init.push(...end);

  const inner = kStep({ mr, madd, bp, b0, b1, av, ap, acc, aStep: i32c(4) });
  inner.push(...inc(bp, get(bK)));

  const perTap: number[] = [
    ...get(b), ...get(tp), ...i32LoadAt(4), ...add, ...get(j), ...add, ...set(bp),
    ...get(a), ...get(tp), ...i32LoadAt(0), ...add, ...set(ap(0)),
  ];
  for (let r = 1; r < mr; r++) perTap.push(...get(ap(r - 1)), ...get(aRow), ...add, ...set(ap(r)));
  perTap.push(
    ...get(kCount), ...set(k),
    ...loop, ...inner, ...get(k), ...i32c(1), ...sub, ...tee(k), ...brIf(0), ...end,
    ...inc(tp, i32c(8)),
  );

  const relu: number[] = [...get(flags), ...i32c(2), ...i32And, ...ifVoid];
  for (let r = 0; r < mr; r++) {
    for (let h = 0; h < 2; h++) relu.push(...get(acc(r, h)), ...get(zero), ...f32x4Max, ...set(acc(r, h)));
  }
  relu.push(...end);

  const store: number[] = [...get(c), ...get(j), ...add, ...set(cp)];
  for (let r = 0; r < mr; r++) {
    if (r > 0) store.push(...inc(cp, get(cRow)));
    store.push(...get(cp), ...get(acc(r, 0)), ...v128StoreAt(0), ...get(cp), ...get(acc(r, 1)), ...v128StoreAt(16));
  }

  const code = [
    ...get(n), ...i32c(4), ...mul, ...set(nBytes),
    ...i32c(0), ...set(j),
    ...loop,
    ...init,
    ...get(taps), ...set(tp), ...get(nTaps), ...set(t),
    ...loop, ...perTap, ...get(t), ...i32c(1), ...sub, ...tee(t), ...brIf(0), ...end,
    ...relu,
    ...store,
    ...inc(j, i32c(32)), ...get(j), ...get(nBytes), ...ltU, ...brIf(0), ...end,
    ...end,
  ];
  return f.body(code);
}

// ---------------------------------------------------------------------------------------------
// reluGrad: out = dy * step(y), exactly as tf.mul(dy, tf.step(y)) computes it

/**
 * Params: dy, y, out, pixels, C, sums (byte addresses; C % 4 == 0, pixels >= 1). For every pixel and
 * 4 channels: s = y > 0 ? 1 : (y is NaN ? NaN : 0); v = dy * s; out = v; sums[c] += v when
 * sums != 0 (float32 running sums per channel: the caller keeps the blocks short).
 */
export function reluGradBody(f: Frame): number[] {
  const { dy, y, out, pixels, C, sums } = f.params;
  const { p, cb, cBytes, off } = f.i32('p', 'cb', 'cBytes', 'off');
  const { yv, s, v, one, zero } = f.v128('yv', 's', 'v', 'one', 'zero');
  const step = [
    // s = bitselect(one, zero, y > 0); s = bitselect(y, s, y != y)
    ...get(y), ...get(off), ...add, ...v128Load, ...set(yv),
    ...get(one), ...get(zero), ...get(yv), ...get(zero), ...f32x4Gt, ...v128Bitselect, ...set(s),
    ...get(yv), ...get(s), ...get(yv), ...get(yv), ...f32x4Ne, ...v128Bitselect, ...set(s),
    ...get(dy), ...get(off), ...add, ...v128Load, ...get(s), ...f32x4Mul, ...set(v),
    ...get(out), ...get(off), ...add, ...get(v), ...v128Store,
  ];
  const accumulate = [
    ...get(sums), ...ifVoid,
    ...get(sums), ...get(cb), ...add,
    ...get(sums), ...get(cb), ...add, ...v128Load, ...get(v), ...f32x4Add,
    ...v128Store,
    ...end,
  ];
  const code = [
    ...f32c(1), ...f32x4Splat, ...set(one),
    ...get(C), ...i32c(4), ...mul, ...set(cBytes),
    ...i32c(0), ...set(off),
    ...i32c(0), ...set(p),
    ...loop,
    ...i32c(0), ...set(cb),
    ...loop, ...step, ...accumulate, ...inc(off, i32c(16)),
    ...inc(cb, i32c(16)), ...get(cb), ...get(cBytes), ...ltU, ...brIf(0), ...end,
    ...inc(p, i32c(1)), ...get(p), ...get(pixels), ...ltU, ...brIf(0), ...end,
    ...end,
  ];
  return f.body(code);
}

// ---------------------------------------------------------------------------------------------
// relu in place: x[i] = max(x[i], 0) over n floats (n % 4 == 0, n >= 4)

export function reluBody(f: Frame): number[] {
  const { x, n } = f.params;
  const { p, endB } = f.i32('p', 'endB');
  const { zero } = f.v128('zero');
  const code = [
    ...get(x), ...set(p),
    ...get(x), ...get(n), ...i32c(4), ...mul, ...add, ...set(endB),
    ...loop,
    ...get(p), ...get(p), ...v128Load, ...get(zero), ...f32x4Max, ...v128Store,
    ...inc(p, i32c(16)), ...get(p), ...get(endB), ...ltU, ...brIf(0), ...end,
    ...end,
  ];
  return f.body(code);
}

// ---------------------------------------------------------------------------------------------
// loops around gemm and conv (one call from JS instead of one per row or tile)

/**
 * Calls the function `callee.index` (its parameters are this function's first `callee.params`) `count` times
 * (parameter `count`, >= 1), adding parameter `by` to parameter `param` after each call for every `advance`.
 */
export function repeatBody(f: Frame, callee: { index: number; params: readonly string[] }, advance: { param: string; by: string }[]): number[] {
  const code = [
    ...loop,
    ...callee.params.flatMap((name) => get(f.params[name])),
    0x10, ...u32(callee.index),
    ...advance.flatMap(({ param, by }) => inc(f.params[param], get(f.params[by]))),
    ...get(f.params.count), ...i32c(1), ...sub, ...tee(f.params.count), ...brIf(0),
    ...end,
    ...end,
  ];
  return f.body(code);
}

/** f64 dst[i] += f32 src[i] for i < n (n even, >= 2; dst 8-byte aligned). */
export function accumulateF64Body(f: Frame): number[] {
  const { src, dst, n } = f.params;
  const code = [
    ...loop,
    ...get(dst),
    ...get(dst), ...v128Load,
    ...get(src), ...v128Load64Zero, ...f64x2PromoteLowF32x4,
    ...f64x2Add,
    ...v128Store,
    ...inc(src, i32c(8)), ...inc(dst, i32c(16)),
    ...get(n), ...i32c(2), ...sub, ...tee(n), ...brIf(0),
    ...end,
    ...end,
  ];
  return f.body(code);
}

