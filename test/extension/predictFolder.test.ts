/**
 * "Predict with Small Convnet…" on a folder, through the BUILT extension (fake `vscode`, the real trainer): the
 * list of verdicts, then the picked image gets the one-image message (verdict, all classes, the run's name) with
 * "Where Did It Look?", which opens its Grad-CAM overlay beside. Before, picking from the list only opened the
 * image: no heatmap was offered for images predicted in bulk.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { before, test } from 'node:test';
import { COMMANDS } from '../../src/extension/ids';
import { readRunFolder } from '../../src/extension/runs/runStore';
import { messagesOfType, runTrainerJob } from '../../src/extension/trainer/runTrainerJob';
import { trainArgs } from '../../src/extension/trainer/trainerArgs';
import { activateWithContext, builtExtensionInTempWorkspace } from './helpers/builtExtension';
import type { QuickPickItemLike } from './helpers/fakeVscode';
import { realTrainerLauncher } from './helpers/realTrainer';
import { prepareDemoSubsets } from './helpers/realRuns';

const SETTINGS = { recipe: 'scratch', epochs: 1, imageSize: 78, batchSize: 2, learningRate: 0.001, seed: 6 } as const;
const built = builtExtensionInTempWorkspace('small-convnet-predict-folder-');
let dataDir: string;
let runId: string;

before(async () => {
  const workFolder = join(built.workspace, 'small-convnet-work');
  dataDir = await prepareDemoSubsets({ root: built.workspace, out: join(workFolder, 'data'), perClass: 6, seed: 6, split: { train: 3, validation: 1, test: 2 } });
  const trained = await runTrainerJob({ launcher: realTrainerLauncher(), command: 'train', args: trainArgs({ data: dataDir, workFolder, settings: { ...SETTINGS }, backend: 'auto', workers: 1 }) });
  assert.equal(trained.outcome.kind, 'completed', trained.outcome.summary);
  const [started] = messagesOfType(trained.messages, 'run-started');
  const run = await readRunFolder(started.runDir);
  assert.ok(run?.best, 'the run saved a checkpoint');
  runId = run.record.runId;
});

test('"Predict with Small Convnet…" on a folder: a verdict per image; the one picked offers "Where Did It Look?", which opens its heatmap beside', async () => {
  const { harness, extension, workspace } = built;
  const subscriptions = activateWithContext({ extension, harness, workspace });
  try {
    const { recorder, Uri } = harness;
    const testFolder = join(dataDir, 'test');
    const lists: { title?: string; items: QuickPickItemLike[] }[] = [];
    const buttons: string[][] = [];
    recorder.ui = {
      quickPick: (items, options) => {
        lists.push({ title: options.title, items });
        // The checkpoint first (the only run), then the second image of the predictions.
        return options.title === 'Predict with which checkpoint?' ? items[0] : items[1];
      },
      inputBox: () => undefined,
      openDialog: () => undefined,
      message: (_text, items) => {
        buttons.push(items);
        return items.includes('Where Did It Look?') ? 'Where Did It Look?' : undefined;
      },
    };

    await recorder.commands.get(COMMANDS.predictWithCheckpoint)?.(Uri.file(testFolder), undefined);

    assert.deepEqual(lists.map((list) => list.title), ['Predict with which checkpoint?', `Predictions of ${runId} (4 images)`]);
    const predictions = lists[1].items;
    assert.deepEqual(predictions.map((item) => item.label).sort(), ['spots.5.png', 'spots.6.png', 'stripes.5.png', 'stripes.6.png'].sort(), 'the two test images of each class');
    for (const item of predictions) assert.match(item.description ?? '', /^((spots|stripes) \(\d+(\.\d)?%\)|undecided between )/, `a verdict for ${item.label}`);

    const picked = predictions[1].label;
    const shown = recorder.messages.filter((m) => m.startsWith('info: '));
    assert.equal(shown.length, 1, `one message, for the image picked: ${recorder.messages.join(' | ')}`);
    assert.ok(shown[0].startsWith(`info: ${picked}: `), shown[0]);
    assert.match(shown[0], new RegExp(`All classes: .*\\(${runId}\\)\\.$`), 'no "trained on" note: a test image is new to the run');
    assert.deepEqual(buttons, [['Open Image', 'Where Did It Look?']]);

    const opened = recorder.calls.filter((call) => call.startsWith('commands.executeCommand vscode.open '));
    assert.equal(opened.length, 1, `one editor opened: ${opened.join(' | ')}`);
    const [target, how] = JSON.parse(opened[0].slice('commands.executeCommand vscode.open '.length)) as [{ fsPath: string }, { viewColumn: number; preview: boolean }];
    assert.match(basename(target.fsPath), /\.png$/);
    assert.ok(target.fsPath.includes(basename(picked, '.png')), `the overlay of ${picked}: ${target.fsPath}`);
    assert.ok(existsSync(target.fsPath), `the overlay exists: ${target.fsPath}`);
    assert.equal(how.viewColumn, -2, 'beside the current editor (ViewColumn.Beside)');
  } finally {
    for (const subscription of subscriptions) subscription.dispose();
    extension.deactivate();
  }
});
