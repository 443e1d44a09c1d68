/**
 * Issue 15, item 7: `evaluate` (or `predict`) on a run that trains. The trainer saves a newer checkpoint, moves
 * best.json to it and deletes the older one; a load that started on the older one failed with ENOENT 2 times in
 * 10. loadCheckpoint follows best.json to the newer checkpoint; a failure with best.json unchanged is reported.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type * as tfl from '@tensorflow/tfjs-layers';
import { BEST_FILE, type CheckpointMetadata } from '../../src/shared/runFiles';
import { seedSettings } from '../../src/shared/recipes';
import { loadCheckpoint } from '../../src/trainer/train/checkpointStore';

const root = mkdtempSync(join(tmpdir(), 'sc-load-race-'));
after(() => rmSync(root, { recursive: true, force: true }));

function metadata(epoch: number): CheckpointMetadata {
  const settings = seedSettings('scratch');
  return {
    version: 1,
    runId: 'run',
    checkpoint: `checkpoints/epoch-000${epoch}`,
    epoch,
    monitor: 'val_loss',
    logs: { loss: 0.6, accuracy: 0.6, val_loss: 0.7 - epoch / 100, val_accuracy: 0.5 },
    recipe: 'scratch',
    settings,
    imageSize: settings.imageSize,
    classes: ['cat', 'dog'],
    manifestId: null,
    savedAt: '2026-12-06T00:00:00.000Z',
  };
}

function runFolder(name: string): string {
  const runDir = join(root, name);
  for (const epoch of [1, 2]) mkdirSync(join(runDir, 'checkpoints', `epoch-000${epoch}`), { recursive: true });
  writeFileSync(join(runDir, BEST_FILE), JSON.stringify(metadata(1)));
  return runDir;
}

const model = { name: 'loaded' } as unknown as tfl.LayersModel;

test('best.json moves on while the older checkpoint loads (and is deleted): the newer checkpoint is loaded', async () => {
  const runDir = runFolder('moving');
  const tried: string[] = [];
  const loaded = await loadCheckpoint({
    target: runDir,
    loadModel: async (dir) => {
      tried.push(dir);
      if (tried.length === 1) {
        // The training run, meanwhile: epoch 2 is better, best.json names it, epoch 1 is deleted.
        writeFileSync(join(runDir, BEST_FILE), JSON.stringify(metadata(2)));
        rmSync(join(runDir, 'checkpoints', 'epoch-0001'), { recursive: true });
        throw new Error(`ENOENT: no such file or directory, open '${join(dir, 'model.json')}'`);
      }
      return model;
    },
  });
  assert.deepEqual(tried, [join(runDir, 'checkpoints', 'epoch-0001'), join(runDir, 'checkpoints', 'epoch-0002')]);
  assert.equal(loaded.dir, join(runDir, 'checkpoints', 'epoch-0002'));
  assert.equal(loaded.metadata.epoch, 2);
  assert.equal(loaded.model, model);
});

test('a checkpoint that fails to load while best.json stays: the error is reported, not retried', async () => {
  const runDir = runFolder('broken');
  let calls = 0;
  await assert.rejects(
    loadCheckpoint({
      target: runDir,
      loadModel: async (dir) => {
        calls++;
        throw new Error(`Cannot load the checkpoint in ${dir}: damaged`);
      },
    }),
    /Cannot load the checkpoint in .*epoch-0001: damaged/,
  );
  assert.equal(calls, 1);
});
