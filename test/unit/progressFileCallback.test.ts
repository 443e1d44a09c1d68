/**
 * progress.json's writer (src/trainer/train/callbacks/progressFileCallback.ts) with an injected clock: at most one write per
 * interval inside an epoch, always the last batch of an epoch, and a write that fails does not stop anything.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROGRESS_FILE, type ProgressFile } from '../../src/shared/runFiles';
import type { BatchEndEvent } from '../../src/trainer/train/fit';
import { ProgressFileCallback } from '../../src/trainer/train/callbacks/progressFileCallback';

const batch = (epoch: number, b: number, batches = 5): BatchEndEvent => ({ epoch, batch: b, batches, loss: 0.7 - b / 100, accuracy: 0.5, msPerStep: 120 });

describe('progress.json writer', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'sc-progress-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function writer(runDir: string, clock: { ms: number }, log: string[] = []) {
    return new ProgressFileCallback({ runDir, runId: 'run-1', epochs: 3, log: (line) => log.push(line), intervalMs: 2000, now: () => clock.ms });
  }
  const read = (runDir: string) => JSON.parse(readFileSync(join(runDir, PROGRESS_FILE), 'utf8')) as ProgressFile;

  it('writes the first batch, skips batches within the interval, writes again once it has passed', () => {
    const clock = { ms: Date.UTC(2026, 0, 2, 3, 4, 5) };
    const w = writer(root, clock);
    w.onBatchEnd(batch(1, 1));
    assert.deepEqual(read(root), {
      version: 1,
      runId: 'run-1',
      epoch: 1,
      epochs: 3,
      batch: 1,
      batches: 5,
      loss: 0.69,
      accuracy: 0.5,
      msPerStep: 120,
      updatedAt: '2026-01-02T03:04:05.000Z',
    });
    clock.ms += 1999;
    w.onBatchEnd(batch(1, 2));
    assert.equal(read(root).batch, 1, 'within 2 s of the last write: skipped');
    clock.ms += 1;
    w.onBatchEnd(batch(1, 3));
    assert.equal(read(root).batch, 3, '2 s after the last write: written');
    clock.ms += 10;
    w.onBatchEnd(batch(1, 5));
    assert.deepEqual([read(root).epoch, read(root).batch], [1, 5], 'the last batch of an epoch is always written');
    clock.ms += 10;
    w.onBatchEnd(batch(2, 1));
    assert.deepEqual([read(root).epoch, read(root).batch], [1, 5], 'the next epoch waits for the interval again');
    assert.deepEqual(readdirSync(root), [PROGRESS_FILE], 'no temporary file is left');
  });

  it('a write that fails is logged once and never throws; training goes on', () => {
    const gone = join(root, 'no-such-run');
    const log: string[] = [];
    const clock = { ms: 0 };
    const w = writer(gone, clock, log);
    for (let b = 1; b <= 5; b++) {
      clock.ms += 5000;
      assert.doesNotThrow(() => w.onBatchEnd(batch(1, b)));
    }
    assert.equal(log.length, 1);
    assert.match(log[0], /^Could not write progress\.json \(batch progress for other windows; training goes on\): /);
    assert.equal(existsSync(gone), false);
  });
});
