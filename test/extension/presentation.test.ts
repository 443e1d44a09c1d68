import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochEndMessage } from '../../src/shared/trainerProtocol';
import { backgroundRunStatus, backgroundStatusText, currentEpoch, trainingStatusText } from '../../src/extension/status/statusText';
import { runDescription } from '../../src/extension/runs/runPresentation';
import { revealAction } from '../../src/extension/runs/revealTarget';
import { isResumable, type RunOnDisk } from '../../src/extension/runs/runStore';
import { formatCount, formatDuration, formatPercent } from '../../src/extension/util/format';
import { isInsideFolder, outermostFolders } from '../../src/extension/util/paths';
import { widenedRoots } from '../../src/extension/panel/resourceRoots';

const epochEnd = (epoch: number, valAccuracy: number): EpochEndMessage => ({
  type: 'epoch-end',
  epoch,
  epochs: 30,
  logs: { loss: 0.5, accuracy: 0.8, val_loss: 0.6, val_accuracy: valAccuracy },
  seconds: 5,
});

test('status bar: "$(pulse) Epoch 3/30 · val_acc 0.71" while training', () => {
  const text = trainingStatusText({ phase: 'running', epochs: 30, lastEpoch: epochEnd(2, 0.7149), lastBatch: { type: 'batch-end', epoch: 3, batch: 4, batches: 63, loss: 0.5, accuracy: 0.7, msPerStep: 90 }, dataLabel: 'train', engine: 'WebGPU: NVIDIA H100 80GB HBM3 (Vulkan)' });
  assert.equal(text.text, '$(pulse) Epoch 3/30 · val_acc 0.71');
  assert.match(text.tooltip, /Batch 4\/63, 90 ms per step/);
  assert.match(text.tooltip, /Backend: WebGPU: NVIDIA H100 80GB HBM3 \(Vulkan\)/, 'the tooltip names the GPU');
  assert.equal(trainingStatusText({ phase: 'running', epochs: 30, lastEpoch: null, lastBatch: null, dataLabel: 'd', engine: null }).text, '$(pulse) Epoch 1/30 · starting');
  assert.match(trainingStatusText({ phase: 'preparing', epochs: 30, lastEpoch: null, lastBatch: null, dataLabel: 'd', engine: null }).text, /loading data/);
  assert.match(trainingStatusText({ phase: 'stopping', epochs: 30, lastEpoch: null, lastBatch: null, dataLabel: 'd', engine: null }).text, /stopping/);
  assert.equal(currentEpoch({ epochs: 30, lastEpoch: epochEnd(30, 0.7), lastBatch: null }), 30, 'never past the last epoch');
});

test('run description: "val_acc 0.72 · val_loss 0.561 · epoch 7", the metrics first (a narrow sidebar cuts the end)', () => {
  const logs = { loss: 0.3, accuracy: 0.9, val_loss: 0.5612, val_accuracy: 0.7249 };
  const run = { best: { epoch: 7, logs } } as Pick<RunOnDisk, 'best'> as RunOnDisk;
  assert.equal(runDescription(run, 'completed'), 'val_acc 0.72 · val_loss 0.561 · epoch 7');
  assert.equal(runDescription(run, 'cancelled'), 'val_acc 0.72 · val_loss 0.561 · epoch 7 · stopped');
  assert.equal(runDescription({ best: null } as Pick<RunOnDisk, 'best'> as RunOnDisk, 'failed'), 'failed · no checkpoint');
});

test('Resume is offered on a stopped run with a finished epoch, with or without its resume state (issue 15, item 3)', () => {
  const run = (options: { status: string; done: number; hasResumeState: boolean; alive?: boolean }) =>
    ({
      record: { status: options.status, settings: { epochs: 4 } },
      history: { epochs: Array.from({ length: options.done }, (_, i) => ({ epoch: i + 1 })) },
      hasResumeState: options.hasResumeState,
      trainer: options.alive === undefined ? null : { alive: options.alive },
    }) as unknown as RunOnDisk;
  assert.equal(isResumable(run({ status: 'cancelled', done: 2, hasResumeState: true })), true);
  assert.equal(isResumable(run({ status: 'running', done: 1, hasResumeState: false })), true, 'killed while saving its first state: the trainer recovers');
  assert.equal(isResumable(run({ status: 'cancelled', done: 0, hasResumeState: false })), false, 'no finished epoch: nothing to continue');
  assert.equal(isResumable(run({ status: 'completed', done: 4, hasResumeState: true })), false);
  assert.equal(isResumable(run({ status: 'running', done: 2, hasResumeState: true, alive: true })), false, 'a trainer still works on it');
  assert.equal(isResumable(run({ status: 'interrupted', done: 4, hasResumeState: false })), false, 'every epoch is in its history');
});

test('formatting helpers', () => {
  assert.equal(formatCount(12500), '12,500');
  assert.equal(formatPercent(0.829), '82.9%');
  assert.equal(formatDuration(125), '2 min 5 s');
});

