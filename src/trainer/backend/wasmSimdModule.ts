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
 * - maxPoolReluGrad2x2(x, dy, dx, B, H, W, C, OH, OW, sums): the same on through the relu whose
 *   output x is (dy only where the window's maximum is > 0), adding what it stores to sums[c].
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
 * - winogradInput, winogradOutput, winogradGradient: the transforms of Winograd's F(2x2, 3x3)
 *   convolution and of its filter gradient (./wasmWinogradBodies.ts), driven by ./winogradConvWasm.ts
 *   and ./winogradFilterGradWasm.ts; winograd4Input, winograd4Output, winograd4Gradient: those of F(4x4, 3x3).
 *
 * Opcodes are those of the final WebAssembly SIMD and relaxed SIMD specs; the unit tests check
 * every function against the cpu backend, in both variants.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setFlagsFromString } from 'node:v8';
import { Frame, I32, MODULE_HEADER, name, section, u32, vec } from './wasmEncoding';
import {
  accumulateF64Body, convBody, gemmBody, maddPlain, maddRelaxed, maxPool2x2Body, maxPoolGrad2x2Body, maxPoolGradBody, reluBody,
  reluGradBody, repeatBody, type Madd,
} from './wasmSimdBodies';
import { transposeBody, winogradFilterBody, winogradFilterTransposedBody } from './wasmFilterBodies';
import { winograd4GradientBody, winograd4InputBody, winograd4OutputBody, winogradGradientBody, winogradInputBody, winogradOutputBody } from './wasmWinogradBodies';

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
  /** maxPoolGrad2x2 on through the relu whose output x is, adding what it stores to sums[c]: (x, dy, dx, B, H, W, C, OH, OW, sums). */
  maxPoolReluGrad2x2: (x: number, dy: number, dx: number, B: number, H: number, W: number, C: number, OH: number, OW: number, sums: number) => void;
  reluGrad: ReluGradFunction;
  /** x = max(x, 0) in place over n floats (n % 4 == 0, n >= 4). */
  relu: (x: number, n: number) => void;
  /** Winograd F(2x2, 3x3) input transform: (src, rowStride, dst, kStride, C, count); see ./wasmWinogradBodies.ts. */
  winogradInput: (src: number, rowStride: number, dst: number, kStride: number, C: number, count: number) => void;
  /** Winograd F(2x2, 3x3) output transform: (m, kStride, dst, rowStride, C, count, bias, flags); flags & 2 = relu. */
  winogradOutput: (m: number, kStride: number, dst: number, rowStride: number, C: number, count: number, bias: number, flags: number) => void;
  /** Winograd's transposed output transform for the filter gradient: (src, rowStride, dst, kStride, C, count). */
  winogradGradient: (src: number, rowStride: number, dst: number, kStride: number, C: number, count: number) => void;
  /** F(4x4, 3x3)'s input transform (6x6 patches, 36 vectors): winogradInput's parameters. */
  winograd4Input: SimdKernels['winogradInput'];
  /** F(4x4, 3x3)'s output transform (4x4 blocks of outputs from 36 vectors): winogradOutput's parameters. */
  winograd4Output: SimdKernels['winogradOutput'];
  /** F(4x4, 3x3)'s transposed output transform (4x4 dy tiles to 36 vectors): winogradGradient's parameters. */
  winograd4Gradient: SimdKernels['winogradGradient'];
  /**
   * Winograd F(2x2, 3x3)'s filter transform: (src, dst, plane, stride), [3, 3, ci, co] to 16 planes [ci][co],
   * `stride` floats apart; plane = ci * co (even).
   */
  winogradFilter: (src: number, dst: number, plane: number, stride: number) => void;
  /** F(4x4, 3x3)'s filter transform, [3, 3, ci, co] to 36 planes [ci][co]: winogradFilter's parameters. */
  winograd4Filter: SimdKernels['winogradFilter'];
  /** The transpose of F(2x2)'s filter transform, for the filter gradient: (src, dst, plane, stride), 16 planes to [3, 3, ci, co]. */
  winogradFilterTransposed: SimdKernels['winogradFilter'];
  /** The same for F(4x4): 36 planes to [3, 3, ci, co]. */
  winograd4FilterTransposed: SimdKernels['winogradFilter'];
  /** dst[c][r] = src[r][c], a rows x cols matrix of floats (rows, cols multiples of 4). */
  transpose: (src: number, dst: number, rows: number, cols: number) => void;
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
// the signature table: every function's name (its export) and parameters, in function-index order

const GEMM_PARAMS = ['a', 'aRowStride', 'aKStride', 'b', 'bKStride', 'c', 'cRowStride', 'n', 'k'] as const;
const CONV_PARAMS = ['a', 'aRowStride', 'taps', 'nTaps', 'b', 'bKStride', 'c', 'cRowStride', 'n', 'k', 'bias', 'flags'] as const;
const MAX_POOL_GRAD_PARAMS = ['x', 'dy', 'dx', 'B', 'H', 'W', 'C', 'OH', 'OW', 'FH', 'FW', 'SH', 'SW'] as const;

