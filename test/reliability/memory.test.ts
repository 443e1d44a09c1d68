/**
 * Memory stays flat over a long run (issue 5): the real trainer trains 20 short epochs with two worker
 * threads and reports, after every epoch, its live tensors (main thread and each replica), its JavaScript
 * heap, its memory outside the heap and its resident set (SMALL_CONVNET_DEBUG_MEMORY=1, with --expose-gc so
 * each figure is taken after a garbage collection; src/trainer/train/memoryReport.ts). Tensors must not
 * change at all from epoch to epoch; the heap and the resident set must not grow over the last epochs beyond
 * the allocators' noise.
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

it(`20 epochs: live tensors constant, heap and RSS do not grow`, async (t) => {
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

  // The rest after a garbage collection. The main thread's heap: median of epochs 16-20 against 6-10. The resident
  // set grows while the replicas' WebAssembly memories and heaps settle (about 10 epochs), then stays: median of
  // epochs 16-20 against 11-15. Memory outside the heap varies with the batches in flight: reported only.
  const growth = (pick: (r: MemoryReport) => number, from: number) =>
    over({ reports, pick, from: 16, to: 20, of: median }) - over({ reports, pick, from, to: from + 4, of: median });
  const heap = growth((r) => r.heapUsedBytes, 6);
  const rss = growth((r) => r.rssBytes, 11);
  const external = growth((r) => r.externalBytes, 11);
  t.diagnostic(`growth to epochs 16-20: heap ${(heap / MB).toFixed(2)} MB (from 6-10), rss ${(rss / MB).toFixed(1)} MB, outside heap ${(external / MB).toFixed(1)} MB (from 11-15)`);
  assert.ok(heap < 4 * MB, `the main thread's heap grew by ${(heap / MB).toFixed(1)} MB in 10 epochs`);
  assert.ok(rss < 24 * MB, `the resident set grew by ${(rss / MB).toFixed(0)} MB in 5 epochs`);
});
