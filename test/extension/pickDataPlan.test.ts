/**
 * The images step of Train Small Convnet (src/extension/train/pickDataPlan.ts) on folders people bring: one that
 * came split (train/ and test/) offers "Use train" and goes on with train/'s classes; photos it cannot read
 * (HEIC) are named where the split is chosen. VS Code replaced by helpers/fakeVscode.ts; real folders.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installFakeVscode, makeFakeVscode, type QuickPickItemLike } from './helpers/fakeVscode';

let root: string;
let harness: ReturnType<typeof makeFakeVscode>;
let uninstall: () => void;
let picker: typeof import('../../src/extension/train/pickDataPlan');

function touch(file: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, '');
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'small-convnet-pick-data-'));
  harness = makeFakeVscode({ workspaceFolder: root });
  uninstall = installFakeVscode(harness.fake);
  picker = await import('../../src/extension/train/pickDataPlan');
});
after(() => {
  uninstall();
  rmSync(root, { recursive: true, force: true });
});

/** Answers the images picker with the workspace folder, records every later prompt, and escapes the split. */
function recordPrompts(options: { button?: string }) {
  const prompts: string[] = [];
  harness.recorder.ui = {
    quickPick: (items: QuickPickItemLike[], pickOptions) => {
      if (pickOptions.title?.endsWith(': images')) return items.find((item) => item.description === root);
      prompts.push(`quickPick ${pickOptions.title} | ${pickOptions.placeHolder}`);
      return undefined;
    },
    inputBox: () => undefined,
    openDialog: () => undefined,
    message: (text, buttons) => {
      prompts.push(`message ${text} [${buttons.join(', ')}]`);
      return options.button;
    },
  };
  return prompts;
}

test('a workspace that came split (train/, test/): "Use train" goes on with the split of train/\'s classes', async () => {
  for (const subset of ['train', 'test']) for (const cls of ['ants', 'bees']) for (const file of ['1.jpg', '2.jpg', '3.jpg']) touch(join(root, subset, cls, file));
  try {
    const prompts = recordPrompts({ button: 'Use train' });
    const plan = await picker.pickDataPlan({ workFolder: join(root, 'small-convnet-work'), title: 'Train Small Convnet' });
    assert.equal(plan, undefined, 'the split was escaped');
    assert.equal(prompts.length, 2, prompts.join('\n'));
    assert.match(prompts[0], /^message .* looks already split into subsets \(train\/ and test\/\), not into classes: .*\[Use train, Pick Another Folder\]$/);
    assert.match(prompts[1], /^quickPick Found 2 classes \(class folders\): ants 3 · bees 3 \| Images per class/);
  } finally {
    // The workspace folder is shared by the tests of this file.
    for (const subset of ['train', 'test']) rmSync(join(root, subset), { recursive: true, force: true });
  }
});

test('photos it cannot read beside the ones it can: the split picker says they are not counted and what to do', async () => {
  for (const file of ['1.jpg', '2.jpg', '3.jpg']) touch(join(root, 'cat', file));
  for (const file of ['IMG_1.HEIC', 'IMG_2.HEIC']) touch(join(root, 'cat', file));
  for (const file of ['1.jpg', '2.jpg', '3.jpg']) touch(join(root, 'dog', file));
  const prompts = recordPrompts({});
  await picker.pickDataPlan({ workFolder: join(root, 'small-convnet-work'), title: 'Train Small Convnet' });
  assert.deepEqual(prompts, [
    'quickPick Found 2 classes (class folders): cat 3 · dog 3 | Not counted: 2 .heic files (HEIC, the iPhone photo format), which Small Convnet does not read (convert them to JPEG or PNG to use them)',
  ]);
});
