/**
 * A tiny WebAssembly module, assembled here byte by byte (no toolchain), with SIMD loops that the
 * tfjs wasm backend lacks. It imports the backend's own memory (`backend.wasm.asm.memory`), so it
 * works in place on tensors' heap data, addressed by byte offset. Nothing is built at import time:
 * `simdKernels(backend)` compiles the module on first use (a few KB) and instantiates it once per
 * backend memory; it returns undefined if the engine cannot run wasm SIMD, and callers then use
 * their plain-JS path. Two variants: multiply-adds as f32x4.mul + f32x4.add, or as relaxed SIMD's
 * f32x4.relaxed_madd (one fused instruction on FMA hardware, ~25% faster GEMM loops), used when the
 * engine validates it (V8 >= 11.4; on Node 20's V8 11.3 after setting its flag, see `simdTuning`).
 *
 * Functions (all arguments i32; addresses are byte offsets in the wasm memory):
 * - maxPoolGrad(x, dy, dx, B, H, W, C, OH, OW, FH, FW, SH, SW): for every pooling window (all
 *   inside the input: no padding) and 4 channels at a time, finds the first maximum (strict `>`
 *   from -Infinity, row-major scan: the cpu backend's rule) and adds dy to that pixel of dx.
 *   Requires C % 4 == 0, every count >= 1, and dx zeroed beforehand.
 * - maxPoolGradTiled(same arguments): the same for windows that tile the input without overlap or
 *   gaps (stride == filter size): it stores dy or 0 into every window pixel, so dx needs zeroing
 *   only where no window reaches (the bottom rows and right columns an odd size leaves over).
 * - maxPoolGrad2x2(x, dy, dx, B, H, W, C, OH, OW): maxPoolGradTiled for 2x2 windows, straight-line.
 * - maxPool2x2(x, y, B, H, W, C, OH, OW): 2x2 max pooling, stride 2, the cpu backend's NaN rule.
 * - gemm1 .. gemm6 (a, aRowStride, aKStride, b, bKStride, c, cRowStride, N, K): C += A . B for
 *   1..6 rows of A and C, N columns (a multiple of 8), with arbitrary strides: a register-tiled
 *   (rows x 8 columns) loop over K, no packing (~40 GFLOP/s single-threaded with 4 rows, ~50 with
 *   relaxed_madd, on the machine it was tuned on; 6 rows spill registers without it).
 *   Conv2DBackpropInput and Conv2DBackpropFilter run their products on it.
 * - conv1 .. conv6 (a, aRowStride, taps, nTaps, b, bKStride, c, cRowStride, N, K, bias, flags):
 *   C = act(bias or 0 + sum over a table of taps of A_t . B_t), the accumulators kept in registers
 *   across all taps (see `ConvTile`); the forward convolution of ./directConvWasm.ts.
 * - gemmLoop1..6, convLoop1..6: a gemm / conv called `count` times with the operands moved in
 *   between (one call from JS per row of tiles instead of one per tile).
 * - reluGrad(dy, y, out, pixels, C, sums): dy * step(y), optionally summing it per channel.
 * - relu(x, n): in place. accumulateF64(src, dst, n): float64 dst += float32 src.
 *
 * Opcodes are those of the final WebAssembly SIMD and relaxed SIMD specs; the unit tests check
 * every function against the cpu backend, in both variants.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setFlagsFromString } from 'node:v8';

/** C[MR x N] += A[MR x K] . B[K x N], f32, byte addresses and byte strides; N % 8 == 0, K >= 1. */
export type GemmAccumulate = (
  a: number, aRowStride: number, aKStride: number,
  b: number, bKStride: number,
  c: number, cRowStride: number,
  n: number, k: number,
) => void;

/** Rows per call of the `gemm` functions, by index: gemm[mr] handles exactly mr rows. */
export const GEMM_MAX_ROWS = 6;

