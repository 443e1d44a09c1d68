/**
 * Winograd's filter transforms in plain JS, double precision, rounded to float32 when stored: the code the wasm
 * bodies of src/trainer/backend/wasmFilterBodies.ts replaced, kept as their reference (the tests compare them
 * bit for bit). The heap is any Float32Array; indices are float indices.
 */
import { ONE_12TH, ONE_24TH, ONE_6TH } from '../../src/trainer/backend/wasmFilterBodies';
import type { WinogradTile } from '../../src/trainer/backend/winogradConvWasm';

/** r = G c for a column c of 3 (F(2x2): G 4x3; F(4x4): G 6x3), written to r[offset + stride * i]. */
function filterColumn(tile: WinogradTile, c0: number, c1: number, c2: number, r: Float64Array, offset: number, stride: number): void {
  if (tile === 2) {
    // G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
    r[offset] = c0;
    r[offset + stride] = 0.5 * (c0 + c1 + c2);
    r[offset + 2 * stride] = 0.5 * (c0 - c1 + c2);
    r[offset + 3 * stride] = c2;
    return;
  }
  // G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
  const even = c0 + c2;
  const outer = c0 * ONE_24TH + c2 * ONE_6TH;
  r[offset] = 0.25 * c0;
  r[offset + stride] = -(even + c1) * ONE_6TH;
  r[offset + 2 * stride] = -(even - c1) * ONE_6TH;
  r[offset + 3 * stride] = outer + c1 * ONE_12TH;
  r[offset + 4 * stride] = outer - c1 * ONE_12TH;
  r[offset + 5 * stride] = c2;
}

/**
 * U = G g G^T for every (in, out) channel pair (G above, n = tile + 2 rows), into `u` ([n^2][ci][co] floats from
 * index `uIndex`). The filter at index `wIndex` of `heap` is [3, 3, ci, co] ('forward') or, for the input
 * gradient, the forward filter [3, 3, co, ci] whose taps are read flipped (g[kh][kw][c][o] = w[2-kh][2-kw][o][c]).
 */
export function referenceWinogradFilter(options: { heap: Float32Array; wIndex: number; uIndex: number; ci: number; co: number; layout: 'forward' | 'flipped'; tile?: WinogradTile }): void {
  const { heap, wIndex, uIndex, ci, co, layout } = options;
  const tile = options.tile ?? 2;
  const n = tile + 2;
  const g = new Float64Array(9);
  const r = new Float64Array(3 * n); // G g: n x 3
  const u = new Float64Array(n * n); // (G g) G^T: n x n
  // One in-channel's U for every out-channel, [n^2][co], then copied row by row: n^2 sequential writes rather
  // than n^2 scattered ones per channel pair (36 pages apart for F(4x4): twice as fast on the model's layers).
  const block = new Float32Array(n * n * co);
  const plane = ci * co;
  for (let c = 0; c < ci; c++) {
    for (let o = 0; o < co; o++) {
      for (let tap = 0; tap < 9; tap++) {
        g[tap] = layout === 'forward' ? heap[wIndex + tap * plane + c * co + o] : heap[wIndex + (8 - tap) * plane + o * ci + c];
      }
      for (let j = 0; j < 3; j++) filterColumn(tile, g[j], g[3 + j], g[6 + j], r, j, 3);
      for (let i = 0; i < n; i++) filterColumn(tile, r[3 * i], r[3 * i + 1], r[3 * i + 2], u, n * i, 1);
      for (let k = 0; k < n * n; k++) block[k * co + o] = u[k];
    }
    for (let k = 0; k < n * n; k++) heap.set(block.subarray(k * co, (k + 1) * co), uIndex + k * plane + c * co);
  }
}

/** w = Gt u for a column u of n = tile + 2 (F(2x2): Gt 3x4; F(4x4): Gt 3x6), written to w[offset + stride * i]. */
function transposedFilterColumn(tile: WinogradTile, u: Float64Array, from: number, step: number, w: Float64Array, offset: number, stride: number): void {
  const u0 = u[from];
  const u1 = u[from + step];
  const u2 = u[from + 2 * step];
  const u3 = u[from + 3 * step];
  if (tile === 2) {
    // Gt = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]
    w[offset] = u0 + 0.5 * (u1 + u2);
    w[offset + stride] = 0.5 * (u1 - u2);
    w[offset + 2 * stride] = 0.5 * (u1 + u2) + u3;
    return;
  }
  // Gt = [1/4 -1/6 -1/6 1/24 1/24 0; 0 -1/6 1/6 1/12 -1/12 0; 0 -1/6 -1/6 1/6 1/6 1]
  const u4 = u[from + 4 * step];
  const u5 = u[from + 5 * step];
  const inner = (u1 + u2) * ONE_6TH;
  w[offset] = 0.25 * u0 - inner + (u3 + u4) * ONE_24TH;
  w[offset + stride] = (u2 - u1) * ONE_6TH + (u3 - u4) * ONE_12TH;
  w[offset + 2 * stride] = (u3 + u4) * ONE_6TH - inner + u5;
}

/** dW = Gt dU G for every channel pair: dU is [n^2][ci][co] from `uIndex` (n = tile + 2), dW [3, 3, ci, co] from `wIndex`. */
export function referenceFilterFromTransformed(options: { heap: Float32Array; uIndex: number; wIndex: number; ci: number; co: number; tile?: WinogradTile }): void {
  const { heap, uIndex, wIndex, ci, co } = options;
  const tile = options.tile ?? 2;
  const n = tile + 2;
  const plane = ci * co;
  const u = new Float64Array(n * n);
  const t = new Float64Array(3 * n); // Gt dU: 3 x n
  const w = new Float64Array(9);
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < n * n; k++) u[k] = heap[uIndex + k * plane + p];
    for (let j = 0; j < n; j++) transposedFilterColumn(tile, u, j, n, t, j, n);
    for (let a = 0; a < 3; a++) transposedFilterColumn(tile, t, n * a, 1, w, 3 * a, 1);
    for (let tap = 0; tap < 9; tap++) heap[wIndex + tap * plane + p] = w[tap];
  }
}

