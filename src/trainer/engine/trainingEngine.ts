/**
 * Where training steps run. LocalEngine: one TrainingCore on this thread (native TensorFlow, which
 * is multi-threaded itself, and WebGPU, where the GPU is the parallel part). WorkerPoolEngine (workerPoolEngine.ts): data-parallel replicas in
 * worker threads (wasm, cpu), so every core works on each step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../../shared/trainerProtocol';
import type { BatchPixels } from './devicePixels';
import { TrainingCore, type OptimizerState, type ShardInput } from './trainingCore';

export interface BatchInput {
  /** Float pixels, or bytes and augmentation maps for an engine with makesPixels. */
  pixels: BatchPixels;
  labels: Float32Array;
  size: number;
  /** Per-example seeds (dropout masks). */
  seeds: number[];
}

export interface StepResult {
  /** Sum of the per-example losses of the batch. */
  lossSum: number;
  correct: number;
}

/** Everything a resumed run needs from the engine: the weights and the optimizer's state. */
export interface TrainingState {
  weights: Float32Array[];
  optimizer: OptimizerState;
}

export interface TrainingEngine {
  readonly backend: BackendName;
  readonly workers: number;
  /**
   * True when the engine makes a batch's float pixels itself from the images' bytes and augmentation maps
   * (DevicePixels): WebGPU on its GPU, the worker pool in each worker for its shard. Then the caller sends those
   * instead of augmenting on its own thread.
   */
  readonly makesPixels: boolean;
  trainStep(batch: BatchInput): Promise<StepResult>;
  /** Model outputs in inference mode, [size * units]. */
  predict(input: { pixels: BatchPixels; size: number }): Promise<Float32Array>;
  getWeights(): Promise<Float32Array[]>;
  /** Weights and optimizer state after the last step. */
  getTrainingState(): Promise<TrainingState>;
  /** Live tensors of each replica (diagnosis: train/memoryReport.ts). */
  liveTensors?(): Promise<number[]>;
  dispose(): Promise<void>;
}

export class LocalEngine implements TrainingEngine {
  readonly workers = 1;
  readonly makesPixels: boolean;

  constructor(
    readonly backend: BackendName,
    private readonly core: TrainingCore,
  ) {
    // Native TensorFlow computes on its own threads: this one augments the next batch meanwhile.
    this.makesPixels = backend === 'webgpu';
  }

  async trainStep(batch: BatchInput): Promise<StepResult> {
    const shard: ShardInput = { ...batch, batchSize: batch.size };
    return this.core.trainStep(shard);
  }

  async predict(input: { pixels: BatchPixels; size: number }): Promise<Float32Array> {
    return this.core.predict(input);
  }

  async getWeights(): Promise<Float32Array[]> {
    return this.core.getWeights();
  }

  async getTrainingState(): Promise<TrainingState> {
    return { weights: await this.core.getWeights(), optimizer: await this.core.getOptimizerState() };
  }

  async liveTensors(): Promise<number[]> {
    return [tf.memory().numTensors];
  }

  async dispose(): Promise<void> {
    this.core.dispose();
  }
}

/** Splits `size` rows into at most `parts` contiguous shards of near-equal size: [start, end) pairs. */
export function shardRanges(size: number, parts: number): [number, number][] {
  const count = Math.max(1, Math.min(parts, size));
  const ranges: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + Math.floor(size / count) + (i < size % count ? 1 : 0);
    ranges.push([start, end]);
    start = end;
  }
  return ranges;
}