export interface SimdKernels {
  /** gemm[mr] for mr = 1..GEMM_MAX_ROWS (gemm[0] unused). */
  gemm: GemmAccumulate[];
  /** conv[mr] for mr = 1..GEMM_MAX_ROWS (conv[0] unused). */
  conv: ConvTile[];
  /** gemmLoop[mr], convLoop[mr]: `count` calls of gemm[mr] / conv[mr], moving the operands in between. */
  gemmLoop: GemmLoop[];
  convLoop: ConvLoop[];
  /** 2x2 max pooling, stride 2, no padding: (x, y, B, H, W, C, OH, OW); C % 4 == 0. */
  maxPool2x2: (x: number, y: number, B: number, H: number, W: number, C: number, OH: number, OW: number) => void;
  /** f64 dst[i] += f32 src[i] for i < n (n even, >= 2; dst 8-byte aligned). */
  accumulateF64: (src: number, dst: number, n: number) => void;
  maxPoolGrad: MaxPoolGradFunction;
  maxPoolGradTiled: MaxPoolGradFunction;
  /** maxPoolGradTiled for 2x2 windows, stride 2: (x, dy, dx, B, H, W, C, OH, OW). */
  maxPoolGrad2x2: (x: number, dy: number, dx: number, B: number, H: number, W: number, C: number, OH: number, OW: number) => void;
  reluGrad: ReluGradFunction;
  /** x = max(x, 0) in place over n floats (n % 4 == 0, n >= 4). */
  relu: (x: number, n: number) => void;
  /** Whether the multiply-adds are relaxed SIMD's f32x4.relaxed_madd (fused on FMA hardware). */
  fma: boolean;
}

/**
 * C[mr x N] = act(init + sum over nTaps taps of A_t . B_t): tap t is the i32 pair (aOff, bOff) at
 * byte address `taps` + 8t; A_t row r = K floats from a + aOff + r*aRowStride; B_t = K rows of N
 * floats from b + bOff, row stride bKStride. flags: 1 = init from bias[0..N) (else 0), 2 = relu.
 */
export type ConvTile = (
  a: number, aRowStride: number, taps: number, nTaps: number,
  b: number, bKStride: number,
  c: number, cRowStride: number,
  n: number, k: number, bias: number, flags: number,
) => void;

/** `count` (>= 1) calls of gemm: after each, a += aNext, b += bNext, c += cNext (bytes). */
export type GemmLoop = (
  a: number, aRowStride: number, aKStride: number,
  b: number, bKStride: number,
  c: number, cRowStride: number,
  n: number, k: number,
  count: number, aNext: number, bNext: number, cNext: number,
) => void;

/** `count` (>= 1) calls of conv: after each, a += aNext, c += cNext (bytes). */
export type ConvLoop = (
  a: number, aRowStride: number, taps: number, nTaps: number,
  b: number, bKStride: number,
  c: number, cRowStride: number,
  n: number, k: number, bias: number, flags: number,
  count: number, aNext: number, cNext: number,
) => void;

/** out = dy * step(y) over pixels x C floats (C % 4 == 0); if sums != 0, sums[c] += out[., c]. */
export type ReluGradFunction = (dy: number, y: number, out: number, pixels: number, C: number, sums: number) => void;

export const CONV_BIAS = 1;
export const CONV_RELU = 2;

/**
 * `fma: false` makes `simdKernels` skip relaxed SIMD (tests of the plain variant; benchmarks).
 * `relaxedSimdFlag`: on Node 20 (V8 11.3, which implements relaxed SIMD behind
 * --experimental-wasm-relaxed-simd; V8 >= 11.4, i.e. Node >= 22 and VS Code's Electron, ships it),
 * set that V8 flag at run time, once, before compiling the module. It only lets wasm validation
 * accept the relaxed SIMD opcodes (this module uses f32x4.relaxed_madd alone); the fused
 * multiply-add makes the convolutions ~15-25% faster.
 */
export const simdTuning = { fma: true, relaxedSimdFlag: true };

let flagSet = false;

/** Sets V8's relaxed SIMD flag on V8 11.x (Node 20), once; returns whether it did now. */
function enableRelaxedSimd(): boolean {
  if (flagSet || !simdTuning.relaxedSimdFlag) return false;
  flagSet = true;
  const v8Version = typeof process === 'object' ? process.versions?.v8 : undefined;
  if (v8Version === undefined || !v8Version.startsWith('11.')) return false;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return true;
  } catch {
    return false;
  }
}

export type MaxPoolGradFunction = (
  x: number, dy: number, dx: number,
  B: number, H: number, W: number, C: number, OH: number, OW: number,
  FH: number, FW: number, SH: number, SW: number,
) => void;

// ---------------------------------------------------------------------------------------------
// encoding helpers

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...u32(content.length), ...content];
}

const I32 = 0x7f;
const V128 = 0x7b;
const VOID = 0x40;

