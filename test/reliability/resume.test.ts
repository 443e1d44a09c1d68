/**
 * Resume (issue 5): a run stopped by a cancel or killed with SIGKILL, then resumed with
 * `small-convnet resume`, ends with the same history and best checkpoint as a run that was never
 * interrupted; and one trainer at a time per run folder (trainer.lock).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BEST_FILE, HISTORY_FILE, LOCK_FILE, RUN_FILE, type CheckpointMetadata, type HistoryFile, type RunRecord } from '../../src/shared/runFiles';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { readResumeState } from '../../src/trainer/train/resumeState';
import { assertClose } from '../helpers/numeric';
import { messagesOfType, runTrainer, type TrainerRun } from '../helpers/runTrainer';
import { startFakeTrainer } from '../helpers/fakeTrainer';
import { assertSameHistory } from '../helpers/runFolderChecks';

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const EPOCHS = 3;

function runDirOf(run: TrainerRun): string {
  const started = messagesOfType(run, 'run-started')[0];
  assert.ok(started, `no run-started message; stderr:\n${run.stderr}`);
  return started.runDir;
}

describe('resume an interrupted run (child processes)', () => {
  let root: string;
  let data: string;
  let reference: { runDir: string; history: HistoryFile; best: CheckpointMetadata };
  const trainArgs = (out: string) => [
    'train', data, '--recipe', 'augmented', '--epochs', String(EPOCHS), '--image-size', '78', '--batch-size', '4', '--workers', '1', '--out', out, '--json',
  ];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-resume-'));
    const source = join(root, 'source');
    await generateDemoSource({ dir: source, perClass: 10, size: 78, seed: 5 });
    const prepared = await runTrainer({ args: ['prepare', source, '--split', '5/3/2', '--out', join(root, 'data'), '--json'] });
    assert.equal(prepared.code, 0, prepared.stderr);
    data = join(root, 'data');
    const run = await runTrainer({ args: trainArgs(join(root, 'reference')) });
    assert.equal(run.code, 0, run.stderr);
    const runDir = runDirOf(run);
    reference = { runDir, history: readJson(join(runDir, HISTORY_FILE)), best: readJson(join(runDir, BEST_FILE)) };
    assert.equal(reference.history.epochs.length, EPOCHS);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('cancelled in epoch 2, resumed: same history and best checkpoint as the uninterrupted run', async () => {
    let sent = false;
    const stopped = await runTrainer({
      args: trainArgs(join(root, 'cancelled')),
      onMessage: (message, child) => {
        if (!sent && message.type === 'batch-end' && message.epoch === 2 && message.batch === 1) {
          sent = true;
          child.send('{"type":"cancel"}');
        }
      },
    });
    assert.equal(stopped.code, 130, stopped.stderr);
    const runDir = runDirOf(stopped);
    assert.equal(readJson<RunRecord>(join(runDir, RUN_FILE)).status, 'cancelled');
    assert.equal(readResumeState(runDir)?.epoch, 1, 'the state of the last finished epoch');

    const resumed = await runTrainer({ args: ['resume', runDir, '--json'] });
    assert.equal(resumed.code, 0, resumed.stderr);
    const started = messagesOfType(resumed, 'run-started')[0];
    assert.equal(started.resumedFrom?.epoch, 1);
    assert.deepEqual(started.resumedFrom?.history.map((e) => e.epoch), [1], 'the panel gets the finished epochs to draw');
    assert.deepEqual(messagesOfType(resumed, 'epoch-end').map((e) => e.epoch), [2, 3], 'only the epochs left');

    assertSameHistory(readJson(join(runDir, HISTORY_FILE)), reference.history);
    const best = readJson<CheckpointMetadata>(join(runDir, BEST_FILE));
    assert.equal(best.epoch, reference.best.epoch);
    const weights = readFileSync(join(runDir, best.checkpoint, 'weights.bin'));
    const expected = readFileSync(join(reference.runDir, reference.best.checkpoint, 'weights.bin'));
    assertClose({
      actual: new Float32Array(weights.buffer, weights.byteOffset, weights.byteLength / 4),
      expected: new Float32Array(expected.buffer, expected.byteOffset, expected.byteLength / 4),
      relative: 1e-3,
      what: 'best checkpoint weights',
    });
    const record = readJson<RunRecord>(join(runDir, RUN_FILE));
    assert.equal(record.status, 'completed');
    assert.deepEqual(record.resumes?.map((r) => r.fromEpoch), [1]);
  });

  it('killed with SIGKILL in epoch 3, resumed: same history; the cut-off epoch is trained again', async () => {
    const killed = await runTrainer({
      args: trainArgs(join(root, 'killed')),
      onMessage: (message, child) => {
        if (message.type === 'batch-end' && message.epoch === 3 && message.batch === 2) child.kill('SIGKILL');
      },
    });
    assert.equal(killed.signal, 'SIGKILL');
    const runDir = runDirOf(killed);
    assert.equal(readJson<RunRecord>(join(runDir, RUN_FILE)).status, 'running', 'a killed run cannot say so itself');
    assert.equal(readJson<HistoryFile>(join(runDir, HISTORY_FILE)).epochs.length, 2);

    const resumed = await runTrainer({ args: ['resume', runDir, '--json'] });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /Resuming .* after epoch 2 of 3/);
    assertSameHistory(readJson(join(runDir, HISTORY_FILE)), reference.history);
  });

  it('refuses to resume a finished run unless --epochs asks for more, then trains only the new epochs', async () => {
    const refused = await runTrainer({ args: ['resume', reference.runDir, '--json'] });
    assert.equal(refused.code, 3);
    assert.match(messagesOfType(refused, 'error')[0].message, /already trained 3 of 3 epochs\. Pass --epochs/);
    const more = await runTrainer({ args: ['resume', reference.runDir, '--epochs', '4', '--json'] });
    assert.equal(more.code, 0, more.stderr);
    assert.deepEqual(messagesOfType(more, 'epoch-end').map((e) => e.epoch), [4]);
    assert.equal(readJson<RunRecord>(join(reference.runDir, RUN_FILE)).settings.epochs, 4);
  });

  it('refuses settings that a resumed run cannot change', async () => {
    const run = await runTrainer({ args: ['resume', reference.runDir, '--learning-rate', '0.1', '--json'] });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--learning-rate cannot change when resuming/);
  });

  it('one trainer per run folder: a live lock is refused, a stale one (dead pid, or a pid that is no trainer now) is taken over', async () => {
    const runDir = reference.runDir;
    const trainer = startFakeTrainer();
    try {
      writeFileSync(join(runDir, LOCK_FILE), JSON.stringify({ pid: trainer.pid, host: hostname(), since: 'test' }));
      const refused = await runTrainer({ args: ['resume', runDir, '--epochs', '5', '--json'] });
      assert.equal(refused.code, 3);
      assert.match(messagesOfType(refused, 'error')[0].message, new RegExp(`A trainer \\(pid ${trainer.pid}, .*\\) is already training in`));
    } finally {
      await trainer.stop();
    }
    // A lock naming a live process that is not a trainer (pid 1 after a reboot, issue 15): stale, taken over.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(runDir, LOCK_FILE), JSON.stringify({ pid: other.pid, host: hostname(), since: 'before the reboot' }));
      // --epochs 1: the lock taken, resume goes on to its next check (nothing left to train), not "already training".
      const taken = await runTrainer({ args: ['resume', runDir, '--epochs', '1', '--json'] });
      const message = messagesOfType(taken, 'error')[0]?.message ?? '';
      assert.match(message, /has already trained \d+ of 1 epochs/, taken.stderr);
      assert.doesNotMatch(message, /already training/);
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    // The fake trainer is gone: its lock is stale now.
    writeFileSync(join(runDir, LOCK_FILE), JSON.stringify({ pid: trainer.pid, host: hostname(), since: 'test' }));
    const run = await runTrainer({ args: ['resume', runDir, '--epochs', '5', '--json'] });
    assert.equal(run.code, 0, run.stderr);
    assert.throws(() => readFileSync(join(runDir, LOCK_FILE)), /ENOENT/, 'the lock is released at the end');
  });

  it('a run with no finished epoch says it cannot be resumed', async () => {
    const stopped = await runTrainer({
      args: trainArgs(join(root, 'early')),
      onMessage: (message, child) => {
        if (message.type === 'batch-end' && message.epoch === 1 && message.batch === 1) child.send('{"type":"cancel"}');
      },
    });
    const run = await runTrainer({ args: ['resume', runDirOf(stopped), '--json'] });
    assert.equal(run.code, 3);
    assert.match(messagesOfType(run, 'error')[0].message, /has no resume state: it stopped before its first epoch ended\. Start a new run/);
  });

  it('a run whose first resume state was never written trains epoch 1 again from its seed: the same history as the uninterrupted run (issue 15, item 3)', async () => {
    // Cancelled in epoch 2, then its resume-state.bin removed: what a kill between history.json's epoch 1 and the
    // first state leaves (history 1 epoch, best checkpoint epoch 1, no state).
    const stopped = await runTrainer({
      args: trainArgs(join(root, 'first-state-lost')),
      onMessage: (message, child) => {
        if (message.type === 'batch-end' && message.epoch === 2 && message.batch === 1) child.send('{"type":"cancel"}');
      },
    });
    const runDir = runDirOf(stopped);
    assert.equal(readJson<HistoryFile>(join(runDir, HISTORY_FILE)).epochs.length, 1);
    rmSync(join(runDir, 'resume-state.bin'));

    // One worker, as the reference trained: with two, the sums of the shards' gradients round differently.
    const resumed = await runTrainer({ args: ['resume', runDir, '--workers', '1', '--json'] });
    assert.equal(resumed.code, 0, resumed.stderr);
    const warning = messagesOfType(resumed, 'warning')[0];
    assert.match(warning?.message ?? '', /resume-state\.bin is missing although history\.json holds 1 finished epoch \(the trainer stopped while saving it\): epoch 1 is trained again/);
    assert.equal(warning?.file, join(runDir, 'resume-state.bin'));
    assert.deepEqual(messagesOfType(resumed, 'epoch-end').map((e) => e.epoch), [1, 2, 3]);
    assertSameHistory(readJson(join(runDir, HISTORY_FILE)), reference.history);
    const record = readJson<RunRecord>(join(runDir, RUN_FILE));
    assert.equal(record.status, 'completed');
    assert.equal(record.resumes?.at(-1)?.fromEpoch, 0);
    assert.match(record.resumes?.at(-1)?.note ?? '', /epoch 1 is trained again/, 'run.json keeps what happened');
  });

  it('a run whose resume state is lost after later epochs continues from its best checkpoint, with a note; a finished one is not trained again (issue 15, item 3)', async () => {
    // The uninterrupted reference run, copied, without its resume-state.bin (deleted, or a disk that lost it).
    const copy = join(root, 'lost-state');
    cpSync(reference.runDir, copy, { recursive: true });
    rmSync(join(copy, 'resume-state.bin'));
    rmSync(join(copy, 'trainer.lock'), { force: true });
    // Earlier tests trained the reference further: its files say how far.
    const done = readJson<HistoryFile>(join(copy, HISTORY_FILE)).epochs.length;
    const best = readJson<CheckpointMetadata>(join(copy, BEST_FILE)).epoch;
    const before = readJson<HistoryFile>(join(copy, HISTORY_FILE));

    const refused = await runTrainer({ args: ['resume', copy, '--json'] });
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(messagesOfType(refused, 'error')[0].message, new RegExp(`already trained ${done} of ${done} epochs\\. Pass --epochs`));

    const run = await runTrainer({ args: ['resume', copy, '--epochs', String(done + 1), '--json'] });
    assert.equal(run.code, 0, run.stderr);
    const note = messagesOfType(run, 'warning')[0]?.message ?? '';
    assert.match(note, new RegExp(`holds ${done} finished epochs: the run continues from its best checkpoint \\(epoch ${best}\\), with RMSprop's running averages starting again from zero`));
    assert.deepEqual(messagesOfType(run, 'epoch-end').map((e) => e.epoch), Array.from({ length: done + 1 - best }, (_, i) => best + 1 + i));
    assert.equal(messagesOfType(run, 'run-started')[0].resumedFrom?.epoch, best);
    const history = readJson<HistoryFile>(join(copy, HISTORY_FILE));
    assert.deepEqual(history.epochs.map((e) => e.epoch), Array.from({ length: done + 1 }, (_, i) => i + 1));
    assert.deepEqual(history.epochs.slice(0, best), before.epochs.slice(0, best), 'the epochs up to the checkpoint are kept as they were');
    const record = readJson<RunRecord>(join(copy, RUN_FILE));
    assert.equal(record.status, 'completed');
    assert.equal(record.resumes?.at(-1)?.fromEpoch, best);
    assert.match(record.resumes?.at(-1)?.note ?? '', /best checkpoint/);
  });
});
