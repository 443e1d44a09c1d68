/**
 * How the training workers sum their shards' gradients without the main thread: in one SharedArrayBuffer, each
 * worker writes its gradients (all variables, concatenated, straight from its backend) to its own slot; after a
 * barrier, each sums one contiguous slice of every slot, in worker order, into the shared total (a
 * reduce-scatter: every worker adds 1/n of the floats, so the sum does not grow with the worker count) and
 * applies the optimizer's update to that slice (./sharedRmsprop.ts); after a second barrier, every weight is
 * updated. Every float of the total is slot 0 + slot 1 + ... rounded to float32 after each add, the order the
 * main thread used to add them in, so the result does not depend on which worker sums which slice.
 *
 * Layout: a control block of Int32 [arrived, generation, aborted, pad], then `workers` slots of `floats`
 * float32 each, then the total (`floats`). A worker that fails calls abort(), which wakes the others out of
 * the barrier with an error instead of leaving them waiting; so does the main thread when a worker exits.
 */

const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;
const CONTROL_BYTES = 16;
/** How often a waiting worker looks at the aborted flag even without a wake-up (a missed notify costs this much). */
const WAIT_SLICE_MS = 1000;

export interface ExchangeShape {
  workers: number;
  /** Floats of one shard's gradients: all trainable variables' sizes added. */
  floats: number;
}

/** The buffer every worker and the main thread share. */
export function createExchangeBuffer(shape: ExchangeShape): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES + (shape.workers + 1) * shape.floats * 4);
}

/** The floats [start, end) of the total that worker `index` of `workers` sums. */
export function sliceOf(options: { index: number; workers: number; floats: number }): [number, number] {
  const { index, workers, floats } = options;
  const per = Math.ceil(floats / workers);
  return [Math.min(floats, index * per), Math.min(floats, (index + 1) * per)];
}

export const EXCHANGE_ABORTED = 'another training worker failed during this step';

export class ExchangeAbortedError extends Error {
  constructor() {
    super(EXCHANGE_ABORTED);
    this.name = 'ExchangeAbortedError';
  }
}

/**
 * A view of the shared buffer: a worker's (`index` set) for its slot and reduceScatter, or the main thread's,
 * to abort.
 */
export class GradientExchange {
  private readonly control: Int32Array;
  private readonly slots: Float32Array[];
  private readonly total: Float32Array;

  constructor(private readonly options: ExchangeShape & { buffer: SharedArrayBuffer; index?: number }) {
    const { buffer, workers, floats } = options;
    if (buffer.byteLength !== CONTROL_BYTES + (workers + 1) * floats * 4) {
      throw new Error(`gradient exchange: a buffer of ${buffer.byteLength} bytes does not hold ${workers} slots of ${floats} floats`);
    }
    this.control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.slots = Array.from({ length: workers }, (_, i) => new Float32Array(buffer, CONTROL_BYTES + i * floats * 4, floats));
    this.total = new Float32Array(buffer, CONTROL_BYTES + workers * floats * 4, floats);
  }

  /** This worker's slot: its shard's gradients go here (zeros for a worker without images) before reduceScatter. */
  slot(): Float32Array {
    return this.slots[this.workerIndex()];
  }

  /**
   * Once this worker's slot holds its gradients: sums this worker's slice [start, end) of every slot into the
   * total and hands it to `apply` (its share of the optimizer's update: ./sharedRmsprop.ts). Returns once every
   * worker has applied its own; throws ExchangeAbortedError if one failed.
   */
  reduceScatter(apply: (sum: Float32Array, start: number, end: number) => void): void {
    const { workers, floats } = this.options;
    const index = this.workerIndex();
    this.barrier();
    const [start, end] = sliceOf({ index, workers, floats });
    const total = this.total;
    total.set(this.slots[0].subarray(start, end), start);
    for (let w = 1; w < workers; w++) {
      const s = this.slots[w];
      for (let j = start; j < end; j++) total[j] += s[j];
    }
    apply(total, start, end);
    this.barrier();
  }

  /** A copy of the last step's summed gradients (between reduceScatter's return and the next step). */
  totalCopy(): Float32Array {
    return this.total.slice();
  }

  private workerIndex(): number {
    const { index } = this.options;
    if (index === undefined) throw new Error('gradient exchange: slots and sums are for workers (no index given)');
    return index;
  }

  /** Wakes every worker waiting in reduceScatter with an error; later calls fail at once. */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.notify(this.control, GENERATION);
  }

  private barrier(): void {
    const c = this.control;
    if (Atomics.load(c, ABORTED) !== 0) throw new ExchangeAbortedError();
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, ARRIVED, 1) === this.options.workers - 1) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    while (Atomics.load(c, GENERATION) === generation) {
      if (Atomics.load(c, ABORTED) !== 0) throw new ExchangeAbortedError();
      Atomics.wait(c, GENERATION, generation, WAIT_SLICE_MS);
    }
  }
}
