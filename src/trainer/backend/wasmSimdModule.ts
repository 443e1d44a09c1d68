/**
 * A tiny WebAssembly module, assembled here byte by byte (no toolchain), with SIMD loops that the
 * tfjs wasm backend lacks. It imports the backend's own memory (`backend.wasm.asm.memory`), so it
 * works in place on tensors' heap data, addressed by byte offset. Nothing is built at import time:
 * `simdKernels(backend)` compiles the module on first use (a few hundred bytes) and instantiates
 * it once per backend memory; it returns undefined if the engine cannot run wasm SIMD, and callers
 * then use their plain-JS path.
 *
 * Functions (all arguments i32; addresses are byte offsets in the wasm memory):
 * - maxPoolGrad(x, dy, dx, B, H, W, C, OH, OW, FH, FW, SH, SW): for every pooling window (all
 *   inside the input: no padding) and 4 channels at a time, finds the first maximum (strict `>`
 *   from -Infinity, row-major scan: the cpu backend's rule) and adds dy to that pixel of dx.
 *   Requires C % 4 == 0, every count >= 1, and dx zeroed beforehand.
 * - maxPoolGradTiled(same arguments): the same for windows that tile the input without overlap or
 *   gaps (stride == filter size): it stores dy or 0 into every window pixel, so dx needs zeroing
 *   only where no window reaches (the bottom rows and right columns an odd size leaves over).
 * - gemm1 .. gemm6 (a, aRowStride, aKStride, b, bKStride, c, cRowStride, N, K): C += A . B for
 *   1..6 rows of A and C, N columns (a multiple of 8), with arbitrary strides: a register-tiled
 *   (rows x 8 columns) loop over K, no packing (~40 GFLOP/s single-threaded with 4 rows on the
 *   machine it was written on; 6 rows spill registers). Conv2D, Conv2DBackpropInput and
 *   Conv2DBackpropFilter run their products on it.
 *
 * Opcodes are those of the final WebAssembly SIMD spec (BinarySIMD.md); the unit tests check every
 * function against the cpu backend.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

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
  maxPoolGrad: MaxPoolGradFunction;
  maxPoolGradTiled: MaxPoolGradFunction;
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

/** local += step (i32) */
const inc = (local: number, step: number[]) => [...get(local), ...step, ...add, ...set(local)];
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
  const locals = vec([[...u32(12), I32], [...u32(5), V128]]);
  const body = [...locals, ...code];
  return [...u32(body.length), ...body];
}

// ---------------------------------------------------------------------------------------------
// gemm: C[mr x N] += A[mr x K] . B[K x N]

function gemmBody(mr: number): number[] {
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
      ...get(acc(r, 0)), ...get(av), ...get(b0), ...f32x4Mul, ...f32x4Add, ...set(acc(r, 0)),
      ...get(acc(r, 1)), ...get(av), ...get(b1), ...f32x4Mul, ...f32x4Add, ...set(acc(r, 1)),
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
  const locals = vec([[...u32(i32Count), I32], [...u32(v128Count), V128]]);
  const body = [...locals, ...code];
  return [...u32(body.length), ...body];
}

const name = (text: string) => vec([...text].map((ch) => [ch.charCodeAt(0)]));

function moduleBytes(): Uint8Array {
  const maxPoolGradType = [0x60, ...vec(Array.from({ length: 13 }, () => [I32])), ...vec([])];
  const gemmType = [0x60, ...vec(Array.from({ length: 9 }, () => [I32])), ...vec([])];
  const gemmRows = Array.from({ length: GEMM_MAX_ROWS }, (_, i) => i + 1);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([maxPoolGradType, gemmType])),
    // import "env" "memory": memory with at least 0 pages, no maximum (matches any memory)
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec([u32(0), u32(0), ...gemmRows.map(() => u32(1))])),
    ...section(7, vec([
      [...name('maxPoolGrad'), 0x00, ...u32(0)],
      [...name('maxPoolGradTiled'), 0x00, ...u32(1)],
      ...gemmRows.map((mr) => [...name(`gemm${mr}`), 0x00, ...u32(mr + 1)]),
    ])),
    ...section(10, vec([maxPoolGradBody(false), maxPoolGradBody(true), ...gemmRows.map((mr) => gemmBody(mr))])),
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

let compiled: object | null | undefined;
const instances = new WeakMap<object, SimdKernels>();

/** The SIMD kernels bound to this backend's memory, or undefined if wasm SIMD is unavailable. */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (api === undefined || !(memory instanceof api.Memory)) return undefined;
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = api.validate(bytes) ? new api.Module(bytes) : null;
  }
  if (compiled === null) return undefined;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    let exports: Record<string, unknown>;
    try {
      exports = new api.Instance(compiled, { env: { memory } }).exports;
    } catch {
      // E.g. the threaded build's shared memory does not match this module's (unshared) import.
      return undefined;
    }
    kernels = {
      maxPoolGrad: exports.maxPoolGrad as SimdKernels['maxPoolGrad'],
      maxPoolGradTiled: exports.maxPoolGradTiled as SimdKernels['maxPoolGrad'],
      gemm: [() => undefined, ...Array.from({ length: GEMM_MAX_ROWS }, (_, i) => exports[`gemm${i + 1}`] as GemmAccumulate)],
    };
    instances.set(memory, kernels);
  }
  return kernels;
}
