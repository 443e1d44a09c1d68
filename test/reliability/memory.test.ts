/**
 * Memory stays flat over a long run (issue 5): the real trainer trains 20 short epochs with two worker
 * threads and reports, after every epoch, its live tensors (main thread and each replica), its JavaScript
 * heap, its memory outside the heap and its resident set (SMALL_CONVNET_DEBUG_MEMORY=1, with --expose-gc so
 * each figure is taken after a garbage collection; src/trainer/train/memoryReport.ts). Tensors must not
 * change at all from epoch to epoch; the other figures must not grow between the first and the last epochs
 * beyond the allocators' noise.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { DEBUG_MEMORY_ENV, DEBUG_MEMORY_PREFIX, type MemoryReport } from '../../src/trainer/train/memoryReport';
import { runTrainer } from '../helpers/runTrainer';
import { makeTinyDataset, tinyTrainOptions } from '../helpers/tinyData';

const EPOCHS = 20;
const MB = 1024 * 1024;

let root: string;
let data: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'sc-memory-'));
  data = await makeTinyDataset({ root });
});
after(() => rmSync(root, { recursive: true, force: true }));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A figure over epochs [from, to] (1-based, inclusive), summarised by `of`. */
function over(options: { reports: MemoryReport[]; pick: (r: MemoryReport) => number; from: number; to: number; of: (values: number[]) => number }): number {
  return options.of(options.reports.filter((r) => r.epoch >= options.from && r.epoch <= options.to).map(options.pick));
}

it(`20 epochs: live tensors constant, heap, outside-heap memory and RSS do not grow`, async (t) => {
  const run = await runTrainer({
    args: ['train', ...tinyTrainOptions({ data, out: join(root, 'out'), epochs: EPOCHS, workers: 2 }), '--json'],
    env: { [DEBUG_MEMORY_ENV]: '1', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() },
  });
  assert.equal(run.code, 0, run.stderr);
  const reports = run.stderr
    .split('\n')
    .filter((line) => line.startsWith(DEBUG_MEMORY_PREFIX))
    .map((line) => JSON.parse(line.slice(DEBUG_MEMORY_PREFIX.length)) as MemoryReport);
  assert.deepEqual(reports.map((r) => r.epoch), Array.from({ length: EPOCHS }, (_, i) => i + 1), 'one report per epoch');
  for (const r of reports) {
    t.diagnostic(
      `epoch ${r.epoch}: tensors ${r.mainTensors} + [${r.engineTensors.join(', ')}], heap ${(r.heapUsedBytes / MB).toFixed(1)} MB, ` +
        `outside heap ${(r.externalBytes / MB).toFixed(1)} MB, rss ${(r.rssBytes / MB).toFixed(0)} MB`,
    );
  }

  // Tensors: exactly the same after every epoch (the host model's weights; each replica's weights and optimizer slots).
  const first = reports[0];
  assert.equal(first.engineTensors.length, 2, 'two training replicas');
  assert.ok(first.mainTensors > 0 && first.engineTensors.every((n) => n > 0));
  for (const r of reports) {
    assert.equal(r.mainTensors, first.mainTensors, `main-thread tensors after epoch ${r.epoch}`);
    assert.deepEqual(r.engineTensors, first.engineTensors, `replica tensors after epoch ${r.epoch}`);
  }

  // The rest after a garbage collection, epochs 16-20 against epochs 6-10 (1-5 warm up): the median of the heap
  // and of the resident set; the floor of the memory outside the heap, which varies with the batches in flight.
  const growth = (pick: (r: MemoryReport) => number, of: (values: number[]) => number) =>
    over({ reports, pick, from: 16, to: 20, of }) - over({ reports, pick, from: 6, to: 10, of });
  const heap = growth((r) => r.heapUsedBytes, median);
  const external = growth((r) => r.externalBytes, (values) => Math.min(...values));
  const rss = growth((r) => r.rssBytes, median);
  t.diagnostic(`growth from epochs 6-10 to 16-20: heap ${(heap / MB).toFixed(2)} MB, outside heap ${(external / MB).toFixed(2)} MB, rss ${(rss / MB).toFixed(1)} MB`);
  assert.ok(heap < 4 * MB, `the main thread's heap grew by ${(heap / MB).toFixed(1)} MB in 10 epochs`);
  assert.ok(external < 16 * MB, `memory outside the heap (batches, images) grew by ${(external / MB).toFixed(1)} MB in 10 epochs`);
  // The replicas' WebAssembly memories and heaps settle over the first epochs; a leak of a batch per step would add far more.
  assert.ok(rss < 48 * MB, `the resident set grew by ${(rss / MB).toFixed(0)} MB in 10 epochs`);
});
