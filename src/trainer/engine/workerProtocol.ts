/**
 * Messages between the trainer's main thread and its training workers (worker_threads).
 * Requests carry an `id`; each gets exactly one reply with the same id.
 */
import type { BackendRequest } from '../../shared/backends';
import type { ModelOptions } from '../model/buildModel';
import type { BackendName } from '../../shared/trainerProtocol';
import type { BatchPixels } from './devicePixels';
import type { OptimizerSettings, OptimizerState, ShardInput } from './trainingCore';

export interface InitRequest {
  type: 'init';
  id: number;
  backend: BackendRequest;
  model: ModelOptions;
  optimizer: OptimizerSettings;
  weights: Float32Array[];
}

/**
 * Joins the gradient exchange (./gradientExchange.ts) as worker `index` of `workers` and the shared optimizer
 * (./sharedRmsprop.ts), after init. Worker 0 fills the optimizer's buffer with its replica's weights and
 * `optimizerState` (a resumed run's) or zeros.
 */
export interface ExchangeRequest {
  type: 'exchange';
  id: number;
  buffer: SharedArrayBuffer;
  optimizerBuffer: SharedArrayBuffer;
  index: number;
  workers: number;
  optimizerState?: OptimizerState;
}

/** One training step: this worker's shard's gradients, summed with the other workers' through the exchange; this worker updates its slice of the weights, then copies them all. */
export interface StepRequest {
  type: 'step';
  id: number;
  shard: ShardInput;
}

export interface PredictRequest {
  type: 'predict';
  id: number;
  /** Float pixels, or bytes (and maps) that the worker makes into pixels. */
  pixels: BatchPixels;
  size: number;
}

export interface WeightsRequest {
  type: 'weights';
  id: number;
}

export interface StateRequest {
  type: 'state';
  id: number;
}

/** How many tensors the replica holds (diagnosis). */
export interface MemoryRequest {
  type: 'memory';
  id: number;
}

export type WorkerRequest = InitRequest | ExchangeRequest | StepRequest | PredictRequest | WeightsRequest | StateRequest | MemoryRequest;

export type WorkerReply =
  /** `gradientFloats`: the size of one shard's gradients, all trainable variables together. */
  | { type: 'ready'; id: number; backend: BackendName; detail: string; gradientFloats: number }
  | { type: 'joined'; id: number }
  /** The shard's loss sum and correct count, sent once the summed gradients are applied. */
  | { type: 'stepped'; id: number; lossSum: number; correct: number }
  | { type: 'predictions'; id: number; outputs: Float32Array }
  | { type: 'weights'; id: number; weights: Float32Array[] }
  | { type: 'state'; id: number; weights: Float32Array[]; optimizer: OptimizerState }
  | { type: 'memory'; id: number; numTensors: number }
  | { type: 'failed'; id: number; message: string; code?: string };
