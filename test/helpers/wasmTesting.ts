/** Helpers for tests of this project's kernels on the wasm backend. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';

export type Shape = number[];
export type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

/** One forward convolution to compare against the cpu backend. */
export interface ConvForwardCase {
  name: string;
  x: Shape;
  filter: Shape;
  strides: number | [number, number];
  pad: Pad;
  dilations?: number;
}

/** The parts of the WebAssembly JS API the module tests use (the project's TypeScript libs do not declare it). */
export interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: { new (bytes: Uint8Array): object; exports(module: object): { name: string; kind: string }[] };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Runs `fn` once to warm up, then three times: tensors and wasm data ids must not grow. */
export async function assertNoLeak(fn: () => void): Promise<void> {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  tf.tidy(fn);
  const tensors = tf.memory().numTensors;
  const dataIds = backend.numDataIds();
  for (let i = 0; i < 3; i++) tf.tidy(fn);
  assert.equal(tf.memory().numTensors, tensors, 'tensors');
  assert.equal(backend.numDataIds(), dataIds, 'backend data ids');
}

/** The console.warn calls made while `fn` runs (e.g. tfjs' "kernel already registered"). */
export function warningsDuring(fn: () => void): unknown[][] {
  const warnings: unknown[][] = [];
  const originalWarn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args);
  try {
    fn();
  } finally {
    console.warn = originalWarn;
  }
  return warnings;
}
