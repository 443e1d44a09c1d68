/**
 * Evaluate on Test Set for a run whose prepared subsets were deleted (Delete Subsets) or moved: the editor says so
 * before starting any trainer, names the folder, and offers Make Subsets… (the same images and split give the
 * same subsets back), instead of the trainer's command-line advice (--data). Built extension, fake `vscode`, a
 * real run trained by the real trainer.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../src/extension/ids';
import { messagesOfType, runTrainer } from '../helpers/runTrainer';
import { makeTinyDataset, tinyTrainOptions } from '../helpers/tinyData';
import { activateWithContext, builtExtensionInTempWorkspace } from './helpers/builtExtension';

const built = builtExtensionInTempWorkspace('small-convnet-missing-subset-');

test('Evaluate on Test Set after the subsets were deleted: a message naming the missing test folder and offering Make Subsets…, no trainer started', async () => {
  const { harness, extension, workspace } = built;
  const data = await makeTinyDataset({ root: join(workspace, 'tiny') });
  const trained = await runTrainer({ args: ['train', ...tinyTrainOptions({ data, out: join(workspace, 'small-convnet-work'), epochs: 1 }), '--json'] });
  assert.equal(trained.code, 0, trained.stderr);
  const runDir = messagesOfType(trained, 'run-started')[0].runDir;
  const testDir = join(data, 'test');
  renameSync(data, `${data}-moved`); // deleted or moved: the run's dataDir is gone

  const { recorder } = harness;
  const subscriptions = activateWithContext({ extension, harness, workspace });
  try {
    const buttons: string[][] = [];
    recorder.ui = { ...recorder.ui, message: (_text, offered) => (buttons.push(offered), 'Make Subsets…') };
    await recorder.commands.get(COMMANDS.evaluateCheckpoint)?.(runDir);
    const errors = recorder.messages.filter((message) => message.startsWith('error: '));
    assert.deepEqual(errors, [
      `error: ${messagesOfType(trained, 'run-started')[0].runId} cannot be evaluated: its test subset ${testDir} is gone (deleted or moved). ` +
        'Make the same subsets again (Make Subsets…, the same images and split: the split is the same every time), then evaluate.',
    ]);
    assert.deepEqual(buttons, [['Make Subsets…']]);
    assert.ok(recorder.calls.includes(`commands.executeCommand ${COMMANDS.prepareData} []`), 'the button runs Make Subsets…');
    assert.ok(!recorder.messages.some((message) => message.includes('--data')), 'no command-line advice');
    assert.ok(!existsSync(join(runDir, 'evaluation.json')) && !readdirSync(runDir).some((name) => name.startsWith('evaluation')), 'no evaluation ran');
  } finally {
    for (const subscription of subscriptions) subscription.dispose();
    extension.deactivate();
  }
});
