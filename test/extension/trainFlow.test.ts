/**
 * The whole host path with the BUILT extension and the REAL trainer, VS Code replaced by helpers/fakeVscode.ts
 * with a scripted person: "Train Small Convnet" -> Browse… -> custom split 6/2/2 -> custom recipe (1 epoch at
 * 78 px) -> prepare + train -> panel messages, status bar, trees -> the panel asks to evaluate -> predict ->
 * delete. One tiny training run (~10 s).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { HostToWebviewMessage } from '../../src/shared/webviewProtocol';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { COMMANDS, VIEWS } from '../../src/extension/ids';
import { installFakeVscode, makeFakeVscode, type QuickPickItemLike } from './helpers/fakeVscode';
import { REPO_ROOT } from './helpers/realTrainer';
import { untilTrue } from '../helpers/until';

interface ExtensionModule {
  activate(context: object): void;
}

let root: string;
let source: string;
let harness: ReturnType<typeof makeFakeVscode>;
let uninstall: () => void;
const subscriptions: { dispose(): void }[] = [];
const validationMessages: string[] = [];

function pick(items: QuickPickItemLike[], label: string): QuickPickItemLike {
  const item = items.find((candidate) => candidate.label.includes(label));
  assert.ok(item, `no item "${label}" in ${items.map((i) => i.label).join(' | ')}`);
  return item;
}

const ANSWERS: [RegExp, string, string][] = [
  [/train\/validation\/test/, '6/2/2', '6/2'],
  [/^Epochs/, '1', '0'],
  [/^Image size/, '78', '64'],
  [/^Batch size/, '4', 'x'],
  [/^Learning rate/, '0.001', '-1'],
  [/^Random seed/, '1', '1.5'],
];

before(async () => {
  assert.ok(existsSync(join(REPO_ROOT, 'dist', 'extension', 'extension.js')), 'build first: node esbuild.mjs');
  root = mkdtempSync(join(tmpdir(), 'small-convnet-flow-e2e-'));
  source = join(root, 'images');
  await generateDemoSource({ dir: source, perClass: 10, size: 80, seed: 5 });
  harness = makeFakeVscode({ workspaceFolder: join(root, 'workspace') });
  harness.recorder.configuration.workers = 1;
  harness.recorder.ui = {
    quickPick: (items, options) => {
      const title = options.title ?? '';
      if (title.endsWith(': images')) return pick(items, 'Browse…');
      if (title.startsWith('Found 2 classes (CLASS.N files): spots 10 · stripes 10')) return pick(items, 'Custom split…');
      if (title.endsWith(': recipe')) return pick(items, 'Custom…');
      if (title.endsWith(': custom recipe, model')) return pick(items, 'From scratch');
      throw new Error(`unexpected QuickPick "${title}"`);
    },
    inputBox: (options) => {
      const answer = ANSWERS.find(([prompt]) => prompt.test(options.prompt ?? ''));
      assert.ok(answer, `unexpected InputBox "${options.prompt}"`);
      const complaint = options.validateInput?.(answer[2]);
      assert.ok(complaint, `"${answer[2]}" should be refused for "${options.prompt}"`);
      validationMessages.push(complaint);
      assert.equal(options.validateInput?.(answer[1]), undefined);
      return answer[1];
    },
    openDialog: () => [source],
    message: (text) => (text.startsWith('Delete the run') ? 'Delete' : undefined),
  };
  uninstall = installFakeVscode(harness.fake);
  const extension = createRequire(__filename)(join(REPO_ROOT, 'dist', 'extension', 'extension.js')) as ExtensionModule;
  const state = new Map<string, unknown>();
  extension.activate({
    subscriptions,
    extensionPath: REPO_ROOT,
    extensionUri: harness.Uri.file(REPO_ROOT),
    globalStorageUri: harness.Uri.file(join(root, 'global')),
    workspaceState: { get: (key: string) => state.get(key), update: async (key: string, value: unknown) => void state.set(key, value), keys: () => [...state.keys()] },
  });
});

after(() => {
  for (const subscription of subscriptions) subscription.dispose();
  uninstall();
  rmSync(root, { recursive: true, force: true });
});

test('guided flow to a finished run, the panel fed, then evaluate, open, predict and delete', async () => {
  const { recorder } = harness;
  const work = join(root, 'workspace', 'small-convnet-work');
  await recorder.commands.get(COMMANDS.train)?.();
  assert.equal(validationMessages.length, 6);
  assert.match(validationMessages.join('\n'), /at least one image|TRAIN\/VALIDATION\/TEST/);
  assert.match(validationMessages.join('\n'), /from 78 to 1024/);

  await untilTrue('the end of training', () => recorder.messages.some((m) => m.startsWith('info: Training finished') || m.startsWith('error:')), { timeoutMs: 60_000, intervalMs: 25 });
  assert.ok(!recorder.messages.some((m) => m.startsWith('error:')), recorder.messages.join('\n'));
  assert.ok(recorder.calls.some((call) => call.startsWith('window.withProgress Small Convnet: copying 6/2/2 per class of images')));

  const [panel] = recorder.panels;
  assert.ok(panel, 'the training panel opened');
  assert.match(panel.webview.html, /<script nonce="[^"]+" src="https:\/\/webview\.test[^"]*dist\/webview\/panel\.js">/);
  assert.match(panel.webview.html, /Content-Security-Policy/);
  const roots = (panel.webview.options.localResourceRoots ?? []).map((uri) => uri.fsPath);
  assert.ok(roots.includes(join(REPO_ROOT, 'dist', 'webview')), roots.join(', '));
  assert.ok(!roots.includes(work), `only the folders of the images shown, not the work folder: ${roots.join(', ')}`);
  const posted = panel.webview.posted as HostToWebviewMessage[];
  const eventTypes: string[] = posted.flatMap((m) => (m.type === 'trainer-event' ? [m.event.type] : []));
  for (const type of ['hello', 'model-summary', 'run-started', 'epoch-end', 'checkpoint-saved', 'done']) assert.ok(eventTypes.includes(type), `${type} forwarded`);
  const started = posted.find((m) => m.type === 'trainer-event' && m.event.type === 'run-started');
  assert.ok(started?.type === 'trainer-event' && started.event.type === 'run-started');
  const runDir = started.event.runDir;
  assert.ok(posted.some((m) => m.type === 'run-loaded' && m.runKey === runDir), 'the key link');
  assert.ok(posted.some((m) => m.type === 'run-phase' && m.phase === 'completed'));
  assert.ok(recorder.statusBarTexts.some((text) => text.startsWith('$(pulse) Epoch 1/1')), recorder.statusBarTexts.join(' | '));

  const runs = (await recorder.treeProviders.get(VIEWS.checkpoints)?.getChildren(undefined)) as { kind: string }[];
  assert.equal(runs.length, 1);
  const subsets = (await recorder.treeProviders.get(VIEWS.subsets)?.getChildren(undefined)) as { kind: string }[];
  assert.equal(subsets.length, 1);

  // The panel asks for an evaluation by the run's temporary key.
  const temporaryKey = started.runKey;
  panel.webview.receive({ type: 'evaluate-run', runKey: temporaryKey });
  await untilTrue('the evaluation', () => recorder.messages.some((m) => / test accuracy \d/.test(m)), { timeoutMs: 60_000, intervalMs: 25 });
  assert.ok(posted.some((m) => m.type === 'trainer-event' && m.runKey === runDir && m.event.type === 'evaluation'));

  panel.webview.receive({ type: 'open-file', path: '/etc/passwd' });
  panel.webview.receive({ type: 'open-file', path: join(work, 'data', 'images-6-2-2', 'test', 'spots', 'spots.9.png') });
  await untilTrue('vscode.open', () => recorder.calls.some((call) => call.startsWith('commands.executeCommand vscode.open')), { timeoutMs: 60_000, intervalMs: 25 });
  assert.equal(recorder.calls.filter((call) => call.startsWith('commands.executeCommand vscode.open')).length, 1);

  harness.recorder.ui.openDialog = () => [join(source, 'stripes.1.png')];
  await recorder.commands.get(COMMANDS.predictImage)?.(runs[0]);
  // A verdict, all probabilities, and (stripes.1.png was copied into train) that the run has seen the image.
  assert.ok(
    recorder.messages.some((m) => /^info: stripes\.1\.png: (spots|stripes|undecided between) .*All classes: (spots|stripes) \d+\.\d% · (spots|stripes) \d+\.\d% .*Note: the run trained on this image/.test(m)),
    recorder.messages.join('\n'),
  );

  await recorder.commands.get(COMMANDS.deleteRun)?.(runs[0]);
  assert.equal(existsSync(runDir), false);
  assert.ok(existsSync(join(work, 'data', 'images-6-2-2')), 'the prepared images stay');
});
