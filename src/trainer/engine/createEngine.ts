/**
 * Chooses the backend and starts the engine for it: native TensorFlow (its own thread pool) and WebGPU
 * (the GPU) train on this thread, which prepares the next batch while the step runs; wasm and cpu
 * train in a pool of worker threads, one per core by default, while this thread prepares the next batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { BackendName } from '../../shared/backends';
import type { BackendChoice } from '../backend/selectBackend';
import { buildModel, type ModelOptions } from '../model/buildModel';
import { setModelWeights } from '../model/modelWeights';
import { TrainingCore, type OptimizerSettings } from './trainingCore';
import { LocalEngine, type TrainingEngine, type TrainingState } from './trainingEngine';
import { WorkerPoolEngine } from './workerPoolEngine';

export interface EngineOptions {
  /** The backend chosen by selectBackend (on this thread). */
  choice: BackendChoice;
  /** Worker threads for wasm/cpu; default: one per core (at most 8). */
  workers?: number;
  model: ModelOptions;
  optimizer: OptimizerSettings;
  /** Default: trainingWorker.js beside this bundle. */
  workerScript?: string;
  /** A resumed run's weights and optimizer state (default: fresh initial weights from the seed). */
  initialState?: TrainingState;
}

export interface StartedEngine {
  engine: TrainingEngine;
  choice: BackendChoice;
  /** A model on this thread with the initial weights: for the summary and for saving checkpoints. */
  hostModel: tfl.LayersModel;
  /** Stops the engine and frees the host model (which, on the main-thread engines, is the engine's own). */
  dispose(): Promise<void>;
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** Backends that train one replica on the main thread: native TensorFlow and WebGPU parallelise each step themselves. */
export function trainsOnMainThread(backend: BackendName): boolean {
  return backend === 'tensorflow' || backend === 'tensorflow-gpu' || backend === 'webgpu';
}

/** How many model replicas train: one per worker thread for wasm and cpu, one for native TensorFlow and WebGPU. */
export function replicaCount(options: { backend: BackendName; workers: number | undefined }): number {
  if (trainsOnMainThread(options.backend)) return 1;
  return Math.max(1, options.workers ?? defaultWorkerCount());
}

export async function createEngine(options: EngineOptions): Promise<StartedEngine> {
  const { choice } = options;
  if (trainsOnMainThread(choice.backend)) {
    const core = new TrainingCore({ model: options.model, optimizer: options.optimizer, weights: options.initialState?.weights });
    if (options.initialState) await core.setOptimizerState(options.initialState.optimizer);
    const engine = new LocalEngine(choice.backend, core);
    return { engine, choice, hostModel: core.model, dispose: () => engine.dispose() };
  }
  // This thread only keeps a copy of the model for the summary and checkpoints: cpu will do.
  await tf.setBackend('cpu');
  const hostModel = buildModel(options.model);
  if (options.initialState) setModelWeights(hostModel, options.initialState.weights);
  const engine = await WorkerPoolEngine.start({
    workers: options.workers ?? defaultWorkerCount(),
    backend: choice.backend,
    model: options.model,
    optimizer: options.optimizer,
    initialWeights: hostModel.getWeights().map((w) => w.dataSync() as Float32Array),
    initialOptimizer: options.initialState?.optimizer,
    workerScript: options.workerScript ?? join(__dirname, 'trainingWorker.js'),
  });
  const threads = `${engine.workers} worker thread${engine.workers === 1 ? '' : 's'}`;
  const dispose = async () => {
    await engine.dispose();
    hostModel.dispose();
  };
  return { engine, choice: { ...choice, detail: `${choice.detail}, ${threads}` }, hostModel, dispose };
}