// instructions
const get = (i: number) => [0x20, ...u32(i)];
const set = (i: number) => [0x21, ...u32(i)];
const tee = (i: number) => [0x22, ...u32(i)];
const i32c = (n: number) => [0x41, ...s32(n)];
const f32c = (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];
const ltU = [0x49];
const add = [0x6a];
const sub = [0x6b];
const mul = [0x6c];
const loop = [0x03, VOID];
const end = [0x0b];
const brIf = (depth: number) => [0x0d, ...u32(depth)];
const simd = (op: number) => [0xfd, ...u32(op)];
// memarg = alignment hint (log2 bytes), offset
const v128Load = [...simd(0x00), 4, 0];
const v128LoadAt = (offset: number) => [...simd(0x00), 4, ...u32(offset)];
const v128Load32Splat = [...simd(0x09), 2, 0];
const v128Store = [...simd(0x0b), 4, 0];
const v128StoreAt = (offset: number) => [...simd(0x0b), 4, ...u32(offset)];
const i32x4Splat = simd(0x11);
const f32x4Splat = simd(0x13);
const i32x4Eq = simd(0x37);
const f32x4Gt = simd(0x44);
const v128And = simd(0x4e);
const v128Bitselect = simd(0x52);
const f32x4Add = simd(0xe4);
const f32x4Mul = simd(0xe6);
const f32x4Max = simd(0xe9);
const f32x4Ne = simd(0x42);
const f32x4RelaxedMadd = simd(0x105);
const v128Load64Zero = [...simd(0x5d), 3, 0];
const f64x2PromoteLowF32x4 = simd(0x5f);
const f64x2Add = simd(0xf0);
const i32And = [0x71];
const divU = [0x6e];
const v128AndNot = simd(0x4f);
const v128Or = simd(0x50);
const ifVoid = [0x04, VOID];
const elseOp = [0x05];
const i32LoadAt = (offset: number) => [0x28, 2, ...u32(offset)];

/** local += step (i32) */
const inc = (local: number, step: number[]) => [...get(local), ...step, ...add, ...set(local)];
/** A function body: its local declarations (i32 first, then v128) and code, length-prefixed. */
function functionBody(code: number[], locals: { i32?: number; v128?: number } = {}): number[] {
  const groups: number[][] = [];
  if (locals.i32) groups.push([...u32(locals.i32), I32]);
  if (locals.v128) groups.push([...u32(locals.v128), V128]);
  const body = [...vec(groups), ...code];
  return [...u32(body.length), ...body];
}

/** do { body } while (++local < limit) */
const doWhile = (local: number, limit: number, body: number[]) => [
  ...i32c(0), ...set(local),
  ...loop, ...body, ...inc(local, i32c(1)), ...get(local), ...get(limit), ...ltU, ...brIf(0), ...end,
];

// ---------------------------------------------------------------------------------------------
// maxPoolGrad