/** What a body needs besides its Frame: the multiply-add variant, and other functions' indices (for calls). */
interface ModuleContext {
  madd: Madd;
  function(name: string): { index: number; params: readonly string[] };
}

interface FunctionSpec {
  /** Its export name. */
  name: string;
  /** All i32; the names its body reads them by. The exported function's `length` must equal their count. */
  params: readonly string[];
  body(f: Frame, module: ModuleContext): number[];
}

/** The module's functions in index order: types, exports and call targets all come from this one table. */
function moduleFunctions(): FunctionSpec[] {
  const rows = Array.from({ length: GEMM_MAX_ROWS }, (_, i) => i + 1);
  return [
    { name: 'maxPoolGrad', params: MAX_POOL_GRAD_PARAMS, body: (f) => maxPoolGradBody(f, false) },
    { name: 'maxPoolGradTiled', params: MAX_POOL_GRAD_PARAMS, body: (f) => maxPoolGradBody(f, true) },
    { name: 'maxPoolGrad2x2', params: ['x', 'dy', 'dx', 'B', 'H', 'W', 'C', 'OH', 'OW'], body: (f) => maxPoolGrad2x2Body(f) },
    { name: 'maxPoolReluGrad2x2', params: ['x', 'dy', 'dx', 'B', 'H', 'W', 'C', 'OH', 'OW', 'sums'], body: (f) => maxPoolGrad2x2Body(f, true) },
    ...rows.map((mr): FunctionSpec => ({ name: `gemm${mr}`, params: GEMM_PARAMS, body: (f, m) => gemmBody(f, mr, m.madd) })),
    ...rows.map((mr): FunctionSpec => ({ name: `conv${mr}`, params: CONV_PARAMS, body: (f, m) => convBody(f, mr, m.madd) })),
    ...rows.map((mr): FunctionSpec => ({
      name: `gemmLoop${mr}`,
      params: [...GEMM_PARAMS, 'count', 'aNext', 'bNext', 'cNext'],
      body: (f, m) => repeatBody(f, m.function(`gemm${mr}`), [{ param: 'a', by: 'aNext' }, { param: 'b', by: 'bNext' }, { param: 'c', by: 'cNext' }]),
    })),
    ...rows.map((mr): FunctionSpec => ({
      name: `convLoop${mr}`,
      params: [...CONV_PARAMS, 'count', 'aNext', 'cNext'],
      body: (f, m) => repeatBody(f, m.function(`conv${mr}`), [{ param: 'a', by: 'aNext' }, { param: 'c', by: 'cNext' }]),
    })),
    { name: 'reluGrad', params: ['dy', 'y', 'out', 'pixels', 'C', 'sums'], body: (f) => reluGradBody(f) },
    { name: 'relu', params: ['x', 'n'], body: (f) => reluBody(f) },
    { name: 'accumulateF64', params: ['src', 'dst', 'n'], body: (f) => accumulateF64Body(f) },
    { name: 'maxPool2x2', params: ['x', 'y', 'B', 'H', 'W', 'C', 'OH', 'OW'], body: (f) => maxPool2x2Body(f) },
    { name: 'winogradInput', params: ['src', 'rowStride', 'dst', 'kStride', 'C', 'count'], body: (f) => winogradInputBody(f) },
    { name: 'winogradOutput', params: ['m', 'kStride', 'dst', 'rowStride', 'C', 'count', 'bias', 'flags'], body: (f) => winogradOutputBody(f) },
    { name: 'winogradGradient', params: ['src', 'rowStride', 'dst', 'kStride', 'C', 'count'], body: (f) => winogradGradientBody(f) },
    { name: 'winograd4Input', params: ['src', 'rowStride', 'dst', 'kStride', 'C', 'count'], body: (f) => winograd4InputBody(f) },
    { name: 'winograd4Output', params: ['m', 'kStride', 'dst', 'rowStride', 'C', 'count', 'bias', 'flags'], body: (f) => winograd4OutputBody(f) },
    { name: 'winograd4Gradient', params: ['src', 'rowStride', 'dst', 'kStride', 'C', 'count'], body: (f) => winograd4GradientBody(f) },
    { name: 'winogradFilter', params: ['src', 'dst', 'plane', 'stride'], body: (f) => winogradFilterBody(f, 2) },
    { name: 'winograd4Filter', params: ['src', 'dst', 'plane', 'stride'], body: (f) => winogradFilterBody(f, 4) },
    { name: 'winogradFilterTransposed', params: ['src', 'dst', 'plane', 'stride'], body: (f) => winogradFilterTransposedBody(f, 2) },
    { name: 'winograd4FilterTransposed', params: ['src', 'dst', 'plane', 'stride'], body: (f) => winogradFilterTransposedBody(f, 4) },
    { name: 'transpose', params: ['src', 'dst', 'rows', 'cols'], body: (f) => transposeBody(f) },
  ];
}

