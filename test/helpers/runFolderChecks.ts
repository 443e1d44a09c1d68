/**
 * What must hold in a run folder at every moment, whatever stopped its trainer (docs/reliability.md, Faults):
 * every file the trainer reads parses, best.json names a complete checkpoint that loads with tfjs, every
 * visible checkpoint folder is complete, and the resume state is absent or readable and consistent.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  CHECKPOINT_METADATA_FILE,
  CHECKPOINTS_DIR,
  HISTORY_FILE,
  MODEL_FILE,
  RUN_FILE,
  WEIGHTS_FILE,
  type HistoryFile,
  type RunRecord,
} from '../../src/shared/runFiles';
import { loadCheckpointModel, readBestMetadata, resolveCheckpoint } from '../../src/trainer/train/checkpointStore';
import { tempFileTarget } from '../../src/shared/tempFiles';
import { readResumeState } from '../../src/trainer/train/resumeState';
import { assertClose } from './numeric';

/** A name of a write in progress (src/shared/tempFiles.ts): hidden, never read by the trainer or the extension. */
export function isTempFileName(name: string): boolean {
  return tempFileTarget(name) !== null;
}

/** The same epochs, and the same metrics within 1e-4 (the histories of two runs that must train alike). */
export function assertSameHistory(actual: HistoryFile, expected: HistoryFile): void {
  assert.deepEqual(actual.epochs.map((e) => e.epoch), expected.epochs.map((e) => e.epoch));
  for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const) {
    assertClose({ actual: actual.history[key], expected: expected.history[key], relative: 1e-4, what: key });
  }
}

export interface RunFolderState {
  record: RunRecord;
  historyEpochs: number;
  bestEpoch: number | null;
  resumeEpoch: number | null;
  /** Leftovers of writes cut short (hidden temporary names), relative to the run folder. */
  tempFiles: string[];
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

function tempFilesIn(runDir: string): string[] {
  return ['', CHECKPOINTS_DIR].flatMap((sub) => {
    const dir = join(runDir, sub);
    return existsSync(dir) ? readdirSync(dir).filter(isTempFileName).map((name) => join(sub, name)) : [];
  });
}

export async function checkRunFolder(runDir: string): Promise<RunFolderState> {
  const record = readJson<RunRecord>(join(runDir, RUN_FILE));

  let historyEpochs = 0;
  if (existsSync(join(runDir, HISTORY_FILE))) {
    const history = readJson<HistoryFile>(join(runDir, HISTORY_FILE));
    assert.deepEqual(history.epochs.map((e) => e.epoch), history.epochs.map((_, i) => i + 1), 'history.json holds epochs 1..n');
    assert.equal(history.history.val_loss.length, history.epochs.length);
    historyEpochs = history.epochs.length;
  }

  // Every visible checkpoint folder is complete; only hidden temporary names may be partial.
  const checkpoints = join(runDir, CHECKPOINTS_DIR);
  for (const name of existsSync(checkpoints) ? readdirSync(checkpoints).filter((n) => !isTempFileName(n)) : []) {
    for (const file of [MODEL_FILE, WEIGHTS_FILE, CHECKPOINT_METADATA_FILE]) {
      assert.ok(existsSync(join(checkpoints, name, file)), `${CHECKPOINTS_DIR}/${name} is visible but has no ${file}`);
    }
    readJson(join(checkpoints, name, MODEL_FILE));
    readJson(join(checkpoints, name, CHECKPOINT_METADATA_FILE));
  }

  const best = readBestMetadata(runDir);
  if (best !== null) {
    assert.ok(!isTempFileName(best.checkpoint.split('/').pop() ?? ''), 'best.json never names a temporary folder');
    const { dir } = resolveCheckpoint(runDir);
    assert.equal(dir, join(runDir, best.checkpoint));
    await tf.setBackend('cpu');
    const model = await loadCheckpointModel(dir);
    model.dispose();
    assert.ok(best.epoch <= historyEpochs, `best.json (epoch ${best.epoch}) is never ahead of history.json (${historyEpochs} epochs)`);
  }

  const state = readResumeState(runDir);
  if (state !== null) {
    assert.ok(state.epoch === historyEpochs || state.epoch === historyEpochs - 1, `resume state after epoch ${state.epoch}, history has ${historyEpochs}`);
  } else {
    assert.ok(historyEpochs <= 1, `no resume state although ${historyEpochs} epochs finished`);
  }
  return { record, historyEpochs, bestEpoch: best?.epoch ?? null, resumeEpoch: state?.epoch ?? null, tempFiles: tempFilesIn(runDir) };
}
