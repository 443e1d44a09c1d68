/**
 * Data-parallel training on worker threads. Each worker holds a replica of the model; the optimizer's
 * state is one, in shared memory (./sharedRmsprop.ts). A step: each worker computes the gradients of its
 * shard of the batch (scaled by the whole batch size), the workers sum them in a fixed order in shared
 * memory (./gradientExchange.ts), each updates its slice of the weights, and every worker copies the new
 * weights into its replica, so the replicas stay identical and the result does not depend on the number
 * of workers beyond float rounding. This thread only hands out the shards (the images' bytes and
 * augmentation maps: each worker makes its own shard's pixels) and adds up the losses: no gradient and no
 * augmentation passes through it.
 */
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../../shared/trainerProtocol';
import type { BackendRequest } from '../../shared/backends';
import type { ModelOptions } from '../model/buildModel';
import { slicePixels, type BatchPixels } from './devicePixels';
import { UserError, type UserErrorCode } from '../util/errors';
import { shardRanges, type BatchInput, type StepResult, type TrainingEngine, type TrainingState } from './trainingEngine';
import { createExchangeBuffer, EXCHANGE_ABORTED, GradientExchange } from './gradientExchange';
import { createOptimizerBuffer } from './sharedRmsprop';
import type { OptimizerSettings, OptimizerState } from './trainingCore';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };

/** One worker thread with request/reply bookkeeping. */
class TrainingWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitError: Error | null = null;

  constructor(script: string, name: string, onExit: () => void) {
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
      onExit();
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
  /** A resumed run's optimizer state (the shared optimizer starts from it). */
  initialOptimizer?: OptimizerState;
  /** The bundled worker entry (dist/trainer/trainingWorker.js). */
  workerScript: string;
}

/** The first failure of a step: a worker's own, rather than the others' "another worker failed". */
function firstCause(settled: PromiseSettledResult<unknown>[]): unknown {
  const reasons = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  return reasons.find((r) => !(r instanceof Error && r.message.endsWith(EXCHANGE_ABORTED))) ?? reasons[0];
}

export class WorkerPoolEngine implements TrainingEngine {
  /** Each worker augments its own shard: with many cores, one thread augmenting every batch would hold them all up. */
  readonly makesPixels = true;

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
    const count = Math.max(1, options.workers);
    // Set once the buffer exists: a worker that exits wakes the others out of the exchange with an error.
    let exchange: GradientExchange | undefined;
    const pool = Array.from({ length: count }, (_, i) => new TrainingWorker(options.workerScript, `training-worker-${i + 1}`, () => exchange?.abort()));
    try {
      const replies = await Promise.all(
        pool.map((worker) =>
          worker.request<'ready'>({
            type: 'init',
            backend: options.backend,
            model: options.model,
            optimizer: options.optimizer,
            weights: options.initialWeights,
          }),
        ),
      );
      const shape = { workers: count, floats: replies[0].gradientFloats };
      const buffer = createExchangeBuffer(shape);
      const optimizerBuffer = createOptimizerBuffer(shape.floats);
      exchange = new GradientExchange({ ...shape, buffer });
      // Worker 0 fills the shared optimizer: only it needs a resumed run's state.
      await Promise.all(
        pool.map((worker, index) =>
          worker.request<'joined'>({ type: 'exchange', buffer, optimizerBuffer, index, workers: count, optimizerState: index === 0 ? options.initialOptimizer : undefined }),
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
    const ranges = shardRanges(batch.size, this.pool.length);
    // Every worker takes part in the exchange: those past the batch's last image get an empty shard.
    const settled = await Promise.allSettled(
      this.pool.map((worker, i) => {
        const [start, end] = ranges[i] ?? [batch.size, batch.size];
        const { pixels, transfer } = slicePixels(batch.pixels, { start, end, pixelsPerImage: this.pixelsPerImage });
        const shard = { pixels, labels: batch.labels.slice(start, end), size: end - start, seeds: batch.seeds.slice(start, end), batchSize: batch.size };
        return worker.request<'stepped'>({ type: 'step', shard }, transfer);
      }),
    );
    if (settled.some((s) => s.status === 'rejected')) throw firstCause(settled);
    const replies = settled.map((s) => (s as PromiseFulfilledResult<Extract<WorkerReply, { type: 'stepped' }>>).value);
    return {
      lossSum: replies.reduce((sum, r) => sum + r.lossSum, 0),
      correct: replies.reduce((sum, r) => sum + r.correct, 0),
    };
  }

  async predict(input: { pixels: BatchPixels; size: number }): Promise<Float32Array> {
    const ranges = shardRanges(input.size, this.pool.length);
    const parts = await Promise.all(
      ranges.map(([start, end], i) => {
        const { pixels, transfer } = slicePixels(input.pixels, { start, end, pixelsPerImage: this.pixelsPerImage });
        return this.pool[i].request<'predictions'>({ type: 'predict', pixels, size: end - start }, transfer);
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
    return (await this.pool[0].request<'weights'>({ type: 'weights' })).weights;
  }

  async getTrainingState(): Promise<TrainingState> {
    const reply = await this.pool[0].request<'state'>({ type: 'state' });
    return { weights: reply.weights, optimizer: reply.optimizer };
  }

  async liveTensors(): Promise<number[]> {
    const replies = await Promise.all(this.pool.map((worker) => worker.request<'memory'>({ type: 'memory' })));
    return replies.map((reply) => reply.numTensors);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.pool.map((w) => w.terminate()));
  }
}
