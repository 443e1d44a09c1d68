/**
 * The bench's shard table (issue 18 item 5, the part one core can measure): what one worker of a pool of N
 * computes per step, on one thread, as the worker does it (../engine/trainingWorker.ts): a shard of batch/N
 * images made from their bytes and augmentation maps, its gradients, its 1/N of the RMSprop update in the
 * shared state, and the copy of all the weights into its replica. With N workers on N cores that do not slow
 * each other, a step takes about this worker's time plus the gradient sum (the exchange's adds and barriers), so
 * the column "ideal speed-up" is the most N cores can give; the shards shrink as N grows, and this shows what
 * small shards cost per image. A pool on N real cores is the measurement; this is its ceiling.
 */
import { SEED_AUGMENTATION } from '../data/augmentation';
import { exampleSeeds } from '../engine/dropoutMask';
import { sliceOf } from '../engine/gradientExchange';
import { createOptimizerBuffer, SharedRmsprop } from '../engine/sharedRmsprop';
import { TrainingCore } from '../engine/trainingCore';
import type { ModelOptions } from '../model/buildModel';
import { gatherBatch, type LabeledImages } from '../train/batches';
import { medianMs } from './timing';

export interface ShardRow {
  workers: number;
  shard: number;
  stepMs: number;
}

/** One worker's step for pools of each size in `workers` (the backend current on this thread; the batch divisible by each). */
export async function measureShards(options: { model: ModelOptions; data: LabeledImages; batch: number; workers: number[]; repeats: number }): Promise<ShardRow[]> {
  const { model, data, batch } = options;
  const core = new TrainingCore({ model, optimizer: { learningRate: 1e-3 } });
  const sizes = core.gradientSizes;
  const floats = core.gradientFloats;
  const optimizer = new SharedRmsprop({ buffer: createOptimizerBuffer(floats), sizes, learningRate: 1e-3 });
  optimizer.initialize(core.trainableValues());
  const slot = new Float32Array(new SharedArrayBuffer(floats * 4));
  try {
    const rows: ShardRow[] = [];
    for (const workers of options.workers) {
      const shard = batch / workers;
      const made = gatherBatch({ data, indices: [...Array(shard).keys()], augmentation: SEED_AUGMENTATION, augmentationSeed: workers });
      const seeds = exampleSeeds({ seed: 1, epoch: 1, batch: workers, size: shard });
      const step = async () => {
        await core.computeGradientsInto({ pixels: made.pixels, labels: made.labels, size: shard, seeds, batchSize: batch }, slot);
        // This worker's slice of the update, as if its gradients were the pool's sum.
        const [start, end] = sliceOf({ index: 0, workers, floats });
        optimizer.update(slot, start, end);
        core.setTrainableValues(optimizer.weights());
      };
      // Two warm-up steps: the first shard size also warms the replica (its first steps run slower).
      for (let w = 0; w < 2; w++) await step();
      rows.push({ workers, shard, stepMs: await medianMs(step, options.repeats) });
    }
    return rows;
  } finally {
    core.dispose();
  }
}

/** The table's lines: per pool size, one worker's step, per image, and the ideal speed-up over one worker. */
export function shardTable(rows: ShardRow[]): string[] {
  const one = rows.find((r) => r.workers === 1);
  const lines = [
    `one worker's step by pool size, 1 thread (its shard of the batch augmented from bytes and maps, its gradients, its 1/N of the update, the weights copied in):`,
    `  ${'workers'.padStart(7)} ${'shard'.padStart(5)} ${'step'.padStart(9)} ${'per image'.padStart(10)} ${'ideal speed-up'.padStart(15)}`,
  ];
  for (const row of rows) {
    const speedUp = one ? `${(one.stepMs / row.stepMs).toFixed(2)}x of ${row.workers}` : 'n/a';
    lines.push(`  ${String(row.workers).padStart(7)} ${String(row.shard).padStart(5)} ${`${row.stepMs.toFixed(0)} ms`.padStart(9)} ${`${(row.stepMs / row.shard).toFixed(1)} ms`.padStart(10)} ${speedUp.padStart(15)}`);
  }
  lines.push('  (the most N cores can give, if they do not slow each other; the gradient sum and its barriers come on top)');
  return lines;
}