test('paths: inside checks and resource roots widen only for files outside', () => {
  assert.ok(isInsideFolder('/w/runs/a/grid.png', '/w'));
  assert.ok(!isInsideFolder('/w2/x', '/w'));
  assert.ok(!isInsideFolder('/w/../etc/passwd', '/w'));
  assert.deepEqual(outermostFolders(['/w', '/w/runs', '/d']), ['/w', '/d']);
  assert.equal(widenedRoots(['/ext/dist/webview', '/w'], { files: ['/w/runs/r/augmentation/grid.png'] }), null);
  assert.deepEqual(widenedRoots(['/w'], { files: ['/data/test/cat/cat.1.jpg', '/data/test/dog/dog.2.jpg'] }), ['/w', '/data/test/cat', '/data/test/dog']);
  assert.deepEqual(widenedRoots(['/w'], { folders: ['/data'] }), ['/w', '/data']);
});

test('the status bar follows a run training in the background, but not a run this window trains', () => {
  const running = (runDir: string, pid: number, epochsDone: number) =>
    ({
      runDir,
      record: { runId: runDir.slice(1), status: 'running', settings: { epochs: 8 } },
      history: { epochs: Array.from({ length: epochsDone }, (_, i) => ({ epoch: i + 1 })) },
      trainer: { pid, host: 'h', since: '', alive: true },
    }) as unknown as RunOnDisk;
  const runs = [running('/resumed-here', 7, 7), running('/elsewhere', 9, 2)];
  // Newest first; the newest one is this window's own (its resume), so the other one is shown.
  assert.equal(backgroundRunStatus(runs, (dir) => dir === '/resumed-here')?.text, '$(sync~spin) Epoch 3/8 (background)');
  assert.equal(backgroundRunStatus(runs.slice(0, 1), (dir) => dir === '/resumed-here'), null);
  assert.equal(backgroundRunStatus(runs.slice(0, 1), () => false)?.text, '$(sync~spin) Epoch 8/8 (background)');
});

test('status bar text for a run training in the background: the epoch in progress, never past the last', () => {
  const text = backgroundStatusText({ runId: 'r1', epochsDone: 3, epochs: 30, pid: 42 });
  assert.equal(text.text, '$(sync~spin) Epoch 4/30 (background)');
  assert.match(text.tooltip, /r1 trains in the background \(pid 42: another window, or left running by a reload\), epoch 4 of 30/);
  assert.equal(backgroundStatusText({ runId: 'r1', epochsDone: 30, epochs: 30, pid: 42 }).text, '$(sync~spin) Epoch 30/30 (background)');
});

test('status bar text for a background run with progress.json: its epoch and batch, unless stale or of another run', () => {
  const base = { runId: 'r1', epochsDone: 3, epochs: 30, pid: 42 };
  const inEpoch5 = backgroundStatusText({ ...base, epochsDone: 4, batch: { runId: 'r1', epoch: 5, batch: 17, batches: 63 } });
  assert.equal(inEpoch5.text, '$(sync~spin) Epoch 5/30 (background)');
  assert.match(inEpoch5.tooltip, /epoch 5 of 30, batch 17 of 63\. Click/);
  // The last batch of epoch 4 once history.json holds epoch 4: the run is in epoch 5, batch unknown yet.
  const ended = backgroundStatusText({ ...base, epochsDone: 4, batch: { runId: 'r1', epoch: 4, batch: 63, batches: 63 } });
  assert.equal(ended.text, '$(sync~spin) Epoch 5/30 (background)');
  assert.doesNotMatch(ended.tooltip, /batch/);
  const other = backgroundStatusText({ ...base, batch: { runId: 'older-run', epoch: 9, batch: 1, batches: 63 } });
  assert.equal(other.text, '$(sync~spin) Epoch 4/30 (background)', 'a progress.json of another run is not this run\'s');
  const running = { runDir: '/bg', record: { runId: 'bg', status: 'running', settings: { epochs: 8 } }, history: { epochs: [{ epoch: 1 }] }, trainer: { pid: 9, host: 'h', since: '', alive: true } } as unknown as RunOnDisk;
  const batches = new Map([['/bg', { runId: 'bg', epoch: 2, batch: 3, batches: 7 }]]);
  assert.match(backgroundRunStatus([running], () => false, batches)?.tooltip ?? '', /epoch 2 of 8, batch 3 of 7/);
});

test('Reveal in File Manager: the OS file manager on a local desktop, else the Explorer view or the path', () => {
  assert.equal(revealAction({ inBrowser: false, remote: false, inWorkspace: false }), 'os');
  assert.equal(revealAction({ inBrowser: true, remote: false, inWorkspace: true }), 'explorer', 'code-server, vscode.dev');
  assert.equal(revealAction({ inBrowser: false, remote: true, inWorkspace: true }), 'explorer', 'a remote window: the OS is not where the files are');
  assert.equal(revealAction({ inBrowser: true, remote: false, inWorkspace: false }), 'copy-path');
});
