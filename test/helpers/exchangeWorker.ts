/**
 * A worker thread for test/unit/gradientExchange.test.ts: joins the exchange given in workerData and, per
 * message, writes the gradients it is sent to its slot and calls reduceScatter (or fails first, when told to), replying with the
 * sums, the slice it was given to apply and what that slice held then, or the error's message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GradientExchange } from '../../src/trainer/engine/gradientExchange';
import { splitViews } from '../../src/trainer/engine/sharedRmsprop';

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
    // What the training worker does: its gradients into its slot (zeros without images), then the sum.
    const slot = exchange.slot();
    if (step.gradients === null) slot.fill(0);
    else slot.set(Float32Array.from(step.gradients.flatMap((g) => Array.from(g))));
    let applied = { start: 0, end: 0, values: new Float32Array(0) };
    exchange.reduceScatter((sum, start, end) => (applied = { start, end, values: sum.slice(start, end) }));
    parentPort?.postMessage({ sums: splitViews(exchange.totalCopy(), data.sizes), applied } satisfies ExchangeWorkerReply);
  } catch (error) {
    parentPort?.postMessage({ error: (error as Error).message } satisfies ExchangeWorkerReply);
  }
});
