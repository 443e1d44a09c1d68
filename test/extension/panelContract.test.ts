/**
 * The host/panel contract end to end in plain Node: what the PanelSession posts is fed through the panel's
 * own parser and reducer (parseHostMessage of src/shared/webviewProtocol.ts, webview-ui/panelState.ts). One live run must stay ONE
 * run in the panel across the temporary-key -> run-folder switch and a replay, and the state it saves must
 * give the host back the run folders after a reload.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { HostToWebviewMessage } from '../../src/shared/webviewProtocol';
import { parseHostMessage } from '../../src/shared/webviewProtocol';
import { initialState, reduce, type PanelState } from '../../webview-ui/panelState';
import { PanelSession } from '../../src/extension/panel/panelSession';
import { readPanelState } from '../../src/extension/panel/panelStateReader';
import { readRunFolder } from '../../src/extension/runs/runStore';
import { TrainingRuns } from '../../src/extension/session/trainingRuns';
import { makeScriptFolder, type ScriptFolder } from './helpers/childScripts';
import { SETTINGS, scriptedTrainerLauncher, writeFinishedRun } from './helpers/scriptedTrainer';

let root: string;
let scripts: ScriptFolder;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'small-convnet-contract-'));
  scripts = makeScriptFolder();
});
after(() => {
  scripts.remove();
  rmSync(root, { recursive: true, force: true });
});

test('one live run stays one panel run through the key switch, a replay and a run loaded to compare', async () => {
  const work = join(root, 'work');
  const dataDir = join(work, 'data', 'demo');
  mkdirSync(join(dataDir, 'test', 'stripes'), { recursive: true });
  const runDir = join(work, 'runs', 'live');
  const otherRun = join(work, 'runs', 'earlier');
  writeFinishedRun({ runDir: otherRun, dataDir });

  let state: PanelState = initialState();
  const apply = (message: HostToWebviewMessage) => {
    const parsed = parseHostMessage(JSON.parse(JSON.stringify(message)));
    assert.ok(parsed, `the panel rejected ${JSON.stringify(message).slice(0, 200)}`);
    state = reduce(state, parsed);
  };
  const runs = new TrainingRuns(scriptedTrainerLauncher({ scripts, runDir, dataDir, finish: true }));
  const session = new PanelSession({
    port: { post: apply, webviewUris: (files) => Object.fromEntries(files.map((f) => [f, `https://webview.test${f}`])) },
    runs,
    readRun: readRunFolder,
    listImages: async () => [],
    actions: { evaluateRun: () => undefined, exportRun: () => undefined, explainImages: () => undefined, activationsOfImage: () => undefined, openFile: () => undefined, pickRunToCompare: async () => otherRun, startRecipe: () => undefined, inform: () => undefined, log: () => undefined, stopBackgroundRun: async () => ({ asked: false, text: '' }) },
    workFolder: () => work,
  });

  const run = runs.start({ command: 'train', args: [], settings: { ...SETTINGS }, dataLabel: 'demo' });
  await run.finished;
  assert.equal(state.order.length, 1, `runs in the panel: ${state.order.join(', ')}`);
  const key = state.order[0];
  const live = state.runs[key];
  assert.equal(live.runDir, runDir);
  assert.equal(live.phase, 'completed');
  assert.deepEqual(live.history.map((p) => p.epoch), [1]);
  assert.equal(live.summary?.totalParams, 257);
  assert.ok(state.imageUris[join(runDir, 'augmentation', 'grid.png')]);

  await session.handleMessage({ type: 'ready' });
  assert.equal(state.order.length, 1, 'a replay does not duplicate the run');

  await session.handleMessage({ type: 'pick-run-to-compare' });
  assert.equal(state.order.length, 2);
  const earlier = Object.values(state.runs).find((r) => r.runDir === otherRun || r.runId === 'earlier');
  assert.ok(earlier);
  assert.deepEqual(earlier.history.map((p) => p.epoch), [1, 2]);
  assert.equal(earlier.evaluation?.accuracy, 0.75);

  const summary = readPanelState(JSON.parse(JSON.stringify(state)));
  assert.ok(summary.runDirs.includes(runDir), JSON.stringify(summary));
  if (key !== runDir) assert.equal(summary.keyToRunDir[key], runDir);
  session.dispose();
  runs.dispose();
});
