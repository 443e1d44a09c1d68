/**
 * Faults (issue 5): the trainer is cancelled, sent SIGTERM or SIGKILL at seeded random moments, and killed
 * at exact moments inside its writes (the test-only SMALL_CONVNET_TEST_FAULT hook of src/trainer/util/
 * testFaults.ts), e.g. in the middle of a checkpoint. After each: every file of the run folder that the
 * trainer and the extension read parses, best.json names a checkpoint that loads with tfjs, the host's
 * process wrapper says what happened, and `small-convnet resume` finishes the run with the same history
 * as an uninterrupted one. (resume.test.ts covers the plain cancel / SIGKILL / lock cases.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trainerLaunch } from '../../src/extension/trainer/trainerLaunch';
import type { TrainerOutcome } from '../../src/extension/trainer/trainerOutcome';
import { TrainerProcess } from '../../src/extension/trainer/trainerProcess';
import { HISTORY_FILE, PROGRESS_FILE, type HistoryFile } from '../../src/shared/runFiles';
import type { TrainerMessage } from '../../src/shared/trainerProtocol';
import { TEST_FAULT_ENV } from '../../src/trainer/util/testFaults';
import { Rng } from '../../src/trainer/util/rng';
import { assertSameHistory, checkRunFolder, type RunFolderState } from '../helpers/runFolderChecks';
import { makeTinyDataset, tinyTrainOptions } from '../helpers/tinyData';

const REPO_ROOT = join(__dirname, '..', '..');
const EPOCHS = 3;
const RANDOM_RUNS = 6;
const PROGRESS_TYPES: ReadonlySet<string> = new Set(['batch-end', 'epoch-end', 'checkpoint-saved']);

interface Job {
  trainer: TrainerProcess;
  messages: TrainerMessage[];
  log: string[];
}

/** The real trainer behind the extension's own process wrapper (what the extension would report). */
function start(options: { command: 'train' | 'resume'; args: string[]; fault?: string }): Job {
  const hostEnv = { ...process.env, ...(options.fault ? { [TEST_FAULT_ENV]: options.fault } : {}) };
  const log: string[] = [];
  const messages: TrainerMessage[] = [];
  const trainer = TrainerProcess.start({
    launch: trainerLaunch({ runtime: { extensionPath: REPO_ROOT, hostExecPath: process.execPath, nodePath: '', hostEnv, cwd: REPO_ROOT }, command: options.command, args: options.args }),
    log: (line) => log.push(line),
    timeouts: { afterCancelMs: 30_000, afterTermMs: 5_000, closeGraceMs: 2_000 },
  });
  trainer.onMessage((message) => messages.push(message));
  return { trainer, messages, log };
}

function runDirOf(job: Job): string {
  const started = job.messages.find((m) => m.type === 'run-started');
  assert.ok(started?.type === 'run-started', `no run-started; log:\n${job.log.join('\n')}`);
  return started.runDir;
}

function lastDone(job: Job) {
  const done = job.messages.filter((m) => m.type === 'done').at(-1);
  return done?.type === 'done' ? done : undefined;
}

