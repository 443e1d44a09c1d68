/**
 * The panel's host side without VS Code: a PanelSession with a recording port, fed by a TrainingRuns whose
 * processes are real scripted children (helpers/scriptedTrainer.ts), and webview messages, valid or not.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RecipeId } from '../../src/shared/recipes';
import { LOCK_FILE } from '../../src/shared/runFiles';
import type { HostToWebviewMessage } from '../../src/shared/webviewProtocol';
import { PanelSession, type PanelActions } from '../../src/extension/panel/panelSession';
import { readPanelState } from '../../src/extension/panel/panelStateReader';
import { readRunFolder } from '../../src/extension/runs/runStore';
import { TrainingRuns } from '../../src/extension/session/trainingRuns';
import type { TrainingRun } from '../../src/extension/session/trainingRun';
import { startFakeTrainer } from '../helpers/fakeTrainer';
import { makeScriptFolder, type ScriptFolder } from './helpers/childScripts';
import { SETTINGS, scriptedTrainerLauncher, writeFinishedRun } from './helpers/scriptedTrainer';
import { untilTrue } from '../helpers/until';

let root: string;
let scripts: ScriptFolder;
let work: string;
let dataDir: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'small-convnet-panel-'));
  scripts = makeScriptFolder();
  work = join(root, 'work');
  dataDir = join(work, 'data', 'demo-4-2-2');
  mkdirSync(join(dataDir, 'test', 'stripes'), { recursive: true });
});
after(() => {
  scripts.remove();
  rmSync(root, { recursive: true, force: true });
});

interface Harness {
  session: PanelSession;
  runs: TrainingRuns;
  posted: HostToWebviewMessage[];
  calls: { evaluate: string[]; exported: string[]; explained: string[][]; open: string[]; recipes: RecipeId[]; informed: string[]; log: string[]; stopBackground: string[] };
  compareWith: { runDir: string | undefined; offeredExcept: string[][] };
  dispose(): void;
}

function harness(options: { runDir: string; finish: boolean }): Harness {
  const runs = new TrainingRuns(scriptedTrainerLauncher({ scripts, runDir: options.runDir, dataDir, finish: options.finish }));
  const posted: HostToWebviewMessage[] = [];
  const calls: Harness['calls'] = { evaluate: [], exported: [], explained: [], open: [], recipes: [], informed: [], log: [], stopBackground: [] };
  const compareWith: Harness['compareWith'] = { runDir: undefined, offeredExcept: [] };
  const actions: PanelActions = {
    evaluateRun: (runDir) => calls.evaluate.push(runDir),
    exportRun: (runDir) => calls.exported.push(runDir),
    explainImages: (runDir, files) => calls.explained.push([runDir, ...files]),
    activationsOfImage: (runDir, file) => calls.explained.push(['activations', runDir, file]),
    openFile: (file) => calls.open.push(file),
    pickRunToCompare: async (shown) => {
      compareWith.offeredExcept.push([...shown]);
      return compareWith.runDir;
    },
    startRecipe: (recipe) => calls.recipes.push(recipe),
    inform: (text) => calls.informed.push(text),
    log: (line) => calls.log.push(line),
    stopBackgroundRun: async (runDir) => {
      calls.stopBackground.push(runDir);
      return { asked: true, text: `stopping the trainer of ${runDir}` };
    },
  };
  const session = new PanelSession({
    port: {
      post: (message) => posted.push(message),
      webviewUris: (files) => Object.fromEntries(files.map((file) => [file, `https://webview.test${file}`])),
    },
    runs,
    readRun: readRunFolder,
    listImages: async (dir) => (dir.endsWith('augmentation') ? [join(dir, 'grid.png')] : []),
    actions,
    workFolder: () => work,
  });
  return { session, runs, posted, calls, compareWith, dispose: () => (session.dispose(), runs.dispose()) };
}

function startRun(h: Harness): TrainingRun {
  return h.runs.start({ command: 'train', args: [], settings: { ...SETTINGS }, dataLabel: 'demo' });
}

const describe = (m: HostToWebviewMessage): string =>
  m.type === 'trainer-event' ? `event:${m.event.type}@${m.runKey}` : m.type === 'run-phase' ? `phase:${m.phase}@${m.runKey}` : m.type === 'image-uris' ? `uris:${Object.keys(m.uris).length}` : `${m.type}@${m.runKey}`;

test('live run: temporary key until run-started, the link (run-loaded), then the run folder; image URIs first', async () => {
  const runDir = join(work, 'runs', 'live-1');
  const h = harness({ runDir, finish: true });
  const run = startRun(h);
  const temp = run.temporaryKey;
  await run.finished;
  const seen = h.posted.map(describe);
  assert.deepEqual(seen, [
    `event:hello@${temp}`,
    `phase:preparing@${temp}`,
    `event:backend@${temp}`,
    `event:prepared@${temp}`,
    `event:dataset-loaded@${temp}`,
    `event:model-summary@${temp}`,
    `event:run-started@${temp}`,
    `run-loaded@${runDir}`,
    `phase:running@${runDir}`,
    'uris:3',
    `event:augmentation-preview@${runDir}`,
    `event:batch-end@${runDir}`,
    `event:batch-end@${runDir}`,
    `event:epoch-end@${runDir}`,
    `event:checkpoint-saved@${runDir}`,
    `event:batch-end@${runDir}`,
    `event:done@${runDir}`,
    `phase:completed@${runDir}`,
  ]);
  const link = h.posted[7];
  assert.ok(link.type === 'run-loaded');
  assert.equal(link.record.runId, 'live-1');
  assert.equal(link.record.dataDir, dataDir);
  assert.equal(link.record.status, 'running');
  const uris = h.posted[9];
  assert.ok(uris.type === 'image-uris');
  assert.equal(uris.uris[join(runDir, 'augmentation', 'grid.png')], `https://webview.test${join(runDir, 'augmentation', 'grid.png')}`);
  h.dispose();
});

test('stop-run by the temporary key cancels the trainer: stopping, then stopped', async () => {
  const runDir = join(work, 'runs', 'live-2');
  const h = harness({ runDir, finish: false });
  const run = startRun(h);
  await untilTrue('the first checkpoint', () => h.posted.some((m) => m.type === 'trainer-event' && m.event.type === 'checkpoint-saved'), { timeoutMs: 5000, intervalMs: 10 });
  await h.session.handleMessage({ type: 'stop-run', runKey: run.temporaryKey });
  const outcome = await run.finished;
  assert.equal(outcome.kind, 'cancelled');
  assert.equal(outcome.stopEscalation, 'cancel');
  const phases = h.posted.filter((m) => m.type === 'run-phase').map((m) => (m.type === 'run-phase' ? m.phase : ''));
  assert.deepEqual(phases, ['preparing', 'running', 'stopping', 'stopped']);
  // The run is no longer a child of this window: a stop goes to whatever trainer holds its folder's lock.
  await h.session.handleMessage({ type: 'stop-run', runKey: runDir });
  assert.deepEqual(h.calls.stopBackground, [runDir]);
  assert.deepEqual(h.calls.informed, [`stopping the trainer of ${runDir}`]);
  h.dispose();
});

test('ready while a run trains: the panel gets the whole run again, as live, and the run in front', async () => {
  const runDir = join(work, 'runs', 'live-3');
  const h = harness({ runDir, finish: false });
  const run = startRun(h);
  await untilTrue('epoch 2', () => h.posted.some((m) => m.type === 'trainer-event' && m.event.type === 'batch-end' && m.event.epoch === 2), { timeoutMs: 5000, intervalMs: 10 });
  h.posted.length = 0;
  await h.session.handleMessage({ type: 'ready' });
  const temp = run.temporaryKey;
  const seen = h.posted.map(describe);
  assert.deepEqual(seen.slice(0, 8), [
    `event:hello@${temp}`,
    `event:backend@${temp}`,
    `event:prepared@${temp}`,
    `event:dataset-loaded@${temp}`,
    `event:model-summary@${temp}`,
    `event:run-started@${temp}`,
    `run-loaded@${runDir}`,
    'uris:3',
  ]);
  assert.deepEqual(seen.slice(8), [
    `event:augmentation-preview@${runDir}`,
    `event:epoch-end@${runDir}`,
    `event:checkpoint-saved@${runDir}`,
    `event:batch-end@${runDir}`,
    `phase:running@${runDir}`,
    `focus-run@${runDir}`,
  ]);
  // A panel that restored another run in front still gets the run training in this window in front (it may
  // have started while the panel was hidden, when nothing reached the panel).
  h.posted.length = 0;
  await h.session.handleMessage({ type: 'ready', front: join(work, 'runs', 'another') });
  assert.equal(h.posted.map(describe).at(-1), `focus-run@${runDir}`);
  await h.session.handleMessage({ type: 'evaluate-run', runKey: temp });
  assert.deepEqual(h.calls.evaluate, [runDir]);
  await run.stop();
  h.dispose();
});

test('open-file: only files inside the work folder or a run\'s folders', async () => {
  const h = harness({ runDir: join(work, 'runs', 'unused'), finish: true });
  const inside = join(work, 'data', 'demo-4-2-2', 'test', 'stripes', 'stripes.9.png');
  await h.session.handleMessage({ type: 'open-file', path: inside });
  await h.session.handleMessage({ type: 'open-file', path: '/etc/passwd' });
  await h.session.handleMessage({ type: 'open-file', path: `${work}/../../etc/passwd` });
  await h.session.handleMessage({ type: 'open-file', path: 'relative/cat.1.jpg' });
  assert.deepEqual(h.calls.open, [inside]);
  assert.equal(h.calls.log.filter((line) => line.startsWith('Refused to open')).length, 3);
  h.dispose();
});

test('malformed webview messages are ignored (and logged), never acted on', async () => {
  const h = harness({ runDir: join(work, 'runs', 'unused'), finish: true });
  for (const raw of [null, 'stop', 42, { type: 'stop-run' }, { type: 'open-file', path: 7 }, { type: 'start-recipe', recipe: 'resnet' }, { type: 'rm -rf' }, { type: 'export-run' }, []]) {
    await h.session.handleMessage(raw);
  }
  assert.deepEqual(h.calls, { evaluate: [], exported: [], explained: [], open: [], recipes: [], informed: [], log: h.calls.log, stopBackground: [] });
  assert.equal(h.calls.log.length, 9);
  await h.session.handleMessage({ type: 'start-recipe', recipe: 'augmented' });
  assert.deepEqual(h.calls.recipes, ['augmented']);
  h.dispose();
});

test('pick-run-to-compare loads the picked run from disk (image URIs of its evaluation first), not in front', async () => {
  const runDir = join(work, 'runs', 'done-1');
  writeFinishedRun({ runDir, dataDir });
  const h = harness({ runDir: join(work, 'runs', 'unused'), finish: true });
  h.compareWith.runDir = runDir;
  await h.session.handleMessage({ type: 'pick-run-to-compare' });
  assert.deepEqual(h.posted.map(describe), ['uris:2', `run-loaded@${runDir}`]);
  const loaded = h.posted[1];
  assert.ok(loaded.type === 'run-loaded');
  assert.equal(loaded.history?.epochs.length, 2);
  assert.equal(loaded.evaluation?.accuracy, 0.75);
  h.compareWith.runDir = undefined;
  await h.session.handleMessage({ type: 'pick-run-to-compare' });
  assert.equal(h.posted.length, 2);
  // The picker leaves out the runs the panel has already (issue 13: picking them changed nothing).
  assert.deepEqual(h.compareWith.offeredExcept, [[], [runDir]]);
  h.dispose();
});

test('after a reload, a panel that restored its own front keeps it: no focus-run at the end of the replay takes back the tab the person picked meanwhile (issue 13 item 12)', async () => {
  const first = join(work, 'runs', 'front-1');
  const second = join(work, 'runs', 'front-2');
  for (const runDir of [first, second]) writeFinishedRun({ runDir, dataDir });
  const h = harness({ runDir: join(work, 'runs', 'unused'), finish: true });
  // The saved state had the second run in front; the restored webview draws it, and the person clicks the first.
  h.session.restore({ runDirs: [first, second], keyToRunDir: {}, focusRunDir: second });
  await h.session.handleMessage({ type: 'ready', front: second });
  const seen = h.posted.map(describe);
  assert.deepEqual(seen.filter((m) => m.startsWith('run-loaded')), [`run-loaded@${first}`, `run-loaded@${second}`], 'both runs replayed');
  assert.deepEqual(seen.filter((m) => m.startsWith('focus-run')), [], 'the front is left to the panel');
  // A fresh webview (nothing restored) is told what goes in front, as before.
  h.posted.length = 0;
  await h.session.handleMessage({ type: 'ready', front: null });
  assert.equal(h.posted.map(describe).at(-1), `focus-run@${second}`);
  h.dispose();
});

test('after a reload: the runs of the saved state come back from disk on ready, the focused one in front', async () => {
  const runDir = join(work, 'runs', 'done-2');
  writeFinishedRun({ runDir, dataDir });
  const savedState = {
    version: 1,
    runs: { 'pending:old': { runDir }, [join(work, 'runs', 'gone')]: { runDir: null } },
    order: ['pending:old', join(work, 'runs', 'gone')],
    focus: 'pending:old',
  };
  const summary = readPanelState(savedState);
  assert.deepEqual(summary, { runDirs: [runDir, join(work, 'runs', 'gone')], keyToRunDir: { 'pending:old': runDir }, focusRunDir: runDir });
  const h = harness({ runDir: join(work, 'runs', 'unused'), finish: true });
  h.session.restore(summary);
  await h.session.handleMessage({ type: 'ready' });
  // The run whose folder is gone is dropped from the panel (it offered to evaluate it before: issue 13).
  assert.deepEqual(h.posted.map(describe), ['uris:2', `run-loaded@${runDir}`, `run-removed@${join(work, 'runs', 'gone')}`, `focus-run@${runDir}`]);
  assert.ok(h.calls.log.some((line) => /gone is not a readable run folder/.test(line)), 'a run folder that is gone is logged, not shown in a popup');
  assert.deepEqual(h.calls.informed, []);
  await h.session.handleMessage({ type: 'evaluate-run', runKey: 'pending:old' });
  assert.deepEqual(h.calls.evaluate, [runDir]);
  await h.session.handleMessage({ type: 'evaluate-run', runKey: 'pending:unknown' });
  assert.match(h.calls.informed.at(-1) ?? '', /no folder yet/);
  // Heatmaps: only images inside the run's folders or the work folder are passed on, never another path.
  const image = join(work, 'data', 'demo-4-2-2', 'test', 'spots', 'spots.9.png');
  await h.session.handleMessage({ type: 'explain-images', runKey: 'pending:old', files: [image, '/etc/passwd', 'relative.png'] });
  assert.deepEqual(h.calls.explained, [[runDir, image]]);
  await h.session.handleMessage({ type: 'explain-images', runKey: 'pending:old', files: ['/etc/passwd'] });
  assert.deepEqual(h.calls.explained, [[runDir, image]], 'nothing allowed: nothing asked');
  await h.session.handleMessage({ type: 'activations-image', runKey: 'pending:old', file: image });
  await h.session.handleMessage({ type: 'activations-image', runKey: 'pending:old', file: '/etc/passwd' });
  assert.deepEqual(h.calls.explained.at(-1), ['activations', runDir, image], 'feature maps only of an image inside its folders');
  assert.equal(h.calls.explained.length, 2);
  // Export model… asks the host the same way: a known key names the run folder, another is refused.
  await h.session.handleMessage({ type: 'export-run', runKey: 'pending:old' });
  assert.deepEqual(h.calls.exported, [runDir]);
  await h.session.handleMessage({ type: 'export-run', runKey: 'pending:unknown' });
  assert.deepEqual(h.calls.exported, [runDir]);
  assert.match(h.calls.informed.at(-1) ?? '', /no folder yet/);
  h.dispose();
});

test('a deleted run leaves the panel: Delete Run, a folder missing after a reload; a closed tab is not shown again', async () => {
  const kept = join(work, 'runs', 'kept-1');
  const deleted = join(work, 'runs', 'deleted-1');
  const closed = join(work, 'runs', 'closed-1');
  for (const runDir of [kept, deleted, closed]) writeFinishedRun({ runDir, dataDir });
  const h = harness({ runDir: join(work, 'runs', 'unused-2'), finish: true });
  for (const runDir of [kept, deleted, closed]) await h.session.showRun(runDir, { focus: false });
  h.posted.length = 0;
  // Delete Run: the folder goes, the panel is told.
  rmSync(deleted, { recursive: true, force: true });
  h.session.runRemoved(deleted);
  assert.deepEqual(h.posted.map(describe), [`run-removed@${deleted}`]);
  // The person closes a tab: the panel drops it itself, and the host does not bring it back when the panel asks again.
  await h.session.handleMessage({ type: 'close-run', runKey: closed });
  h.posted.length = 0;
  await h.session.handleMessage({ type: 'ready' });
  assert.deepEqual(h.posted.filter((m) => m.type === 'run-loaded').map(describe), [`run-loaded@${kept}`]);
  h.dispose();

  // After a reload, runs the saved panel still shows whose folders are gone: dropped when the panel is ready.
  const restored = harness({ runDir: join(work, 'runs', 'unused-3'), finish: true });
  restored.session.restore({ runDirs: [kept], keyToRunDir: {}, focusRunDir: null }, [deleted]);
  await restored.session.handleMessage({ type: 'ready' });
  assert.equal(restored.posted.map(describe)[0], `run-removed@${deleted}`);
  assert.ok(restored.posted.some((m) => m.type === 'run-loaded' && m.runKey === kept));
  restored.dispose();
});

test('a run this window trained, then deleted: the panel asking again (shown again after another tab) gets no message for it, so no empty tab', async () => {
  const runDir = join(work, 'runs', 'live-deleted');
  const h = harness({ runDir, finish: true });
  const run = startRun(h);
  await run.finished;
  rmSync(runDir, { recursive: true, force: true });
  h.session.runRemoved(runDir);
  h.posted.length = 0;
  await h.session.handleMessage({ type: 'ready' });
  const about = h.posted.filter((m) => 'runKey' in m && (m.runKey === runDir || m.runKey === run.temporaryKey) && m.type !== 'run-removed');
  assert.deepEqual(about.map(describe), [], 'nothing but run-removed about the deleted run');
  h.dispose();
});

test("a finished run of this window whose tab was closed: not shown again when the panel asks, offered by Compare with…, shown again when picked", async () => {
  const runDir = join(work, 'runs', 'live-closed');
  const h = harness({ runDir, finish: true });
  const run = startRun(h);
  await run.finished;
  await h.session.handleMessage({ type: 'close-run', runKey: run.temporaryKey });
  h.posted.length = 0;
  await h.session.handleMessage({ type: 'ready' });
  const about = (m: HostToWebviewMessage) => 'runKey' in m && (m.runKey === runDir || m.runKey === run.temporaryKey);
  assert.deepEqual(h.posted.filter(about).map(describe), [], 'the closed run is not replayed');
  h.compareWith.runDir = runDir;
  await h.session.handleMessage({ type: 'pick-run-to-compare' });
  assert.ok(!h.compareWith.offeredExcept.at(-1)?.includes(runDir), `the closed run is offered: ${JSON.stringify(h.compareWith.offeredExcept)}`);
  assert.ok(h.posted.some((m) => m.type === 'run-loaded' && m.runKey === runDir), 'picked, it is shown again');
  h.dispose();
});

test('readPanelState survives junk', () => {
  for (const junk of [undefined, null, 'x', { runs: 5 }, { runs: { a: 1 }, order: 'a' }]) {
    assert.deepEqual(readPanelState(junk).runDirs, []);
  }
});

test('a run left "running" on disk (trained elsewhere) is read again when files change; finished runs are not', async () => {
  const unfinished = join(work, 'runs', 'elsewhere');
  const finished = join(work, 'runs', 'done-3');
  writeFinishedRun({ runDir: unfinished, dataDir });
  writeFinishedRun({ runDir: finished, dataDir });
  const record = JSON.parse(readFileSync(join(unfinished, 'run.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(unfinished, 'run.json'), JSON.stringify({ ...record, status: 'running', finishedAt: null }));
  const h = harness({ runDir: join(work, 'runs', 'unused'), finish: true });
  await h.session.showRun(unfinished, { focus: false });
  await h.session.showRun(finished, { focus: false });
  h.posted.length = 0;
  await h.session.refreshFromDisk();
  assert.deepEqual(h.posted.map(describe), ['uris:2', `run-loaded@${unfinished}`, `phase:stopped@${unfinished}`]);
  const interrupted = h.posted.at(-1);
  assert.ok(interrupted?.type === 'run-phase');
  assert.match(interrupted.detail ?? '', /^Interrupted: its trainer was killed or crashed\. Resume it/);
  // A live trainer holds the folder's lock (a sleeping stand-in whose command line names trainer/main.js).
  const trainer = startFakeTrainer();
  writeFileSync(join(unfinished, LOCK_FILE), JSON.stringify({ pid: trainer.pid, host: hostname(), since: 'now' }));
  h.posted.length = 0;
  await h.session.refreshFromDisk();
  const background = h.posted.at(-1);
  assert.ok(background?.type === 'run-phase');
  assert.equal(background.phase, 'running');
  assert.equal(background.detail, `Training in the background (pid ${trainer.pid}): its progress is read from its run folder every few seconds; the charts add each epoch when it ends.`);
  // Its progress.json moved on (backgroundProgress.ts): the panel's batch progress moves, under the run folder's key.
  h.posted.length = 0;
  const batch = { type: 'batch-end', epoch: 3, batch: 2, batches: 7, loss: 0.6, accuracy: 0.7, msPerStep: 800 } as const;
  h.session.showBackgroundBatch(unfinished, batch);
  h.session.showBackgroundBatch(finished, batch);
  assert.deepEqual(h.posted, [{ type: 'trainer-event', runKey: unfinished, event: batch }], 'only for the run followed from its folder');
  h.posted.length = 0;
  await h.session.handleMessage({ type: 'stop-run', runKey: unfinished });
  assert.deepEqual(h.calls.stopBackground, [unfinished], 'Stop goes to the background trainer');
  assert.deepEqual(h.calls.informed.slice(-1), [`stopping the trainer of ${unfinished}`]);
  const stopping = h.posted.at(-1);
  assert.ok(stopping?.type === 'run-phase', 'the panel says "stopping" at once (its Stop button is disabled then)');
  assert.deepEqual([stopping.phase, stopping.detail], ['stopping', 'Stopping after the current batch…']);
  // An epoch ends before the trainer stops: still "stopping", not back to "training in the background".
  h.posted.length = 0;
  await h.session.refreshFromDisk();
  const stillStopping = h.posted.at(-1);
  assert.ok(stillStopping?.type === 'run-phase');
  assert.equal(stillStopping.phase, 'stopping');
  // The trainer stopped (SIGINT): run.json says so, with its reason.
  rmSync(join(unfinished, LOCK_FILE));
  writeFileSync(join(unfinished, 'run.json'), JSON.stringify({ ...record, status: 'cancelled', message: 'interrupted (SIGINT)' }));
  h.posted.length = 0;
  await h.session.refreshFromDisk();
  const stopped = h.posted.at(-1);
  assert.ok(stopped?.type === 'run-phase');
  assert.deepEqual([stopped.phase, stopped.detail], ['stopped', 'Stopped: interrupted (SIGINT).']);
  h.posted.length = 0;
  await h.session.refreshFromDisk();
  assert.deepEqual(h.posted, [], 'once stopped, it is no longer followed');
  h.session.showBackgroundBatch(unfinished, batch);
  assert.deepEqual(h.posted, [], 'a late progress reading of a stopped run is not shown');

  // Resumed elsewhere, it runs again; this time it completes.
  writeFileSync(join(unfinished, LOCK_FILE), JSON.stringify({ pid: trainer.pid, host: hostname(), since: 'later' }));
  writeFileSync(join(unfinished, 'run.json'), JSON.stringify({ ...record, status: 'running', finishedAt: null }));
  await h.session.showRun(unfinished, { focus: false });
  // (h.posted was asserted empty above: read it as the array it is.)
  const again = (h.posted as HostToWebviewMessage[]).at(-1);
  assert.ok(again?.type === 'run-phase');
  assert.equal(again.phase, 'running', 'a new trainer of the run is followed as training again, not as stopping');
  rmSync(join(unfinished, LOCK_FILE));
  writeFileSync(join(unfinished, 'run.json'), JSON.stringify({ ...record, status: 'completed' }));
  h.posted.length = 0;
  await h.session.refreshFromDisk();
  assert.deepEqual(h.posted.map(describe).slice(-1), [`phase:completed@${unfinished}`], 'the end is shown once');
  h.posted.length = 0;
  await h.session.refreshFromDisk();
  assert.deepEqual(h.posted, [], 'once finished, it is no longer followed');
  await trainer.stop();
  h.dispose();
});

test('the status bar follows a new epoch at its first batch (onDidChange on batch-end), as the panel does', async () => {
  const h = harness({ runDir: join(work, 'runs', 'batches-1'), finish: false });
  const run = startRun(h);
  const epochsSeen: number[] = [];
  h.runs.onDidChange((changed) => {
    if (changed === run && changed.lastBatch !== null) epochsSeen.push(changed.lastBatch.epoch);
  });
  await untilTrue('a change for the first batch of epoch 2', () => epochsSeen.includes(2), { timeoutMs: 5000, intervalMs: 10 });
  // Epoch 2 has one batch and no epoch-end yet: without batch changes the status bar would still say epoch 1's.
  assert.equal(run.lastEpoch?.epoch, 1);
  await run.stop();
  h.dispose();
});
