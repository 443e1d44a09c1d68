/**
 * The training workers' gradient sum in shared memory (src/trainer/engine/gradientExchange.ts), with real worker
 * threads (test/helpers/exchangeWorker.ts): every worker gets the same total, bit for bit the sum in worker
 * order that the main thread used to compute, and applies its own slice of it once that slice is summed; a worker without images adds zeros; a failure wakes the workers
 * waiting in the barrier with an error instead of leaving them blocked.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createExchangeBuffer, EXCHANGE_ABORTED, GradientExchange, sliceOf } from '../../src/trainer/engine/gradientExchange';
import { Rng } from '../../src/trainer/util/rng';
import type { ExchangeWorkerReply, ExchangeWorkerStep } from '../helpers/exchangeWorker';
import { until } from '../helpers/until';

const WORKER = join(__dirname, '..', 'helpers', 'exchangeWorker.ts');

function startWorkers(options: { workers: number; sizes: number[] }) {
  const { workers, sizes } = options;
  const floats = sizes.reduce((n, s) => n + s, 0);
  const buffer = createExchangeBuffer({ workers, floats });
  const threads = Array.from(
    { length: workers },
    (_, index) => new Worker(`require('tsx/cjs'); require(${JSON.stringify(WORKER)});`, { eval: true, workerData: { buffer, workers, index, sizes } }),
  );
  const reply = (thread: Worker) =>
    new Promise<ExchangeWorkerReply>((resolve, reject) => {
      thread.once('message', resolve);
      thread.once('error', reject);
    });
  return {
    buffer,
    /** Sends each worker its step (undefined: none) and resolves with the replies of those that got one. */
    step: (steps: (ExchangeWorkerStep | undefined)[]) =>
      Promise.all(
        threads.flatMap((thread, i) => {
          const step = steps[i];
          if (step === undefined) return [];
          const replied = reply(thread);
          thread.postMessage(step);
          return [replied];
        }),
      ),
    /** The main thread's view (what WorkerPoolEngine holds, to abort when a worker exits). */
    main: new GradientExchange({ buffer, workers, floats }),
    close: () => Promise.all(threads.map((thread) => thread.terminate())),
  };
}

/** Random gradients, large and small; with `worker` < 3, each variable's first float is 1, 1e8 or -1e8, whose sum depends on the order. */
function gradientsOf(sizes: number[], seed: number, worker?: number): Float32Array[] {
  const rng = new Rng(seed);
  return sizes.map((size) => {
    const values = Float32Array.from({ length: size }, () => (rng.int(2) === 0 ? 1e8 : 1) * (rng.int(2000) - 1000) * 1.37e-3);
    if (worker !== undefined) values[0] = [1, 1e8, -1e8][worker];
    return values;
  });
}

/** What the main thread computed before: slot 0, then += slot 1, += slot 2 ..., in float32. */
function sumInOrder(perWorker: Float32Array[][]): Float32Array[] {
  return perWorker[0].map((first, v) => {
    const total = new Float32Array(first);
    for (const other of perWorker.slice(1)) for (let j = 0; j < total.length; j++) total[j] += other[v][j];
    return total;
  });
}

test('sliceOf: the workers sum contiguous slices that cover every float exactly once', () => {
  for (const floats of [0, 1, 5, 16, 991_041]) {
    for (let workers = 1; workers <= 17; workers++) {
      const slices = Array.from({ length: workers }, (_, index) => sliceOf({ index, workers, floats }));
      let next = 0;
      for (const [start, end] of slices) {
        assert.equal(start, next, `${workers} workers, ${floats} floats: slices ${JSON.stringify(slices)}`);
        assert.ok(end >= start);
        next = end;
      }
      assert.equal(next, floats);
    }
  }
});

test('three workers get the same total, bit for bit the sum in worker order, step after step; each applies its slice of it', async () => {
  const sizes = [5, 3, 7];
  const pool = startWorkers({ workers: 3, sizes });
  try {
    for (let step = 0; step < 3; step++) {
      const inputs = [0, 1, 2].map((w) => gradientsOf(sizes, 10 * step + w, w));
      const expected = sumInOrder(inputs);
      const reversed = sumInOrder([...inputs].reverse());
      assert.ok(
        expected.some((v, i) => v.some((x, j) => x !== reversed[i][j])),
        'the inputs are such that another order of the adds gives another total (so the order is checked)',
      );
      const replies = await pool.step(inputs.map((gradients) => ({ gradients })));
      const flat = Float32Array.from(expected.flatMap((v) => Array.from(v)));
      for (const [w, reply] of replies.entries()) {
        assert.ok('sums' in reply, `worker ${w}: ${JSON.stringify(reply)}`);
        assert.deepEqual(reply.sums, expected, `worker ${w}, step ${step}`);
        // Each worker applies its own slice, already the whole sum when it gets it.
        const [start, end] = sliceOf({ index: w, workers: 3, floats: flat.length });
        assert.deepEqual(reply.applied, { start, end, values: flat.slice(start, end) });
      }
    }
  } finally {
    await pool.close();
  }
});

test('a worker without images in the batch adds zeros', async () => {
  const sizes = [4, 9];
  const pool = startWorkers({ workers: 2, sizes });
  try {
    const gradients = gradientsOf(sizes, 3);
    const replies = await pool.step([{ gradients }, { gradients: null }]);
    for (const reply of replies) assert.deepEqual('sums' in reply ? reply.sums : reply, gradients);
  } finally {
    await pool.close();
  }
});

test('a worker that fails wakes the workers waiting for it with an error; the exchange stays closed', async () => {
  const sizes = [6];
  const pool = startWorkers({ workers: 3, sizes });
  try {
    const replies = await pool.step([{ gradients: gradientsOf(sizes, 1) }, { gradients: gradientsOf(sizes, 2) }, { fail: true }]);
    assert.deepEqual(replies, [{ error: EXCHANGE_ABORTED }, { error: EXCHANGE_ABORTED }, { error: 'this worker failed' }]);
    const again = await pool.step([0, 1, 2].map((w) => ({ gradients: gradientsOf(sizes, w) })));
    assert.deepEqual(again, [0, 1, 2].map(() => ({ error: EXCHANGE_ABORTED })));
  } finally {
    await pool.close();
  }
});

test("the main thread's abort (a worker exited) wakes a worker blocked in the barrier", async () => {
  const sizes = [2, 2];
  const pool = startWorkers({ workers: 2, sizes });
  try {
    const replied = pool.step([{ gradients: gradientsOf(sizes, 1) }, undefined]);
    // The control block's first word counts the workers that reached the barrier: the first waits there.
    await until('worker 1 waiting in the barrier', () => (Atomics.load(new Int32Array(pool.buffer, 0, 4), 0) === 1 ? true : undefined));
    pool.main.abort();
    assert.deepEqual(await replied, [{ error: EXCHANGE_ABORTED }]);
  } finally {
    await pool.close();
  }
});
