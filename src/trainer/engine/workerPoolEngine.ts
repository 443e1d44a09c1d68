/**
 * Data-parallel training on worker threads. Each worker holds a replica of the model and of the
 * optimizer. A step: each worker computes the gradients of its shard of the batch (scaled by the
 * whole batch size), the main thread sums them in a fixed order, and every worker applies the same
 * sum, so the replicas stay identical and the result does not depend on the number of workers
 * beyond float rounding.
 */
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../../shared/trainerProtocol';
import type { BackendRequest } from '../../shared/backends';
import type { ModelOptions } from '../model/buildModel';
import type { BatchPixels } from './devicePixels';
import { UserError, type UserErrorCode } from '../util/errors';
import { shardRanges, type BatchInput, type StepResult, type TrainingEngine, type TrainingState } from './trainingEngine';
import type { OptimizerSettings, OptimizerState, ShardGradients } from './trainingCore';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };

/** One worker thread with request/reply bookkeeping. */
class TrainingWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitError: Error | null = null;

  constructor(script: string, name: string) {
    this.worker = new Worker(script, { name, stdout: false, stderr: false });
    this.worker.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiting) return;
      if (reply.type === 'failed') {
        waiting.reject(reply.code ? new UserError(reply.code as UserErrorCode, reply.message) : new Error(`${name}: ${reply.message}`));
      } else {
        waiting.resolve(reply);
      }
    });
    const failAll = (error: Error) => {
      this.exitError = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', (error) => failAll(new Error(`${name} crashed: ${error.message}`)));
    this.worker.on('exit', (code) => failAll(new Error(`${name} exited (code ${code})`)));
  }

  request<T extends WorkerReply['type']>(message: DistributiveOmit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<Extract<WorkerReply, { type: T }>> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (reply: WorkerReply) => void, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.pending.clear();
    await this.worker.terminate();
  }
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export interface WorkerPoolOptions {
  workers: number;
  backend: BackendRequest;
  model: ModelOptions;
  optimizer: OptimizerSettings;
  initialWeights: Float32Array[];
  /** A resumed run's optimizer state (every replica gets the same). */
  initialOptimizer?: OptimizerState;
  /** The bundled worker entry (dist/trainer/trainingWorker.js). */
  workerScript: string;
}

/** Worker threads take float pixels only (this engine's pixelsOnDevice is false, so callers send them). */
function floatPixels(pixels: BatchPixels): Float32Array {
  if (!(pixels instanceof Float32Array)) throw new Error('the worker-thread engine takes float pixels, not device pixels');
  return pixels;
}

function sumInto(target: Float32Array[], source: Float32Array[]): void {
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    const s = source[i];
    for (let j = 0; j < t.length; j++) t[j] += s[j];
  }
}

export class WorkerPoolEngine implements TrainingEngine {
  readonly pixelsOnDevice = false;
  private applied: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly pool: TrainingWorker[],
    readonly backend: BackendName,
    readonly detail: string,
    private readonly pixelsPerImage: number,
  ) {}

  get workers(): number {
    return this.pool.length;
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPoolEngine> {
    const pool = Array.from({ length: Math.max(1, options.workers) }, (_, i) => new TrainingWorker(options.workerScript, `training-worker-${i + 1}`));
    try {
      const replies = await Promise.all(
        pool.map((worker) =>
          worker.request<'ready'>({
            type: 'init',
            backend: options.backend,
            model: options.model,
            optimizer: options.optimizer,
            weights: options.initialWeights,
            optimizerState: options.initialOptimizer,
          }),
        ),
      );
      const size = options.model.imageSize;
      return new WorkerPoolEngine(pool, replies[0].backend, replies[0].detail, size * size * 3);
    } catch (error) {
      await Promise.all(pool.map((w) => w.terminate()));
      throw error;
    }
  }

  async trainStep(batch: BatchInput): Promise<StepResult> {
    await this.applied;
    const ranges = shardRanges(batch.size, this.pool.length);
    const results = await Promise.all(
      ranges.map(([start, end], i) => {
        const pixels = floatPixels(batch.pixels).slice(start * this.pixelsPerImage, end * this.pixelsPerImage);
        const shard = { pixels, labels: batch.labels.slice(start, end), size: end - start, seeds: batch.seeds.slice(start, end), batchSize: batch.size };
        return this.pool[i].request<'gradients'>({ type: 'gradients', shard }, [pixels.buffer as ArrayBuffer]);
      }),
    );
    const shards: ShardGradients[] = results.map((r) => r.result);
    const total = shards[0].gradients;
    for (const shard of shards.slice(1)) sumInto(total, shard.gradients);
    // Every replica applies the same sum; the next request to a worker queues behind its apply.
    this.applied = Promise.all(this.pool.map((worker) => worker.request<'applied'>({ type: 'apply', gradients: total })));
    this.applied.catch(() => undefined);
    return {
      lossSum: shards.reduce((sum, s) => sum + s.lossSum, 0),
      correct: shards.reduce((sum, s) => sum + s.correct, 0),
    };
  }

  async predict(input: { pixels: BatchPixels; size: number }): Promise<Float32Array> {
    await this.applied;
    const ranges = shardRanges(input.size, this.pool.length);
    const parts = await Promise.all(
      ranges.map(([start, end], i) => {
        const pixels = floatPixels(input.pixels).slice(start * this.pixelsPerImage, end * this.pixelsPerImage);
        return this.pool[i].request<'predictions'>({ type: 'predict', pixels, size: end - start }, [pixels.buffer as ArrayBuffer]);
      }),
    );
    const length = parts.reduce((n, p) => n + p.outputs.length, 0);
    const outputs = new Float32Array(length);
    let offset = 0;
    for (const part of parts) {
      outputs.set(part.outputs, offset);
      offset += part.outputs.length;
    }
    return outputs;
  }

  async getWeights(): Promise<Float32Array[]> {
    await this.applied;
    return (await this.pool[0].request<'weights'>({ type: 'weights' })).weights;
  }

  async getTrainingState(): Promise<TrainingState> {
    await this.applied;
    const reply = await this.pool[0].request<'state'>({ type: 'state' });
    return { weights: reply.weights, optimizer: reply.optimizer };
  }

  async liveTensors(): Promise<number[]> {
    await this.applied;
    const replies = await Promise.all(this.pool.map((worker) => worker.request<'memory'>({ type: 'memory' })));
    return replies.map((reply) => reply.numTensors);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.pool.map((w) => w.terminate()));
  }
}
