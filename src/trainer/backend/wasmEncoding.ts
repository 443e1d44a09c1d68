/**
 * WebAssembly's binary format, as much of it as wasmSimdModule.ts assembles by hand: LEB128 numbers, vectors and
 * sections, the instructions its kernels use (opcodes of the final WebAssembly SIMD and relaxed SIMD specs), and
 * `Frame`, which numbers a function's parameters and locals by name and declares exactly the locals asked for.
 */
export function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function s32(n: number): number[] {
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

export function vec(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

/** A name (import, export): its length, then its bytes (ASCII here). */
export function name(text: string): number[] {
  return vec([...text].map((ch) => [ch.charCodeAt(0)]));
}

/** "\0asm", version 1: the first 8 bytes of every module. */
export const MODULE_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export function section(id: number, content: number[]): number[] {
  return [id, ...u32(content.length), ...content];
}

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const VOID = 0x40;

// instructions
export const get = (i: number) => [0x20, ...u32(i)];
export const set = (i: number) => [0x21, ...u32(i)];
export const tee = (i: number) => [0x22, ...u32(i)];
export const i32c = (n: number) => [0x41, ...s32(n)];
export const f32c = (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];
export const f64c = (v: number) => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
export const ltU = [0x49];
export const add = [0x6a];
export const sub = [0x6b];
export const mul = [0x6c];
export const loop = [0x03, VOID];
export const end = [0x0b];
export const brIf = (depth: number) => [0x0d, ...u32(depth)];
export const simd = (op: number) => [0xfd, ...u32(op)];
// memarg = alignment hint (log2 bytes), offset
export const v128Load = [...simd(0x00), 4, 0];
export const v128LoadAt = (offset: number) => [...simd(0x00), 4, ...u32(offset)];
export const v128Load32Splat = [...simd(0x09), 2, 0];
export const v128Store = [...simd(0x0b), 4, 0];
export const v128StoreAt = (offset: number) => [...simd(0x0b), 4, ...u32(offset)];
export const i32x4Splat = simd(0x11);
export const f32x4Splat = simd(0x13);
export const f32x4ExtractLane = (lane: number) => [...simd(0x1f), lane];
export const i32x4Eq = simd(0x37);
export const f32x4Gt = simd(0x44);
export const v128And = simd(0x4e);
export const v128Bitselect = simd(0x52);
export const f32x4Add = simd(0xe4);
export const f32x4Sub = simd(0xe5);
export const f32x4Mul = simd(0xe6);
export const f32x4Max = simd(0xe9);
export const f32x4Ne = simd(0x42);
export const f32x4RelaxedMadd = simd(0x105);
export const v128Load64Zero = [...simd(0x5d), 3, 0];
export const f64x2PromoteLowF32x4 = simd(0x5f);
/** f64x2 -> f32x4 [a, b, 0, 0], each rounded to nearest (as a JS Float32Array store rounds). */
export const f32x4DemoteF64x2Zero = simd(0x5e);
/** Stores the low 8 bytes (lane 0 of an i64x2 view) at the address. */
export const v128Store64Lane0 = [...simd(0x5b), 3, 0, 0];
export const f64x2Splat = simd(0x14);
export const f64x2Add = simd(0xf0);
export const f64x2Sub = simd(0xf1);
export const f64x2Mul = simd(0xf2);
/** i8x16.shuffle of two vectors by 32-bit lanes: lane i of the result is lane lanes[i] of a (0-3) or b (4-7). */
export const shuffle32 = (lanes: readonly number[]) => [...simd(0x0d), ...lanes.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3])];
export const i32And = [0x71];
/** select: [a, b, cond] -> cond != 0 ? a : b (numeric operands) */
export const select = [0x1b];
export const divU = [0x6e];
export const v128AndNot = simd(0x4f);
export const v128Or = simd(0x50);
export const ifVoid = [0x04, VOID];
export const elseOp = [0x05];
export const i32LoadAt = (offset: number) => [0x28, 2, ...u32(offset)];

/** local += step (i32) */
export const inc = (local: number, step: number[]) => [...get(local), ...step, ...add, ...set(local)];
/** do { body } while (++local < limit) */
export const doWhile = (local: number, limit: number, body: number[]) => [
  ...i32c(0), ...set(local),
  ...loop, ...body, ...inc(local, i32c(1)), ...get(local), ...get(limit), ...ltU, ...brIf(0), ...end,
];

/** The indices of `names`, numbered from `first` in order; reading a name that is not there throws. */
function numbered<N extends string>(names: readonly N[], first: number): Readonly<Record<N, number>> {
  const indices = Object.fromEntries(names.map((name, i) => [name, first + i])) as Record<N, number>;
  return new Proxy(indices, {
    get(target, key) {
      if (typeof key === 'string' && !(key in target)) throw new Error(`wasm function: no parameter or local named "${key}"`);
      return Reflect.get(target, key);
    },
  });
}

/**
 * A function's variables, numbered as wasm numbers them: the parameters (named by the module's signature table),
 * then the i32 locals, then the v128 locals. Locals are declared by asking for them, so `body()` declares exactly
 * as many as the code can name.
 */
export class Frame {
  readonly params: Readonly<Record<string, number>>;
  private readonly paramCount: number;
  private i32Count = 0;
  private v128Count = 0;

  constructor(paramNames: readonly string[]) {
    this.params = numbered(paramNames, 0);
    this.paramCount = paramNames.length;
  }

  /** New i32 locals, by name. All i32 locals come before the first v128 local. */
  i32<N extends string>(...names: N[]): Readonly<Record<N, number>> {
    return numbered(names, this.claimI32(names.length));
  }

  /** `count` new i32 locals, in order (e.g. one per row of a tile). */
  i32Array(count: number): number[] {
    const first = this.claimI32(count);
    return Array.from({ length: count }, (_, i) => first + i);
  }

  /** New v128 locals, by name. */
  v128<N extends string>(...names: N[]): Readonly<Record<N, number>> {
    return numbered(names, this.claimV128(names.length));
  }

  /** `count` new v128 locals, in order. */
  v128Array(count: number): number[] {
    const first = this.claimV128(count);
    return Array.from({ length: count }, (_, i) => first + i);
  }

  /** The function body: the locals asked for (i32, then v128) and `code`, length-prefixed. */
  body(code: number[]): number[] {
    const groups: number[][] = [];
    if (this.i32Count > 0) groups.push([...u32(this.i32Count), I32]);
    if (this.v128Count > 0) groups.push([...u32(this.v128Count), V128]);
    const body = [...vec(groups), ...code];
    return [...u32(body.length), ...body];
  }

  private claimI32(count: number): number {
    if (this.v128Count > 0) throw new Error('wasm function: i32 locals must be declared before v128 locals');
    const first = this.paramCount + this.i32Count;
    this.i32Count += count;
    return first;
  }

  private claimV128(count: number): number {
    const first = this.paramCount + this.i32Count + this.v128Count;
    this.v128Count += count;
    return first;
  }
}