// ---------------------------------------------------------------------------------------------
// module

const i32Params = (count: number) => [0x60, ...vec(Array.from({ length: count }, () => [I32])), ...vec([])];

/** The module's bytes, with plain or relaxed-SIMD multiply-adds (exported for the tests). */
export function moduleBytes(fma: boolean): Uint8Array {
  const functions = moduleFunctions();
  const context: ModuleContext = {
    madd: fma ? maddRelaxed : maddPlain,
    function: (callee) => {
      const index = functions.findIndex((f) => f.name === callee);
      if (index < 0) throw new Error(`wasmSimdModule: no function named ${callee}`);
      return { index, params: functions[index].params };
    },
  };
  // One type per parameter count (every parameter is an i32, no results).
  const typeCounts = [...new Set(functions.map((f) => f.params.length))];
  const bytes = [
    ...MODULE_HEADER,
    ...section(1, vec(typeCounts.map(i32Params))),
    // import "env" "memory": memory with at least 0 pages, no maximum (matches any memory)
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec(functions.map((f) => u32(typeCounts.indexOf(f.params.length))))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...u32(i)]))),
    ...section(10, vec(functions.map((f) => f.body(new Frame(f.params), context)))),
  ];
  return new Uint8Array(bytes);
}

/** The instance's exports, each checked against the table: a function taking its parameters. */
function checkedExports(exports: Record<string, unknown>): Record<string, (...args: number[]) => void> {
  const checked: Record<string, (...args: number[]) => void> = {};
  for (const spec of moduleFunctions()) {
    const exported = exports[spec.name];
    if (typeof exported !== 'function' || exported.length !== spec.params.length) {
      throw new Error(`wasmSimdModule: export ${spec.name} is ${typeof exported === 'function' ? `a function of ${exported.length} parameters` : typeof exported}, expected a function of ${spec.params.length}`);
    }
    checked[spec.name] = exported as (...args: number[]) => void;
  }
  return checked;
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
    let instance: { exports: Record<string, unknown> };
    try {
      instance = new api.Instance(module, { env: { memory } });
    } catch {
      // E.g. the threaded build's shared memory does not match this module's (unshared) import.
      return undefined;
    }
    const exports = checkedExports(instance.exports);
    const rows = <T>(prefix: string) => [(() => undefined) as unknown as T, ...Array.from({ length: GEMM_MAX_ROWS }, (_, i) => exports[`${prefix}${i + 1}`] as T)];
    kernels = {
      maxPoolGrad: exports.maxPoolGrad as SimdKernels['maxPoolGrad'],
      maxPoolGradTiled: exports.maxPoolGradTiled as SimdKernels['maxPoolGrad'],
      maxPoolGrad2x2: exports.maxPoolGrad2x2 as SimdKernels['maxPoolGrad2x2'],
      maxPoolReluGrad2x2: exports.maxPoolReluGrad2x2 as SimdKernels['maxPoolReluGrad2x2'],
      gemm: rows<GemmAccumulate>('gemm'),
      conv: rows<ConvTile>('conv'),
      gemmLoop: rows<GemmLoop>('gemmLoop'),
      convLoop: rows<ConvLoop>('convLoop'),
      accumulateF64: exports.accumulateF64 as (src: number, dst: number, n: number) => void,
      maxPool2x2: exports.maxPool2x2 as SimdKernels['maxPool2x2'],
      reluGrad: exports.reluGrad as ReluGradFunction,
      relu: exports.relu as (x: number, n: number) => void,
      winogradInput: exports.winogradInput as SimdKernels['winogradInput'],
      winogradOutput: exports.winogradOutput as SimdKernels['winogradOutput'],
      winogradGradient: exports.winogradGradient as SimdKernels['winogradGradient'],
      winograd4Input: exports.winograd4Input as SimdKernels['winogradInput'],
      winograd4Output: exports.winograd4Output as SimdKernels['winogradOutput'],
      winograd4Gradient: exports.winograd4Gradient as SimdKernels['winogradGradient'],
      winogradFilter: exports.winogradFilter as SimdKernels['winogradFilter'],
      winograd4Filter: exports.winograd4Filter as SimdKernels['winogradFilter'],
      winogradFilterTransposed: exports.winogradFilterTransposed as SimdKernels['winogradFilter'],
      winograd4FilterTransposed: exports.winograd4FilterTransposed as SimdKernels['winogradFilter'],
      transpose: exports.transpose as SimdKernels['transpose'],
      fma,
    };
    byVariant.set(fma, kernels);
  }
  return kernels;
}
