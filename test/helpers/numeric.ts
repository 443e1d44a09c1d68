/** Numeric helpers for comparing a backend's results with the cpu backend's. */
import assert from 'node:assert/strict';

/** Seeded uniform numbers in [-1, 1) (mulberry32), so both backends see the same inputs. */
export function randomValues(seed: number, size: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** max |a - b| / max(max |b|, tiny) */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    maxRef = Math.max(maxRef, Math.abs(b[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}

/** Asserts relativeError(actual, expected) <= relative, naming what was compared. */
export function assertClose(options: { actual: ArrayLike<number>; expected: ArrayLike<number>; relative: number; what: string }): void {
  const error = relativeError(options.actual, options.expected);
  assert.ok(error <= options.relative, `${options.what}: relative error ${error.toExponential(2)} > ${options.relative}`);
}
