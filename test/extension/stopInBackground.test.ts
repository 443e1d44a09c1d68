/**
 * A window reloaded while its trainer trains: the BUILT extension (fake `vscode`, real trainers) marks the run
 * as training in the background (the `smallConvnet.trainingInBackground` context key, which enables "Stop
 * Training" in the palette, the view title and the run's inline and context menus), and "Stop Training" from
 * the palette, with no run argument, reaches that trainer through trainer.lock; with several such runs (other
 * windows' too), it asks which.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { COMMANDS, CONTEXT_KEYS } from '../../src/extension/ids';
import { stopBackgroundTrainer } from '../../src/extension/runs/backgroundTrainer';
import { readRunFolder, type RunOnDisk } from '../../src/extension/runs/runStore';
import { TrainingRuns } from '../../src/extension/session/trainingRuns';
import { until } from '../helpers/until';
import { activateWithContext, builtExtensionInTempWorkspace } from './helpers/builtExtension';
import { realTrainerLauncher } from './helpers/realTrainer';
import { prepareDemoSubsets, runFolderWhen, startRunToEpoch1 } from './helpers/realRuns';

const SETTINGS = { recipe: 'scratch', epochs: 30, imageSize: 78, batchSize: 2, learningRate: 0.001, seed: 3 } as const;
const built = builtExtensionInTempWorkspace('small-convnet-stop-background-');
let workFolder: string;
let dataDir: string;

/** A run started by a window that then went away (reload): its trainer goes on, detached. Resolves after epoch 1. */
async function startDetachedRun(): Promise<string> {
  const window = new TrainingRuns(realTrainerLauncher());
  const run = await startRunToEpoch1({ runs: window, dataDir, workFolder, settings: SETTINGS });
  window.dispose();
  return run.runDir!;
}

async function stoppedRun(runDir: string): Promise<RunOnDisk> {
  return runFolderWhen(runDir, (run) => run.record.status !== 'running' && run.trainer === null);
}

/** The reloaded window: activates the extension, runs `body`, disposes everything. */
async function inReloadedWindow(body: () => Promise<void>): Promise<void> {
  const { harness, extension, workspace } = built;
  harness.recorder.calls.length = 0;
  harness.recorder.messages.length = 0;
  const subscriptions = activateWithContext({ extension, harness, workspace });
  try {
    await body();
  } finally {
    for (const subscription of subscriptions) subscription.dispose();
    extension.deactivate();
  }
}

before(async () => {
  workFolder = join(built.workspace, 'small-convnet-work');
  dataDir = await prepareDemoSubsets({ root: built.workspace, out: join(workFolder, 'data'), perClass: 8, seed: 5, split: { train: 6, validation: 2, test: 0 } });
});

test('after a reload, "Stop Training" from the palette stops the run training in the background', async () => {
  const runDir = await startDetachedRun();
  await inReloadedWindow(async () => {
    const { recorder } = built.harness;
    const enabled = `commands.executeCommand setContext ${JSON.stringify([CONTEXT_KEYS.trainingInBackground, true])}`;
    await until('the background context key', () => (recorder.calls.includes(enabled) ? true : undefined));
    assert.ok(!recorder.calls.includes(`commands.executeCommand setContext ${JSON.stringify([CONTEXT_KEYS.training, true])}`), 'this window trains nothing itself');

    await recorder.commands.get(COMMANDS.stopTraining)?.();
    assert.ok(recorder.messages.some((m) => /^info: Asked the trainer \(pid \d+\) to stop after its current batch/.test(m)), `messages: ${recorder.messages.join(' | ')}`);
    const stopped = await stoppedRun(runDir);
    assert.equal(stopped.record.status, 'cancelled');
    assert.ok((stopped.history?.epochs.length ?? 0) < SETTINGS.epochs, 'stopped before its last epoch');
  });
});

test('with two runs in the background, the palette\'s Stop asks which, and stops only that one', async () => {
  const first = await startDetachedRun();
  const second = await startDetachedRun();
  const secondId = (await readRunFolder(second))!.record.runId;
  await inReloadedWindow(async () => {
    const { recorder } = built.harness;
    const offered: string[] = [];
    recorder.ui = {
      ...recorder.ui,
      quickPick: (items) => {
        offered.push(...items.map((item) => item.label));
        return items.find((item) => item.label === secondId);
      },
    };
    await recorder.commands.get(COMMANDS.stopTraining)?.();
    assert.equal(offered.length, 3, `each run and "All": ${offered.join(' | ')}`);
    assert.match(offered[2], /All 2 runs$/);
    assert.equal((await stoppedRun(second)).record.status, 'cancelled');
    const other = await readRunFolder(first);
    assert.equal(other?.record.status, 'running', 'the run not picked trains on');
    assert.equal(other?.trainer?.alive, true);
  });
  await stopBackgroundTrainer(first);
  await stoppedRun(first);
});