describe('faults: whatever stops the trainer, the run folder stays valid and the run can be resumed', () => {
  let root: string;
  let data: string;
  let reference: { history: HistoryFile; checkpointEpochs: number[]; progressMessages: number };
  let runs = 0;
  const trainOptions = () => tinyTrainOptions({ data, out: join(root, `out-${++runs}`), epochs: EPOCHS });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-faults-'));
    data = await makeTinyDataset({ root });
    const job = start({ command: 'train', args: trainOptions() });
    const outcome = await job.trainer.finished;
    assert.equal(outcome.kind, 'completed', outcome.summary);
    const runDir = runDirOf(job);
    reference = {
      history: JSON.parse(readFileSync(join(runDir, HISTORY_FILE), 'utf8')) as HistoryFile,
      checkpointEpochs: job.messages.flatMap((m) => (m.type === 'checkpoint-saved' ? [m.epoch] : [])),
      progressMessages: job.messages.filter((m) => PROGRESS_TYPES.has(m.type)).length,
    };
    assert.ok(reference.checkpointEpochs.length >= 2, `the reference run must save at least 2 checkpoints (saved ${reference.checkpointEpochs.join(', ')})`);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /**
   * Checks the folder, resumes (as the extension would offer), checks again. A run that cannot be resumed
   * (no finished epoch, or all epochs done) must say so.
   */
  async function resumeAndCheck(runDir: string, options: { fault?: string } = {}): Promise<{ before: RunFolderState; outcome: TrainerOutcome }> {
    const state = await checkRunFolder(runDir);
    // One worker, as the reference trained: the same sums in the same order, so the same numbers.
    const job = start({ command: 'resume', args: [runDir, '--workers', '1'], fault: options.fault });
    const outcome = await job.trainer.finished;
    if (state.resumeEpoch === null && state.historyEpochs === 0) {
      assert.equal(outcome.kind, 'failed');
      assert.match(outcome.summary, /has no resume state: it stopped before its first epoch ended\. Start a new run instead\./);
    } else if (state.resumeEpoch === null) {
      // Finished epochs whose state was lost (issue 15, item 3): it continues, and says from where.
      assert.equal(outcome.kind, 'completed', `${outcome.summary}\n${job.log.join('\n')}`);
      const note = job.messages.find((m) => m.type === 'warning');
      assert.match(note?.type === 'warning' ? note.message : '', /resume-state\.bin is missing although history\.json holds \d+ finished epochs?/);
      const resumed = await checkRunFolder(runDir);
      assert.equal(resumed.historyEpochs, EPOCHS);
      assert.equal(resumed.record.status, 'completed');
      // From epoch 1 again (only epoch 1 had finished): what an uninterrupted run computes.
      if (state.historyEpochs === 1) assertSameHistory(JSON.parse(readFileSync(join(runDir, HISTORY_FILE), 'utf8')) as HistoryFile, reference.history);
    } else if (state.resumeEpoch === EPOCHS) {
      assert.equal(outcome.kind, 'failed');
      assert.match(outcome.summary, /has already trained 3 of 3 epochs/);
      // Every epoch was saved: run.json says completed now, whatever the kill left in it (issue 15, item 5).
      assert.equal((await checkRunFolder(runDir)).record.status, 'completed');
    } else if (options.fault === undefined) {
      assert.equal(outcome.kind, 'completed', `${outcome.summary}\n${job.log.join('\n')}`);
      const resumed = await checkRunFolder(runDir);
      assert.equal(resumed.historyEpochs, EPOCHS);
      assert.deepEqual(resumed.tempFiles, [], 'resume removes what cut-short writes left');
      assert.equal(resumed.record.status, 'completed');
      assertSameHistory(JSON.parse(readFileSync(join(runDir, HISTORY_FILE), 'utf8')) as HistoryFile, reference.history);
    }
    return { before: state, outcome };
  }

  describe('killed inside a write (SIGKILL at an exact moment)', () => {
    it('writing epoch 1 of history.json: no history, nothing to resume, a new run is suggested', async () => {
      const job = start({ command: 'train', args: trainOptions(), fault: 'kill:history.json:1' });
      const outcome = await job.trainer.finished;
      assert.equal(outcome.kind, 'crashed');
      assert.match(outcome.summary, /killed by SIGKILL before it finished/);
      const { before: state } = await resumeAndCheck(runDirOf(job));
      assert.equal(state.historyEpochs, 0);
      assert.equal(state.record.status, 'running', 'a killed run cannot say so itself');
      assert.deepEqual(state.tempFiles, [`.${HISTORY_FILE}.tmp-${job.trainer.pid}`], 'the cut-short write is a hidden temporary file');
    });

    it('writing progress.json: its hidden temporary file is all that is left, and resume removes it', async () => {
      const job = start({ command: 'train', args: trainOptions(), fault: `kill:${PROGRESS_FILE}:3` });
      assert.equal((await job.trainer.finished).kind, 'crashed');
      const { before: state } = await resumeAndCheck(runDirOf(job));
      assert.deepEqual(state.tempFiles, [`.${PROGRESS_FILE}.tmp-${job.trainer.pid}`]);
    });

    it('writing the weights of the first checkpoint: no best.json, the partial checkpoint stays hidden', async () => {
      const job = start({ command: 'train', args: trainOptions(), fault: 'kill:weights.bin:1' });
      assert.equal((await job.trainer.finished).kind, 'crashed');
      const { before: state } = await resumeAndCheck(runDirOf(job));
      assert.equal(state.bestEpoch, null);
      assert.equal(state.historyEpochs, 1);
      assert.deepEqual(state.tempFiles, [join('checkpoints', `.epoch-0001.tmp-${job.trainer.pid}`)]);
    });

    it('renaming the first checkpoint into place: best.json is not written yet, the complete folder stays hidden', async () => {
      const job = start({ command: 'train', args: trainOptions(), fault: 'kill:epoch-0001*:1' });
      assert.equal((await job.trainer.finished).kind, 'crashed');
      const { before: state } = await resumeAndCheck(runDirOf(job));
      assert.equal(state.bestEpoch, null);
    });

    it('removing the older checkpoint once best.json names the newer: it is hidden before it is deleted, never half there', async () => {
      const older = `epoch-${String(reference.checkpointEpochs[0]).padStart(4, '0')}`;
      const job = start({ command: 'train', args: trainOptions(), fault: `kill:.${older}*:1` });
      assert.equal((await job.trainer.finished).kind, 'crashed');
      const { before: state } = await resumeAndCheck(runDirOf(job));
      assert.equal(state.bestEpoch, reference.checkpointEpochs[1]);
      assert.deepEqual(state.tempFiles, [join('checkpoints', `.${older}.tmp-${job.trainer.pid}`)], 'the older checkpoint, renamed and not yet deleted');
    });

    it('pointing best.json at the second checkpoint: it still names the first, which loads; resume finishes', async () => {
      const job = start({ command: 'train', args: trainOptions(), fault: 'kill:best.json:2' });
      assert.equal((await job.trainer.finished).kind, 'crashed');
      const { before: state } = await resumeAndCheck(runDirOf(job));
      assert.equal(state.bestEpoch, reference.checkpointEpochs[0]);
    });

    it('after a checkpoint but before the resume state; then killed again while resume re-saves that checkpoint', async () => {
      const epoch = reference.checkpointEpochs[1];
      const job = start({ command: 'train', args: trainOptions(), fault: `kill:resume-state.bin:${epoch}` });
      assert.equal((await job.trainer.finished).kind, 'crashed');
      const runDir = runDirOf(job);
      const first = await checkRunFolder(runDir);
      assert.equal(first.bestEpoch, epoch, 'best.json names the checkpoint of the epoch whose resume state was cut off');
      assert.equal(first.resumeEpoch, epoch - 1, 'so resume trains that epoch again');
      // The epoch trained again improves val_loss again: its checkpoint is saved again (under a new name) and
      // this resume is killed while that checkpoint is renamed into place.
      const { outcome } = await resumeAndCheck(runDir, { fault: `kill:epoch-${String(epoch).padStart(4, '0')}*:1` });
      assert.equal(outcome.kind, 'crashed');
      const second = await checkRunFolder(runDir);
      assert.equal(second.bestEpoch, epoch, 'best.json still names a complete checkpoint');
      await resumeAndCheck(runDir);
    });
  });

  describe('killed between two epoch-end callbacks (issue 14, item 4: their order keeps the run resumable)', () => {
    // The run's callbacks in their order (src/trainer/train/callbacks/runCallbacks.ts; trainingCallbacks.test.ts checks the list).
    for (const name of ['history', 'protocol-events', 'progress-file', 'model-checkpoint', 'resume-state']) {
      it(`after ${name} at epoch 2: the folder is valid, and resume ends with the uninterrupted run's history`, async () => {
        const job = start({ command: 'train', args: trainOptions(), fault: `kill:after-${name}:2` });
        assert.equal((await job.trainer.finished).kind, 'crashed');
        const { before: state } = await resumeAndCheck(runDirOf(job));
        assert.equal(state.historyEpochs, 2, 'history.json is written first');
        assert.equal(state.resumeEpoch, name === 'resume-state' ? 2 : 1, 'the resume state is written last');
      });
    }
  });

  describe('stopped from outside at seeded random moments (SIGKILL, SIGTERM, cancel)', () => {
    type Action = 'SIGKILL' | 'SIGTERM' | 'cancel';
    interface Moment {
      action: Action;
      /** Act on the progress message (batch-end, epoch-end, checkpoint-saved) at this fraction of the run... */
      at: number | 'epoch-end-2' | 'last-batch-2';
      /** ...this many milliseconds after it. */
      delayMs: number;
    }
    const rng = new Rng(20261128);
    const actions: Action[] = ['SIGKILL', 'SIGTERM', 'cancel'];
    const moments: Moment[] = [
      // Right after epoch 2's epoch-end the trainer is saving that epoch's checkpoint and resume state.
      { action: 'SIGKILL', at: 'epoch-end-2', delayMs: 0 },
      { action: 'SIGTERM', at: 'epoch-end-2', delayMs: 0 },
      // A cancel in the last batch of an epoch arrives during validation and the checkpoint: that epoch is kept.
      { action: 'cancel', at: 'last-batch-2', delayMs: 0 },
      ...Array.from({ length: RANDOM_RUNS }, (): Moment => ({ action: actions[rng.int(actions.length)], at: rng.next(), delayMs: rng.int(150) })),
    ];

    for (const moment of moments) {
      const when = typeof moment.at === 'number' ? `${Math.round(moment.at * 100)}% into the run` : moment.at;
      it(`${moment.action} ${when} + ${moment.delayMs} ms`, async () => {
        const job = start({ command: 'train', args: trainOptions() });
        let progress = 0;
        let acted = false;
        const trigger = typeof moment.at === 'number' ? 1 + Math.floor(moment.at * reference.progressMessages) : 0;
        job.trainer.onMessage((message) => {
          if (PROGRESS_TYPES.has(message.type)) progress++;
          const due =
            moment.at === 'epoch-end-2'
              ? message.type === 'epoch-end' && message.epoch === 2
              : moment.at === 'last-batch-2'
                ? message.type === 'batch-end' && message.epoch === 2 && message.batch === message.batches
                : progress === trigger && PROGRESS_TYPES.has(message.type);
          if (!due || acted) return;
          acted = true;
          setTimeout(() => {
            if (!job.trainer.isRunning || job.trainer.pid === undefined) return;
            if (moment.action === 'cancel') void job.trainer.stop();
            else process.kill(job.trainer.pid, moment.action);
          }, moment.delayMs);
        });
        const outcome = await job.trainer.finished;
        const runDir = runDirOf(job);
        const state = await checkRunFolder(runDir);
        const done = lastDone(job);
        if (outcome.kind === 'completed') {
          // The run ended before the signal: nothing to check but a complete run.
          assert.equal(state.historyEpochs, EPOCHS);
        } else if (moment.action === 'SIGKILL') {
          assert.equal(outcome.kind, 'crashed');
          assert.equal(outcome.signal, 'SIGKILL');
          assert.match(outcome.summary, /killed by SIGKILL before it finished/);
        } else if (moment.action === 'SIGTERM') {
          assert.equal(outcome.kind, 'cancelled', outcome.summary);
          assert.equal(outcome.code, 143);
          assert.equal(done?.status, 'cancelled', 'the trainer writes done before it exits');
          assert.match(outcome.summary, /^Stopped by SIGTERM from outside; what it saved up to its last finished epoch stays valid\.$/);
          assert.equal(state.record.status, 'cancelled');
          assert.match(state.record.message ?? '', /^Terminated \(SIGTERM\) during epoch [1-3] of 3\. What it saved stays valid: resume the run to continue\.$/);
        } else {
          assert.equal(outcome.kind, 'cancelled', outcome.summary);
          assert.equal(outcome.code, 130);
          assert.equal(done?.status, 'cancelled');
          assert.equal(state.record.status, 'cancelled');
          if (moment.at === 'last-batch-2') assert.equal(state.resumeEpoch, 2, 'the epoch whose last batch was running is finished and saved');
        }
        await resumeAndCheck(runDir);
      });
    }
  });
});