/** `store`: write dy-or-0 to every window pixel (windows that tile without overlap), else add. */
function maxPoolGradBody(store: boolean): number[] {
  // params 0..12
  const [x, dy, dx, B, H, W, C, OH, OW, FH, FW, SH, SW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  // i32 locals 13..24, v128 locals 25..29
  const [b, oh, ow, win, cb, kh, kw, k, addr, dyp, rowBytes, pixBytes] = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
  const [best, idx, v, gt, g] = [25, 26, 27, 28, 29];

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
  return functionBody(code, { i32: 12, v128: 5 });
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
 */
function maxPoolGrad2x2Body(): number[] {
  const [x, dy, dx, B, H, W, C, OH, OW] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [b, oh, ow, q, quads, pixB, rowB, px, pd, dyp] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const [v0, v1, v2, v3, best, m0, m1, m2, m3, g, negInf] = [19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
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
    // winners: k3 = m3, k2 = m2 & ~m3, k1 = m1 & ~(m2 | m3), k0 = m0 & ~(m1 | m2 | m3)
    ...addressOf(pd, offsets[3]), ...get(g), ...get(m3), ...v128And, ...v128Store,
    ...addressOf(pd, offsets[2]), ...get(g), ...get(m2), ...get(m3), ...v128AndNot, ...v128And, ...v128Store,
    ...get(m2), ...get(m3), ...v128Or, ...set(m3),
    ...addressOf(pd, offsets[1]), ...get(g), ...get(m1), ...get(m3), ...v128AndNot, ...v128And, ...v128Store,
    ...get(m1), ...get(m3), ...v128Or, ...set(m3),
    ...addressOf(pd, offsets[0]), ...get(g), ...get(m0), ...get(m3), ...v128AndNot, ...v128And, ...v128Store,
    ...inc(px, i32c(16)), ...inc(pd, i32c(16)), ...inc(dyp, i32c(16)),
  );
  const perWindow = [...doWhile(q, quads, perQuad), ...inc(px, get(pixB)), ...inc(pd, get(pixB))];
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
  return functionBody(code, { i32: 10, v128: 11 });
}

/**
 * 2x2 max pooling, stride 2, windows inside the input: per window and 4 channels the cpu
 * backend's rule (the running maximum starts at -Infinity and takes a pixel if it is strictly
 * greater: NaN is skipped, an all-NaN window gives -Infinity).
 * Params x, y, B, H, W, C, OH, OW; C % 4 == 0, every count >= 1, 2*OH <= H, 2*OW <= W.
 */
function maxPool2x2Body(): number[] {
  const [x, y, B, H, W, C, OH, OW] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [b, oh, ow, q, quads, pixB, rowB, px, py] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
  const [v, best, negInf] = [17, 18, 19];
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
  return functionBody(code, { i32: 9, v128: 3 });
}

// ---------------------------------------------------------------------------------------------
// gemm: C[mr x N] += A[mr x K] . B[K x N]

function gemmBody(mr: number, madd: Madd): number[] {
  const [a, aRow, aK, b, bK, c, cRow, n, kCount] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  // i32 locals: j (column byte offset), k, bp, nBytes, ap[0..mr-1], cp
  const j = 9;
  const k = 10;
  const bp = 11;
  const nBytes = 12;
  const cp = 13;
  const ap = (r: number) => 14 + r;
  const i32Count = 5 + mr;
  // v128 locals: acc[r][0..1], b0, b1, av
  const v0 = 9 + i32Count;
  const acc = (r: number, h: number) => v0 + 2 * r + h;
  const b0 = v0 + 2 * mr;
  const b1 = b0 + 1;
  const av = b0 + 2;
  const v128Count = 2 * mr + 3;

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
  const inner: number[] = [
    ...get(bp), ...v128LoadAt(0), ...set(b0),
    ...get(bp), ...v128LoadAt(16), ...set(b1),
  ];
  for (let r = 0; r < mr; r++) {
    inner.push(
      ...get(ap(r)), ...v128Load32Splat, ...set(av),
      ...madd(acc(r, 0), av, b0),
      ...madd(acc(r, 1), av, b1),
      ...inc(ap(r), get(aK)),
    );
  }
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
  return functionBody(code, { i32: i32Count, v128: v128Count });
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
function convBody(mr: number, madd: Madd): number[] {
  const [a, aRow, taps, nTaps, b, bK, c, cRow, n, kCount, bias, flags] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const j = 12;
  const t = 13;
  const tp = 14;
  const k = 15;
  const bp = 16;
  const nBytes = 17;
  const cp = 18;
  const ap = (r: number) => 19 + r;
  const i32Count = 7 + mr;
  const v0 = 12 + i32Count;
  const acc = (r: number, h: number) => v0 + 2 * r + h;
  const b0 = v0 + 2 * mr;
  const b1 = b0 + 1;
  const av = b0 + 2;
  const zero = b0 + 3; // never written: wasm locals start at zero
  const v128Count = 2 * mr + 4;

  const init: number[] = [
    ...get(flags), ...i32c(1), ...i32And, ...ifVoid,
    ...get(bias), ...get(j), ...add, ...tee(cp), ...v128LoadAt(0), ...set(acc(0, 0)),
    ...get(cp), ...v128LoadAt(16), ...set(acc(0, 1)),
  ];
  for (let r = 1; r < mr; r++) init.push(...get(acc(0, 0)), ...set(acc(r, 0)), ...get(acc(0, 1)), ...set(acc(r, 1)));
  init.push(...elseOp);
  for (let r = 0; r < mr; r++) init.push(...get(zero), ...set(acc(r, 0)), ...get(zero), ...set(acc(r, 1)));
  init.push(...end);

  const inner: number[] = [
    ...get(bp), ...v128LoadAt(0), ...set(b0),
    ...get(bp), ...v128LoadAt(16), ...set(b1),
  ];
  for (let r = 0; r < mr; r++) {
    inner.push(
      ...get(ap(r)), ...v128Load32Splat, ...set(av),
      ...madd(acc(r, 0), av, b0),
      ...madd(acc(r, 1), av, b1),
      ...inc(ap(r), i32c(4)),
    );
  }
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
  return functionBody(code, { i32: i32Count, v128: v128Count });
}

// ---------------------------------------------------------------------------------------------
// reluGrad: out = dy * step(y), exactly as tf.mul(dy, tf.step(y)) computes it

/**
 * Params: dy, y, out, pixels, C, sums (byte addresses; C % 4 == 0, pixels >= 1). For every pixel and
 * 4 channels: s = y > 0 ? 1 : (y is NaN ? NaN : 0); v = dy * s; out = v; sums[c] += v when
 * sums != 0 (float32 running sums per channel: the caller keeps the blocks short).
 */
function reluGradBody(): number[] {
  const [dy, y, out, pixels, C, sums] = [0, 1, 2, 3, 4, 5];
  const [p, cb, cBytes, off] = [6, 7, 8, 9];
  const [yv, s, v, one, zero] = [10, 11, 12, 13, 14];
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
  return functionBody(code, { i32: 4, v128: 5 });
}

// ---------------------------------------------------------------------------------------------
// relu in place: x[i] = max(x[i], 0) over n floats (n % 4 == 0, n >= 4)

function reluBody(): number[] {
  const [x, n] = [0, 1];
  const [p, endB] = [2, 3];
  const zero = 4;
  const code = [
    ...get(x), ...set(p),
    ...get(x), ...get(n), ...i32c(4), ...mul, ...add, ...set(endB),
    ...loop,
    ...get(p), ...get(p), ...v128Load, ...get(zero), ...f32x4Max, ...v128Store,
    ...inc(p, i32c(16)), ...get(p), ...get(endB), ...ltU, ...brIf(0), ...end,
    ...end,
  ];
  return functionBody(code, { i32: 2, v128: 1 });
}

// ---------------------------------------------------------------------------------------------
// loops around gemm and conv (one call from JS instead of one per row or tile)

/**
 * Calls function `callee` (its parameters are this function's first `calleeParams`) `count` times
 * (parameter `countParam`, >= 1), adding parameter s to parameter p after each call for every
 * [p, s] of `advance`.
 */
function repeatBody(callee: number, calleeParams: number, countParam: number, advance: [number, number][]): number[] {
  const code = [
    ...loop,
    ...Array.from({ length: calleeParams }, (_, i) => get(i)).flat(),
    0x10, ...u32(callee),
    ...advance.flatMap(([p, stride]) => inc(p, get(stride))),
    ...get(countParam), ...i32c(1), ...sub, ...tee(countParam), ...brIf(0),
    ...end,
    ...end,
  ];
  return functionBody(code);
}

/** f64 dst[i] += f32 src[i] for i < n (n even, >= 2; dst 8-byte aligned). */
function accumulateF64Body(): number[] {
  const [src, dst, n] = [0, 1, 2];
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
  return functionBody(code);
}

// ---------------------------------------------------------------------------------------------
// module

const name = (text: string) => vec([...text].map((ch) => [ch.charCodeAt(0)]));

const i32Params = (count: number) => [0x60, ...vec(Array.from({ length: count }, () => [I32])), ...vec([])];

/** Multiply-add of a v128 local: plain f32x4 mul + add, or relaxed SIMD's (possibly fused) madd. */
type Madd = (accLocal: number, x: number, y: number) => number[];
const maddPlain: Madd = (accLocal, x, y) => [...get(accLocal), ...get(x), ...get(y), ...f32x4Mul, ...f32x4Add, ...set(accLocal)];
const maddRelaxed: Madd = (accLocal, x, y) => [...get(x), ...get(y), ...get(accLocal), ...f32x4RelaxedMadd, ...set(accLocal)];

function moduleBytes(fma: boolean): Uint8Array {
  const madd = fma ? maddRelaxed : maddPlain;
  const rows = Array.from({ length: GEMM_MAX_ROWS }, (_, i) => i + 1);
  // [export name, parameter count, body]; the loops call functions by their index in this list
  const gemmIndex = (mr: number) => 2 + mr;
  const convIndex = (mr: number) => 2 + GEMM_MAX_ROWS + mr;
  const functions: [string, number, number[]][] = [
    ['maxPoolGrad', 13, maxPoolGradBody(false)],
    ['maxPoolGradTiled', 13, maxPoolGradBody(true)],
    ['maxPoolGrad2x2', 9, maxPoolGrad2x2Body()],
    ...rows.map((mr): [string, number, number[]] => [`gemm${mr}`, 9, gemmBody(mr, madd)]),
    ...rows.map((mr): [string, number, number[]] => [`conv${mr}`, 12, convBody(mr, madd)]),
    // gemmLoop: gemm's 9, count, aNext, bNext, cNext
    ...rows.map((mr): [string, number, number[]] => [`gemmLoop${mr}`, 13, repeatBody(gemmIndex(mr), 9, 9, [[0, 10], [3, 11], [5, 12]])]),
    // convLoop: conv's 12, count, aNext, cNext
    ...rows.map((mr): [string, number, number[]] => [`convLoop${mr}`, 15, repeatBody(convIndex(mr), 12, 12, [[0, 13], [6, 14]])]),
    ['reluGrad', 6, reluGradBody()],
    ['relu', 2, reluBody()],
    ['accumulateF64', 3, accumulateF64Body()],
    ['maxPool2x2', 8, maxPool2x2Body()],
  ];
  functions.forEach(([exportName], i) => {
    const expected = exportName.startsWith('gemm') && !exportName.startsWith('gemmLoop') ? gemmIndex(Number(exportName.slice(4)))
      : exportName.startsWith('conv') && !exportName.startsWith('convLoop') ? convIndex(Number(exportName.slice(4))) : i;
    if (expected !== i) throw new Error(`wasmSimdModule: ${exportName} is function ${i}, expected ${expected}`);
  });
  const typeCounts = [...new Set(functions.map((f) => f[1]))];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(typeCounts.map(i32Params))),
    // import "env" "memory": memory with at least 0 pages, no maximum (matches any memory)
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec(functions.map((f) => u32(typeCounts.indexOf(f[1]))))),
    ...section(7, vec(functions.map((f, i) => [...name(f[0]), 0x00, ...u32(i)]))),
    ...section(10, vec(functions.map((f) => f[2]))),
  ];
  return new Uint8Array(bytes);
}

