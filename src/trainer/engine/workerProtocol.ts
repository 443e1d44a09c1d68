/**
 * Messages between the trainer's main thread and its training workers (worker_threads).
 * Requests carry an `id`; each gets exactly one reply with the same id.
 */
import type { BackendRequest } from '../../shared/backends';
import type { ModelOptions } from '../model/buildModel';
import type { BackendName } from '../../shared/trainerProtocol';
import type { OptimizerSettings, OptimizerState, ShardGradients, ShardInput } from './trainingCore';

export interface InitRequest {
  type: 'init';
  id: number;
  backend: BackendRequest;
  model: ModelOptions;
  optimizer: OptimizerSettings;
  weights: Float32Array[];
  /** A resumed run's optimizer state. */
  optimizerState?: OptimizerState;
}

export interface GradientsRequest {
  type: 'gradients';
  id: number;
  shard: ShardInput;
}

export interface ApplyRequest {
  type: 'apply';
  id: number;
  gradients: Float32Array[];
}

export interface PredictRequest {
  type: 'predict';
  id: number;
  pixels: Float32Array;
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

export type WorkerRequest = InitRequest | GradientsRequest | ApplyRequest | PredictRequest | WeightsRequest | StateRequest | MemoryRequest;

export type WorkerReply =
  | { type: 'ready'; id: number; backend: BackendName; detail: string }
  | { type: 'gradients'; id: number; result: ShardGradients }
  | { type: 'applied'; id: number }
  | { type: 'predictions'; id: number; outputs: Float32Array }
  | { type: 'weights'; id: number; weights: Float32Array[] }
  | { type: 'state'; id: number; weights: Float32Array[]; optimizer: OptimizerState }
  | { type: 'memory'; id: number; numTensors: number }
  | { type: 'failed'; id: number; message: string; code?: string };
