/**
 * Memory after an epoch, for the memory test and for diagnosing a leak (SMALL_CONVNET_DEBUG_MEMORY=1):
 * live tensors on this thread and in each training replica, and the process' resident and heap memory.
 * Logged on stderr as one line: `[debug-memory] {"epoch":3,...}`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingEngine } from '../engine/trainingEngine';

export const DEBUG_MEMORY_ENV = 'SMALL_CONVNET_DEBUG_MEMORY';
export const DEBUG_MEMORY_PREFIX = '[debug-memory] ';

export interface MemoryReport {
  epoch: number;
  /** tf.memory().numTensors on the main thread (the host model, checkpoints). */
  mainTensors: number;
  /** Live tensors in each training replica (worker threads), or [] when the engine cannot tell. */
  engineTensors: number[];
  rssBytes: number;
  heapUsedBytes: number;
  /** Memory of ArrayBuffers and other objects outside this thread's JavaScript heap. */
  externalBytes: number;
}

/** Collects garbage first when Node runs with --expose-gc (the memory test does), so the figures are steadier. */
export function collectGarbageIfExposed(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export async function memoryReport(options: { engine: TrainingEngine; epoch: number }): Promise<MemoryReport> {
  const engineTensors = (await options.engine.liveTensors?.()) ?? [];
  collectGarbageIfExposed();
  const usage = process.memoryUsage();
  return { epoch: options.epoch, mainTensors: tf.memory().numTensors, engineTensors, rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
}

export function formatMemoryReport(report: MemoryReport): string {
  return DEBUG_MEMORY_PREFIX + JSON.stringify(report);
}
