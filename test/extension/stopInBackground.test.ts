/**
 * A window reloaded while its trainer trains: the BUILT extension (fake `vscode`, real trainer) marks the run
 * as training in the background (the `smallConvnet.trainingInBackground` context key, which enables "Stop
 * Training" in the palette, the view title and the run's inline and context menus) and "Stop Training" from the
 * palette, with no run argument, reaches that trainer through trainer.lock.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { COMMANDS, CONTEXT_KEYS } from '../../src/extension/ids';
import { readRunFolder } from '../../src/extension/runs/runStore';
import { TrainingRuns } from '../../src/extension/session/trainingRuns';
import { messagesOfType, runTrainerJob } from '../../src/extension/trainer/runTrainerJob';
import { prepareArgs, trainArgs } from '../../src/extension/trainer/trainerArgs';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { installFakeVscode, makeFakeVscode } from './helpers/fakeVscode';
import { until } from '../helpers/until';
import { activateWithContext, EXTENSION_BUNDLE, requireBuiltExtension } from './helpers/builtExtension';
import { realTrainerLauncher } from './helpers/realTrainer';

const SETTINGS = { recipe: 'scratch', epochs: 30, imageSize: 78, batchSize: 2, learningRate: 0.001, seed: 3 } as const;
let workspace: string;

before(() => {
  assert.ok(existsSync(EXTENSION_BUNDLE), 'build first: node esbuild.mjs');
  workspace = mkdtempSync(join(tmpdir(), 'small-convnet-stop-background-'));
});
after(() => rmSync(workspace, { recursive: true, force: true }));

test('after a reload, "Stop Training" from the palette stops the run training in the background', async () => {
  // The window before the reload: prepares tiny data and starts a long run in the default work folder.
  const workFolder = join(workspace, 'small-convnet-work');
  const source = join(workspace, 'source');
  await generateDemoSource({ dir: source, perClass: 8, size: 80, seed: 5 });
  const prepared = await runTrainerJob({ launcher: realTrainerLauncher(), command: 'prepare', args: prepareArgs({ source, out: join(workFolder, 'data'), split: { train: 6, validation: 2, test: 0 }, replace: false }) });
  assert.equal(prepared.outcome.kind, 'completed', prepared.outcome.summary);
  const before = new TrainingRuns(realTrainerLauncher());
  const run = before.start({ command: 'train', args: trainArgs({ data: messagesOfType(prepared.messages, 'prepared')[0].outDir, workFolder, settings: { ...SETTINGS }, backend: 'auto', workers: 1 }), settings: { ...SETTINGS }, dataLabel: 'tiny' });
  await new Promise<void>((resolve) => run.onEvent(({ message }) => message.type === 'epoch-end' && resolve()));
  const runDir = run.runDir!;
  before.dispose();

  // The reloaded window.
  const harness = makeFakeVscode({ workspaceFolder: workspace });
  const uninstall = installFakeVscode(harness.fake);
  const subscriptions: { dispose(): void }[] = [];
  try {
    const extension = requireBuiltExtension();
    const { recorder } = harness;
    subscriptions.push(...activateWithContext({ extension, harness, workspace }));
    const enabled = `commands.executeCommand setContext ${JSON.stringify([CONTEXT_KEYS.trainingInBackground, true])}`;
    await until('the background context key', () => (recorder.calls.includes(enabled) ? true : undefined));
    assert.ok(!recorder.calls.includes(`commands.executeCommand setContext ${JSON.stringify([CONTEXT_KEYS.training, true])}`), 'this window trains nothing itself');

    await recorder.commands.get(COMMANDS.stopTraining)?.();
    assert.ok(
      recorder.messages.some((m) => /^info: Asked the trainer \(pid \d+\) to stop after its current batch/.test(m)),
      `messages: ${recorder.messages.join(' | ')}`,
    );
    const stopped = await until('the run to stop', async () => {
      const onDisk = await readRunFolder(runDir);
      return onDisk !== null && onDisk.record.status !== 'running' && onDisk.trainer === null ? onDisk : undefined;
    });
    assert.equal(stopped.record.status, 'cancelled');
    assert.ok((stopped.history?.epochs.length ?? 0) < SETTINGS.epochs, 'stopped before its last epoch');
    extension.deactivate();
  } finally {
    for (const subscription of subscriptions) subscription.dispose();
    uninstall();
  }
});
