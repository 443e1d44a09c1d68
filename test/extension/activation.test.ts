/**
 * Activates the BUILT extension (dist/extension/extension.js) against a fake `vscode` module: nothing runs at
 * import time, activate() registers every command, both views, the panel serializer and the status bar, the
 * views read an empty work folder, and disposing context.subscriptions disposes everything.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS, PANEL_VIEW_TYPE, VIEWS } from '../../src/extension/ids';
import { activateWithContext, builtExtensionInTempWorkspace } from './helpers/builtExtension';

const built = builtExtensionInTempWorkspace('small-convnet-activation-');

test('activation registers every command, both views, the serializer and the status bar; nothing at import time', async () => {
  const { harness, extension, workspace } = built;
  const { recorder } = harness;
  assert.equal(recorder.calls.length, 0, 'requiring the bundle calls no vscode API');
  const subscriptions = activateWithContext({ extension, harness, workspace });
  assert.deepEqual([...recorder.commands.keys()].sort(), Object.values(COMMANDS).sort());
  assert.deepEqual([...recorder.treeProviders.keys()].sort(), Object.values(VIEWS).sort());
  assert.deepEqual([...recorder.serializers], [PANEL_VIEW_TYPE]);
  assert.ok(recorder.calls.includes('window.createStatusBarItem smallConvnet.training'));
  assert.ok(recorder.calls.some((call) => call.startsWith(`workspace.createFileSystemWatcher ${join(workspace, 'small-convnet-work')} `)));

  for (const id of Object.values(VIEWS)) assert.deepEqual(await recorder.treeProviders.get(id)?.getChildren(undefined), [], `${id} is empty (its welcome text shows)`);

  await recorder.commands.get(COMMANDS.stopTraining)?.();
  assert.ok(recorder.messages.includes('info: No Small Convnet run is training.'));
  await recorder.commands.get(COMMANDS.showLog)?.();
  assert.ok(recorder.calls.includes('outputChannel.show'));
  await recorder.commands.get(COMMANDS.evaluateCheckpoint)?.();
  assert.ok(recorder.messages.some((message) => message.startsWith('info: No run with a saved checkpoint yet')));

  assert.ok(subscriptions.length > 0);
  for (const subscription of subscriptions) subscription.dispose();
  extension.deactivate();
  assert.equal(recorder.commands.size, 0, 'every command unregistered');
  const leftOver = recorder.disposables.filter((d) => !d.disposed);
  assert.equal(leftOver.length, 0, `${leftOver.length} disposables were not disposed`);
});
