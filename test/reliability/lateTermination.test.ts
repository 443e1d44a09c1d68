/**
 * Issue 15, item 5: a SIGTERM shortly after the last `epoch-end` (while the last checkpoint and resume state are
 * saved, or while the trainer winds down) once left run.json saying "running" forever. Now run.json always ends
 * with a final status, and a run whose every epoch was saved is (or is made, by `resume`) "completed".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RUN_FILE, type RunRecord } from '../../src/shared/runFiles';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { readResumeState } from '../../src/trainer/train/resumeState';
import { messagesOfType, runTrainer } from '../helpers/runTrainer';

const EPOCHS = 2;
/** Delays after the last epoch-end line; the issue saw "running" left at 5-80 ms. */
const DELAYS_MS = [0, 5, 20, 50, 80];

describe('SIGTERM right after the last epoch (child processes)', () => {
  let root: string;
  let data: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-late-term-'));
    await generateDemoSource({ dir: join(root, 'source'), perClass: 6, size: 78, seed: 9 });
    const prepared = await runTrainer({ args: ['prepare', join(root, 'source'), '--split', '3/2/1', '--out', join(root, 'data'), '--json'] });
    assert.equal(prepared.code, 0, prepared.stderr);
    data = join(root, 'data');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const delay of DELAYS_MS) {
    it(`${delay} ms after the last epoch-end: run.json has a final status; resume leaves it "completed" when every epoch was saved`, async () => {
      let timer: NodeJS.Timeout | undefined;
      const run = await runTrainer({
        args: ['train', data, '--epochs', String(EPOCHS), '--image-size', '78', '--batch-size', '3', '--workers', '1', '--out', join(root, `work-${delay}`), '--json'],
        onMessage: (message, child) => {
          if (message.type === 'epoch-end' && message.epoch === EPOCHS) timer = setTimeout(() => child.kill('SIGTERM'), delay);
        },
      });
      clearTimeout(timer);
      const runDir = messagesOfType(run, 'run-started')[0]?.runDir;
      assert.ok(runDir, run.stderr);
      const record = JSON.parse(readFileSync(join(runDir, RUN_FILE), 'utf8')) as RunRecord;
      assert.notEqual(record.status, 'running', `run.json after exit ${run.code ?? run.signal}: ${JSON.stringify(record)}`);
      assert.ok(['completed', 'cancelled'].includes(record.status), record.status);
      assert.ok(record.finishedAt, 'finishedAt is set');

      if (readResumeState(runDir)?.epoch === EPOCHS) {
        // Every epoch saved: resume has nothing to train and leaves the run completed.
        const resumed = await runTrainer({ args: ['resume', runDir, '--json'] });
        assert.equal(resumed.code, 3, resumed.stderr);
        assert.match(messagesOfType(resumed, 'error')[0]?.message ?? '', new RegExp(`already trained ${EPOCHS} of ${EPOCHS} epochs`));
        assert.equal((JSON.parse(readFileSync(join(runDir, RUN_FILE), 'utf8')) as RunRecord).status, 'completed');
      }
    });
  }
});