// ---------------------------------------------------------------------------------------------

/** The parts of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

const compiled = new Map<boolean, object | null>();
const instances = new WeakMap<object, Map<boolean, SimdKernels>>();

function compile(api: WebAssemblyApi, fma: boolean): object | null {
  let module = compiled.get(fma);
  if (module === undefined) {
    const bytes = moduleBytes(fma);
    const valid = api.validate(bytes) || (fma && enableRelaxedSimd() && api.validate(bytes));
    module = valid ? new api.Module(bytes) : null;
    compiled.set(fma, module);
  }
  return module;
}

/**
 * The SIMD kernels bound to this backend's memory, or undefined if wasm SIMD is unavailable. With
 * relaxed SIMD (Node >= 22, Electron; `simdTuning.fma`) the multiply-adds are f32x4.relaxed_madd.
 */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (api === undefined || !(memory instanceof api.Memory)) return undefined;
  let fma = simdTuning.fma;
  let module = fma ? compile(api, true) : null;
  if (module === null) {
    fma = false;
    module = compile(api, false);
  }
  if (module === null) return undefined;
  let byVariant = instances.get(memory);
  if (byVariant === undefined) {
    byVariant = new Map();
    instances.set(memory, byVariant);
  }
  let kernels = byVariant.get(fma);
  if (kernels === undefined) {
    let exports: Record<string, unknown>;
    try {
      exports = new api.Instance(module, { env: { memory } }).exports;
    } catch {
      // E.g. the threaded build's shared memory does not match this module's (unshared) import.
      return undefined;
    }
    const rows = <T>(prefix: string) => [(() => undefined) as unknown as T, ...Array.from({ length: GEMM_MAX_ROWS }, (_, i) => exports[`${prefix}${i + 1}`] as T)];
    kernels = {
      maxPoolGrad: exports.maxPoolGrad as SimdKernels['maxPoolGrad'],
      maxPoolGradTiled: exports.maxPoolGradTiled as SimdKernels['maxPoolGrad'],
      maxPoolGrad2x2: exports.maxPoolGrad2x2 as SimdKernels['maxPoolGrad2x2'],
      gemm: rows<GemmAccumulate>('gemm'),
      conv: rows<ConvTile>('conv'),
      gemmLoop: rows<GemmLoop>('gemmLoop'),
      convLoop: rows<ConvLoop>('convLoop'),
      accumulateF64: exports.accumulateF64 as (src: number, dst: number, n: number) => void,
      maxPool2x2: exports.maxPool2x2 as SimdKernels['maxPool2x2'],
      reluGrad: exports.reluGrad as ReluGradFunction,
      relu: exports.relu as (x: number, n: number) => void,
      fma,
    };
    byVariant.set(fma, kernels);
  }
  return kernels;
}
