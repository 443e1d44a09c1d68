/**
 * A worker thread for test/unit/gradientExchange.test.ts: joins the exchange given in workerData and, per
 * message, calls reduceScatter with the gradients it is sent (or fails first, when told to), replying with the
 * sums, the slice it was given to apply and what that slice held then, or the error's message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GradientExchange } from '../../src/trainer/engine/gradientExchange';

export interface ExchangeWorkerData {
  buffer: SharedArrayBuffer;
  workers: number;
  index: number;
  sizes: number[];
}

/** One step: this worker's gradients (null: no images this step), or `fail` to abort instead. */
export type ExchangeWorkerStep = { gradients: Float32Array[] | null } | { fail: true };

export type ExchangeWorkerReply = { sums: Float32Array[]; applied: { start: number; end: number; values: Float32Array } } | { error: string };

const data = workerData as ExchangeWorkerData;
const exchange = new GradientExchange({ ...data, floats: data.sizes.reduce((n, s) => n + s, 0) });
parentPort?.on('message', (step: ExchangeWorkerStep) => {
  try {
    if ('fail' in step) {
      exchange.abort();
      throw new Error('this worker failed');
    }
    let applied = { start: 0, end: 0, values: new Float32Array(0) };
    exchange.reduceScatter(step.gradients, (sum, start, end) => (applied = { start, end, values: sum.slice(start, end) }));
    parentPort?.postMessage({ sums: exchange.sums(), applied } satisfies ExchangeWorkerReply);
  } catch (error) {
    parentPort?.postMessage({ error: (error as Error).message } satisfies ExchangeWorkerReply);
  }
});
