/**
 * Following a background run's batch progress: progress.json's shape check, which files refresh the views
 * (not progress.json), and the poller against real files in a temporary folder with a short interval.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PROGRESS_FILE, type ProgressFile } from '../../src/shared/runFiles';
import { BackgroundProgress, backgroundTargets, batchEndOfProgress, newProgress, type BackgroundProgressUpdate } from '../../src/extension/runs/backgroundProgress';
import { progressFileSchema } from '../../src/shared/runFiles';
import { parse } from '../../src/shared/schema';

const isProgressFile = (value: unknown): boolean => parse(progressFileSchema, value) !== undefined;
import type { RunOnDisk } from '../../src/extension/runs/runStore';
import { refreshesViews } from '../../src/extension/views/watchedFiles';
import { untilTrue } from '../helpers/until';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'sc-bg-progress-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const progress = (fields: Partial<ProgressFile> = {}): ProgressFile => ({
  version: 1,
  runId: 'run-a',
  epoch: 2,
  epochs: 4,
  batch: 3,
  batches: 7,
  loss: 0.61,
  accuracy: 0.7,
  msPerStep: 850,
  updatedAt: '2026-01-01T00:00:02.000Z',
  ...fields,
});

test('progress.json is checked field by field; NaN metrics (null in JSON) pass as in batch-end', () => {
  assert.ok(isProgressFile(progress()));
  assert.ok(isProgressFile(JSON.parse(JSON.stringify(progress({ loss: Number.NaN })))));
  for (const bad of [
    null,
    [],
    { ...progress(), version: 2 },
    { ...progress(), runId: 7 },
    { ...progress(), epoch: '2' },
    { ...progress(), epoch: 0 },
    { ...progress(), epoch: 5 },
    { ...progress(), batch: 8 },
    { ...progress(), batch: 1.5 },
    { ...progress(), msPerStep: null },
    { ...progress(), loss: 'low' },
    { ...progress(), updatedAt: undefined },
  ]) {
    assert.equal(isProgressFile(bad), false, JSON.stringify(bad));
  }
  assert.deepEqual(batchEndOfProgress(progress()), { type: 'batch-end', epoch: 2, batch: 3, batches: 7, loss: 0.61, accuracy: 0.7, msPerStep: 850 });
});

test('the views refresh on every file of the work folder except progress.json and its temporary file', () => {
  assert.equal(refreshesViews('/w/runs/r/progress.json'), false);
  assert.equal(refreshesViews('/w/runs/r/.progress.json.tmp-4242'), false);
  for (const file of ['/w/runs/r/history.json', '/w/runs/r/run.json', '/w/runs/r/.history.json.tmp-4242', '/w/runs/r/trainer.lock', '/w/runs/r', '/w/data/progress.json.bak']) {
    assert.equal(refreshesViews(file), true, file);
  }
});

test('only new progress of the same run, in an epoch history.json does not hold yet, is reported', () => {
  const target = { runDir: '/r', runId: 'run-a', epochsDone: 1 };
  assert.deepEqual(newProgress(target, progress(), undefined), progress());
  assert.equal(newProgress(target, progress({ runId: 'run-b' }), undefined), null, 'another run (a reused folder)');
  assert.equal(newProgress({ ...target, epochsDone: 2 }, progress(), undefined), null, 'the end of a finished epoch');
  assert.equal(newProgress(target, { ...progress(), batch: 'x' }, undefined), null);
  assert.equal(newProgress(target, undefined, undefined), null, 'no file');
});

test('background targets: runs training in the background, not this window\'s, nor finished or interrupted ones', () => {
  const run = (runDir: string, status: string, alive: boolean | null) =>
    ({ runDir, record: { runId: runDir.slice(1), status }, history: { epochs: [{ epoch: 1 }] }, trainer: alive === null ? null : { pid: 1, host: 'h', since: '', alive } }) as unknown as RunOnDisk;
  const runs = [run('/bg', 'running', true), run('/here', 'running', true), run('/dead', 'running', false), run('/done', 'completed', null)];
  assert.deepEqual(backgroundTargets(runs, (dir) => dir === '/here'), [{ runDir: '/bg', runId: 'bg', epochsDone: 1 }]);
});

test('the poller reads progress.json of the runs it follows, reports each change once, and stops when none is left', async () => {
  const runDir = join(root, 'run-a');
  mkdirSync(runDir);
  const file = join(runDir, PROGRESS_FILE);
  const updates: BackgroundProgressUpdate[] = [];
  const poller = new BackgroundProgress({ onProgress: (update) => updates.push(update), intervalMs: 10 });
  writeFileSync(file, JSON.stringify(progress()));
  poller.follow([{ runDir, runId: 'run-a', epochsDone: 1 }]);
  await untilTrue('the first reading, at once', () => updates.length === 1, { timeoutMs: 5000, intervalMs: 5 });
  await poller.poll();
  assert.equal(updates.length, 1, 'an unchanged file is not reported again');
  assert.deepEqual(updates[0], { runDir, progress: progress() });

  writeFileSync(file, '{"version":1,"runId":"run-a","epo'); // torn (a hand edit; the trainer writes atomically)
  await poller.poll();
  assert.equal(updates.length, 1, 'a torn file is not reported');
  writeFileSync(file, JSON.stringify(progress({ batch: 6, updatedAt: '2026-01-01T00:00:04.000Z' })));
  await untilTrue('the next batch', () => updates.length === 2, { timeoutMs: 5000, intervalMs: 5 });
  assert.equal(updates[1].progress.batch, 6);

  // Epoch 2 ended: history.json holds it, so its last batch says nothing new.
  writeFileSync(file, JSON.stringify(progress({ batch: 7, updatedAt: '2026-01-01T00:00:05.000Z' })));
  poller.follow([{ runDir, runId: 'run-a', epochsDone: 2 }]);
  await poller.poll();
  assert.equal(updates.length, 2);

  poller.follow([]);
  writeFileSync(file, JSON.stringify(progress({ epoch: 3, batch: 1, updatedAt: '2026-01-01T00:00:07.000Z' })));
  assert.equal(poller.isScheduled, false, 'no run in the background: no polling');
  await poller.poll();
  assert.equal(updates.length, 2, 'and nothing to read');

  poller.follow([{ runDir, runId: 'run-a', epochsDone: 2 }]);
  await untilTrue('polling again once a run trains in the background', () => updates.length === 3, { timeoutMs: 5000, intervalMs: 5 });
  assert.equal(updates[2].progress.epoch, 3);
  poller.dispose();
  writeFileSync(file, JSON.stringify(progress({ epoch: 3, batch: 2, updatedAt: '2026-01-01T00:00:09.000Z' })));
  assert.equal(poller.isScheduled, false, 'disposed: no polling');
  await poller.poll();
  assert.equal(updates.length, 3, 'disposed: nothing more');
});
