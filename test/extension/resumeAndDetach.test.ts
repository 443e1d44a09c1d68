/**
 * A window reload must not stop training, and a stopped run can be resumed from the extension. Against the
 * REAL trainer: TrainingRuns.dispose() (what deactivate does) leaves the trainer running; the run folder then
 * shows it as training in the background (trainer.lock names a live pid); "Stop" reaches it with SIGINT; the
 * run becomes resumable and `resume` through the extension's launcher finishes it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LOCK_FILE } from '../../src/shared/runFiles';
import { CONTEXT_VALUES } from '../../src/extension/ids';
import { BackgroundProgress, backgroundTargets, batchEndOfProgress, type BackgroundProgressUpdate } from '../../src/extension/runs/backgroundProgress';
import { stopBackgroundTrainer } from '../../src/extension/runs/backgroundTrainer';
import { displayStatus, runItemSpec } from '../../src/extension/runs/runPresentation';
import { isResumable, readRunFolder } from '../../src/extension/runs/runStore';
import { TrainingRuns } from '../../src/extension/session/trainingRuns';
import { resumeArgs } from '../../src/extension/trainer/trainerArgs';
import { until } from '../helpers/until';
import { realTrainerLauncher } from './helpers/realTrainer';
import { prepareDemoSubsets, runFolderWhen, startRunToEpoch1 } from './helpers/realRuns';

const SETTINGS = { recipe: 'scratch', epochs: 4, imageSize: 78, batchSize: 2, learningRate: 0.001, seed: 2 } as const;
let root: string;
let dataDir: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'small-convnet-detach-'));
  dataDir = await prepareDemoSubsets({ root, out: join(root, 'data'), perClass: 12, seed: 4, split: { train: 10, validation: 2, test: 0 } });
});
after(() => rmSync(root, { recursive: true, force: true }));

test('a window going away (deactivate) leaves the trainer training; it finishes on its own and releases its lock', async () => {
  const window1 = new TrainingRuns(realTrainerLauncher());
  const run = await startRunToEpoch1({ runs: window1, dataDir, workFolder: join(root, 'detached'), settings: SETTINGS });
  const runDir = run.runDir!;
  window1.dispose();

  const seen = await readRunFolder(runDir);
  assert.ok(seen);
  assert.equal(seen.record.status, 'running', 'three epochs are left when the window goes');
  assert.equal(seen.trainer?.alive, true, 'trainer.lock names the live trainer');
  assert.equal(displayStatus(seen, false), 'background');
  assert.equal(runItemSpec(seen, false).contextValue, CONTEXT_VALUES.runTraining, 'Stop is offered on it');
  // The reloaded window follows its batches through progress.json, which the detached trainer keeps writing.
  const updates: BackgroundProgressUpdate[] = [];
  const poller = new BackgroundProgress({ onProgress: (update) => updates.push(update), intervalMs: 50 });
  poller.follow(backgroundTargets([seen], () => false));
  const epochsDone = seen.history?.epochs.length ?? 0;
  const followed = await until('batch progress of the detached trainer', async () => updates.at(-1));
  poller.dispose();
  assert.equal(followed.runDir, runDir);
  assert.equal(followed.progress.runId, seen.record.runId);
  assert.ok(followed.progress.epoch > epochsDone, `an epoch after the ${epochsDone} history.json held: ${JSON.stringify(followed.progress)}`);
  assert.equal(batchEndOfProgress(followed.progress).batches, run.runStarted?.stepsPerEpoch, 'the steps of an epoch, as run-started said');
  const done = await runFolderWhen(runDir, (r) => r.record.status === 'completed' && r.trainer === null);
  assert.equal(done.history?.epochs.length, SETTINGS.epochs, 'every epoch was trained after the window left');
  assert.equal(existsSync(join(runDir, LOCK_FILE)), false);
  assert.equal(isResumable(done), false);
});

test('Stop on a background run (SIGINT via trainer.lock), then Resume from the extension: all epochs, one history', async () => {
  const window1 = new TrainingRuns(realTrainerLauncher());
  const run = await startRunToEpoch1({ runs: window1, dataDir, workFolder: join(root, 'stopped'), settings: SETTINGS });
  const runDir = run.runDir!;
  window1.dispose();

  const said = await stopBackgroundTrainer(runDir);
  assert.match(said, /Asked the trainer \(pid \d+\) to stop after its current batch/);
  // A second Stop (double click, or the tree after the panel) sends no second SIGINT, which would make the
  // trainer quit at once without writing run.json: it still ends "cancelled", not "interrupted".
  assert.match(await stopBackgroundTrainer(runDir), /was already asked to stop/);
  const stopped = await runFolderWhen(runDir, (r) => r.record.status !== 'running' && r.trainer === null);
  assert.equal(stopped.record.status, 'cancelled');
  assert.ok(isResumable(stopped));
  assert.equal(runItemSpec(stopped, false).contextValue, CONTEXT_VALUES.runResumable, 'the context menu offers Resume');
  assert.equal(await stopBackgroundTrainer(runDir), 'No trainer is running in that run folder.');

  const window2 = new TrainingRuns(realTrainerLauncher());
  const resumed = window2.start({ command: 'resume', args: resumeArgs({ runDir, backend: 'auto', workers: 1 }), settings: { ...SETTINGS }, dataLabel: 'tiny' });
  const outcome = await resumed.finished;
  assert.equal(outcome.kind, 'completed', `${outcome.summary}\n${outcome.stderrTail.join('\n')}`);
  assert.equal(resumed.runDir, runDir, 'resume works in the same run folder');
  assert.equal(resumed.runStarted?.resumedFrom?.epoch, stopped.history?.epochs.length);
  const finished = await readRunFolder(runDir);
  assert.deepEqual(finished?.history?.epochs.map((e) => e.epoch), [1, 2, 3, 4]);
  assert.equal(finished?.record.status, 'completed');
  window2.dispose();
});

test('Stop never signals a process that is not a trainer, whatever trainer.lock says', async () => {
  const runDir = join(root, 'forged');
  mkdirSync(runDir, { recursive: true });
  // This test process is alive but is not a trainer: a hand-written lock must not make Stop signal it.
  writeFileSync(join(runDir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), since: 'now' }));
  assert.equal(
    await stopBackgroundTrainer(runDir),
    `Process ${process.pid} named in ${join(runDir, LOCK_FILE)} is not a Small Convnet trainer; nothing was stopped.`,
  );
});
