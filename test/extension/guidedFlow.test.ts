/** The guided flow's pure parts: the folder scan, the split offered, the custom recipe's validation, the saved plan. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { scanImageFolder, smallestClassCount } from '../../src/extension/data/scanImageFolder';
import { largestFittingSplit, parseSplitInput, splitOptions, validateSplitInput } from '../../src/extension/data/splitChoice';
import { readDataPlan, subsetsFolderFor } from '../../src/extension/train/dataPlan';
import { subsetsDirOfArgument, whyNotDeletable } from '../../src/extension/subsets/deletableSubsets';
import { defaultSettings, NUMERIC_FIELDS, parseNumericSetting, validateNumericSetting } from '../../src/extension/train/recipeInputs';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'small-convnet-flow-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function touch(file: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, '');
}

const field = (key: string) => {
  const found = NUMERIC_FIELDS.find((f) => f.key === key);
  assert.ok(found);
  return found;
};

test('scan: a Kaggle-style flat folder, counted per class', async () => {
  const dir = join(root, 'flat');
  for (let i = 1; i <= 5; i++) touch(join(dir, `cat.${i}.jpg`));
  for (let i = 1; i <= 3; i++) touch(join(dir, `dog.${i}.JPG`));
  touch(join(dir, 'notes.txt'));
  touch(join(dir, '.hidden.1.jpg'));
  const scan = await scanImageFolder(dir);
  assert.equal(scan.kind, 'source');
  assert.ok(scan.kind === 'source');
  assert.equal(scan.layout, 'flat');
  assert.deepEqual(scan.classes, [{ name: 'cat', count: 5 }, { name: 'dog', count: 3 }]);
  assert.equal(smallestClassCount(scan.classes), 3);
});

test('scan: one sub-folder per class, images counted recursively', async () => {
  const dir = join(root, 'classes');
  touch(join(dir, 'ants', 'a.png'));
  touch(join(dir, 'ants', 'more', 'b.webp'));
  touch(join(dir, 'bees', 'c.jpeg'));
  touch(join(dir, 'bees', 'd.gif'));
  touch(join(dir, 'bees', 'readme.md'));
  const scan = await scanImageFolder(dir);
  assert.ok(scan.kind === 'source');
  assert.equal(scan.layout, 'class-folders');
  assert.deepEqual(scan.classes, [{ name: 'ants', count: 2 }, { name: 'bees', count: 2 }]);
});

test('scan: the work folder inside a class-per-folder dataset (opened as the workspace) is no class', async () => {
  const dir = join(root, 'three');
  for (const name of ['cat', 'dog', 'shirt']) for (const file of ['1.png', '2.png']) touch(join(dir, name, file));
  // Prepared copies and runs in the default work folder, and in a marked one of another name.
  touch(join(dir, 'small-convnet-work', 'data', 'three-1-1-1', 'train', 'cat', '1.png'));
  touch(join(dir, 'my-output', '.small-convnet-work'));
  touch(join(dir, 'my-output', 'data', 'x', 'train', 'cat', '1.png'));
  const scan = await scanImageFolder(dir);
  assert.ok(scan.kind === 'source');
  assert.deepEqual(scan.classes.map((c) => c.name), ['cat', 'dog', 'shirt']);
  assert.deepEqual(scan.classes.map((c) => c.count), [2, 2, 2]);
});

test('scan: a dataset one folder down (the parent picked) says which folder to pick', async () => {
  const parent = join(root, 'parentws');
  for (const name of ['cat', 'dog']) for (const file of ['1.png', '2.png']) touch(join(parent, 'pets', name, file));
  const scan = await scanImageFolder(parent);
  assert.ok(scan.kind === 'unusable');
  assert.equal(scan.reason, `Only one class found in ${parent} (pets (4)); a classifier needs at least two. ${join(parent, 'pets')} looks like the dataset (2 classes: cat (2), dog (2)): pick that folder.`);
  // The picker offers "Use pets" with it.
  assert.equal(scan.suggestion?.kind, 'source');
  assert.equal(scan.suggestion?.dir, join(parent, 'pets'));
});

test('scan: a dataset that came split (train/ and test/, or PyTorch\'s train/ and val/) is not read as the classes "train" and "test": it offers train/', async () => {
  for (const [name, heldOut] of [['kaggle', 'test'], ['pytorch', 'val']] as const) {
    const dir = join(root, name);
    for (const subset of ['train', heldOut]) for (const cls of ['ants', 'bees']) for (const file of ['1.jpg', '2.jpg']) touch(join(dir, subset, cls, file));
    const scan = await scanImageFolder(dir);
    assert.ok(scan.kind === 'unusable', `${name}: ${scan.kind}`);
    assert.equal(
      scan.reason,
      `${dir} looks already split into subsets (train/ and ${heldOut}/), not into classes: train/ holds 2 classes: ants (2), bees (2). ` +
        'Use train: Small Convnet splits its images into training, validation and test subsets. (To keep your own split instead, name the folders train, validation and test.)',
    );
    // The picker offers "Use train" with it.
    assert.equal(scan.suggestion?.kind, 'source');
    assert.equal(scan.suggestion?.dir, join(dir, 'train'));
  }
  // The parent of such a dataset picked: the suggestion goes down to its train/.
  const parent = join(root, 'parent-of-split');
  for (const subset of ['train', 'test']) for (const cls of ['ants', 'bees']) for (const file of ['1.jpg', '2.jpg']) touch(join(parent, 'hymenoptera', subset, cls, file));
  const fromParent = await scanImageFolder(parent);
  assert.ok(fromParent.kind === 'unusable');
  assert.match(fromParent.reason, /^Only one class found .*\/hymenoptera\/train looks like the dataset \(2 classes: ants \(2\), bees \(2\)\): pick that folder\.$/);
  assert.equal(fromParent.suggestion?.dir, join(parent, 'hymenoptera', 'train'));
  // Classes that merely share a name with a subset (no class folders inside) stay classes.
  const flatClasses = join(root, 'named-like-subsets');
  for (const cls of ['train', 'test']) for (const file of ['1.jpg', '2.jpg']) touch(join(flatClasses, cls, file));
  const scan = await scanImageFolder(flatClasses);
  assert.ok(scan.kind === 'source');
  assert.deepEqual(scan.classes.map((c) => c.name), ['test', 'train']);
});

test('scan: a prepared folder (train/ and validation/) is recognised with per-subset counts', async () => {
  const dir = join(root, 'prepared');
  touch(join(dir, 'train', 'cat', '1.jpg'));
  touch(join(dir, 'train', 'dog', '2.jpg'));
  touch(join(dir, 'validation', 'cat', '3.jpg'));
  mkdirSync(join(dir, 'validation', 'dog'), { recursive: true });
  const scan = await scanImageFolder(dir);
  assert.ok(scan.kind === 'prepared');
  assert.deepEqual(scan.subsets.train, [{ name: 'cat', count: 1 }, { name: 'dog', count: 1 }]);
  assert.deepEqual(scan.subsets.validation, [{ name: 'cat', count: 1 }, { name: 'dog', count: 0 }]);
  assert.deepEqual(scan.subsets.test, []);
});

test('scan: a class of HEIC photos (an iPhone\'s) is not "no images" without a word: the files are named with what to do', async () => {
  const dir = join(root, 'phone-photos');
  for (const file of ['1.jpg', '2.jpg']) touch(join(dir, 'dog', file));
  for (const file of ['IMG_0001.HEIC', 'IMG_0002.HEIC', 'IMG_0003.HEIC']) touch(join(dir, 'cat', 'Camera Roll', file));
  const scan = await scanImageFolder(dir);
  assert.ok(scan.kind === 'unusable');
  assert.match(scan.reason, /^Class "cat" has no images in .*\? "cat" holds 3 \.heic files \(HEIC, the iPhone photo format\), which Small Convnet does not read: convert them to JPEG or PNG \(e\.g\. Export as JPEG in Photos, or any image converter\)\.$/);
  const onlyHeic = join(root, 'only-heic');
  for (const cls of ['cat', 'dog']) touch(join(onlyHeic, cls, 'IMG_1.heic'));
  const none = await scanImageFolder(onlyHeic);
  assert.ok(none.kind === 'unusable');
  assert.match(none.reason, /^No images found in .*\. It holds 2 \.heic files \(HEIC, the iPhone photo format\), which Small Convnet does not read/);
});

test('scan: images without classes (Kaggle\'s test1/, or images beside labels.csv) are not "no images": how classes are given, and that label files are not read', async () => {
  const dir = join(root, 'test1');
  for (const file of ['1.jpg', '2.jpg', '3.jpg']) touch(join(dir, file));
  const scan = await scanImageFolder(dir);
  assert.ok(scan.kind === 'unusable');
  assert.equal(scan.reason, `${dir} holds 3 images but no classes: Small Convnet takes each image's class from its file name (CLASS.N.jpg, e.g. cat.1.jpg, dog.1.jpg) or from its sub-folder (one per class: ${join(dir, 'cat')}/, ${join(dir, 'dog')}/).`);
  const withLabels = join(root, 'with-labels');
  for (const file of ['a.jpg', 'b.jpg']) touch(join(withLabels, 'images', file));
  touch(join(withLabels, 'labels.csv'));
  const one = await scanImageFolder(withLabels);
  assert.ok(one.kind === 'unusable');
  assert.match(one.reason, /^Only one class found .*\(images \(2\)\); a classifier needs at least two\. It does not read label files \(labels\.csv\): sort the images into one sub-folder per class as that file says\.$/);
});

test('scan: __MACOSX/ (a zip made on a Mac) and @eaDir/ (a Synology NAS) are neither classes nor images', async () => {
  const dir = join(root, 'from-a-zip');
  for (const cls of ['cat', 'dog']) {
    for (const file of ['1.jpg', '2.jpg']) touch(join(dir, cls, file));
    touch(join(dir, cls, '@eaDir', '1.jpg', 'SYNOFILE_THUMB_M.jpg'));
    touch(join(dir, '__MACOSX', cls, `._${cls}.1.jpg`));
  }
  const scan = await scanImageFolder(dir);
  assert.ok(scan.kind === 'source', scan.kind === 'unusable' ? scan.reason : scan.kind);
  assert.deepEqual(scan.classes, [{ name: 'cat', count: 2 }, { name: 'dog', count: 2 }]);
});

test('scan: unusable folders say why', async () => {
  const empty = join(root, 'empty');
  mkdirSync(empty);
  const none = await scanImageFolder(empty);
  assert.ok(none.kind === 'unusable');
  assert.match(none.reason, /No images found/);
  const one = join(root, 'one');
  touch(join(one, 'cat.1.jpg'));
  const single = await scanImageFolder(one);
  assert.ok(single.kind === 'unusable');
  assert.match(single.reason, /Only one class/);
  const missing = await scanImageFolder(join(root, 'missing'));
  assert.equal(missing.kind, 'unusable');
  const project = join(root, 'project'); // a workspace root picked by mistake
  touch(join(project, 'docs', 'a.png'));
  touch(join(project, 'docs', 'b.png'));
  mkdirSync(join(project, 'src'), { recursive: true });
  touch(join(project, 'node_modules', 'x', 'c.png'));
  const wrong = await scanImageFolder(project);
  assert.ok(wrong.kind === 'unusable');
  assert.match(wrong.reason, /Class "src" has no images .*found: docs \(2\), src \(0\)/);
});

test("split offered: the seed's 1000/500/1000 when it fits, a smaller one with its proportions otherwise", () => {
  assert.deepEqual(splitOptions(12_500).map((o) => o.counts), [{ train: 1000, validation: 500, test: 1000 }]);
  const gaps = splitOptions(2_497); // the shared dogs-vs-cats copy: 1..2500 with a few gaps
  assert.deepEqual(gaps[0].counts, { train: 1000, validation: 500, test: 1000 });
  assert.match(gaps[0].note, /test keeps only 997 per class/);
  assert.deepEqual(gaps[1].counts, { train: 998, validation: 499, test: 998 });
  const small = splitOptions(200);
  assert.deepEqual(small.map((o) => o.counts), [{ train: 80, validation: 40, test: 80 }]);
  assert.deepEqual(splitOptions(2), []);
  assert.equal(largestFittingSplit({ train: 1000, validation: 500, test: 1000 }, 2), null);
});

test('custom split input: format, train/validation > 0, fits the smallest class', () => {
  assert.deepEqual(parseSplitInput(' 100 / 50 / 0 ', 200), { counts: { train: 100, validation: 50, test: 0 } });
  assert.match(validateSplitInput('100/50', 200) ?? '', /TRAIN\/VALIDATION\/TEST/);
  assert.match(validateSplitInput('0/50/50', 200) ?? '', /at least one image/);
  assert.equal(validateSplitInput('150/50/50', 180), '150/50/50 needs 250 images per class (150 + 50 + 50); the smallest class has 180. 108/36/36 fits.');
  // 20 images per class (issue 13): 15/5/5 is 25, and 14/5/5 (24) no longer slips through with a test subset of 1.
  assert.match(validateSplitInput('15/5/5', 20) ?? '', /^15\/5\/5 needs 25 images per class/);
  assert.match(validateSplitInput('14/5/5', 20) ?? '', /^14\/5\/5 needs 24 images per class/);
  assert.equal(validateSplitInput('12/4/4', 20), undefined);
  assert.equal(validateSplitInput('150/29/1', 180), undefined);
});

test('custom recipe inputs: each number validated with a clear message', () => {
  assert.equal(validateNumericSetting(field('epochs'), '30'), undefined);
  assert.match(validateNumericSetting(field('epochs'), '0') ?? '', /from 1 to 10000/);
  assert.match(validateNumericSetting(field('epochs'), '2.5') ?? '', /whole number/);
  assert.match(validateNumericSetting(field('epochs'), '') ?? '', /needed/);
  assert.match(validateNumericSetting(field('imageSize'), '64') ?? '', /from 78 to 1024.*shrink to nothing/);
  assert.equal(validateNumericSetting(field('imageSize'), '78'), undefined);
  assert.match(validateNumericSetting(field('batchSize'), 'abc') ?? '', /not a number/);
  assert.deepEqual(parseNumericSetting(field('learningRate'), '1e-4'), { value: 0.0001 });
  assert.match(validateNumericSetting(field('learningRate'), '-1') ?? '', /learning rate must be from/);
  assert.match(validateNumericSetting(field('seed'), '-1') ?? '', /seed must be/);
});

test("recipe defaults: the seed's settings, 80 px for the demo", () => {
  assert.deepEqual(defaultSettings({ recipe: 'scratch', isDemo: false }), { recipe: 'scratch', epochs: 30, imageSize: 180, batchSize: 32, learningRate: 0.001, seed: 1337 });
  assert.equal(defaultSettings({ recipe: 'augmented', isDemo: true }).imageSize, 80);
  assert.equal(defaultSettings({ recipe: 'augmented', isDemo: true }).epochs, 100);
});

test('data plan: where subsets go, and a plan read back from workspace state is checked', () => {
  assert.equal(subsetsFolderFor({ workFolder: '/w', source: '/data/pets/', split: { train: 1000, validation: 500, test: 1000 } }), join('/w', 'data', 'pets-1000-500-1000'));
  // A source named for a subset takes its parent's name in front (Kaggle's dogs-vs-cats/train).
  assert.equal(subsetsFolderFor({ workFolder: '/w', source: '/data/dogs-vs-cats/train', split: { train: 1000, validation: 500, test: 1000 } }), join('/w', 'data', 'dogs-vs-cats-train-1000-500-1000'));
  assert.deepEqual(readDataPlan({ kind: 'prepared', dir: '/w/data/x' }), { kind: 'prepared', dir: '/w/data/x' });
  assert.deepEqual(readDataPlan({ kind: 'demo', split: { train: 1, validation: 1, test: 0 } }), { kind: 'demo', split: { train: 1, validation: 1, test: 0 } });
  assert.equal(readDataPlan({ kind: 'prepared', dir: 'relative' }), undefined);
  assert.equal(readDataPlan({ kind: 'source', dir: '/x', split: { train: -1, validation: 1, test: 1 } }), undefined);
  assert.equal(readDataPlan('nonsense'), undefined);
});

test('Delete Subsets: only the prepared copies in the work folder\'s data/, never another folder the view shows', () => {
  const work = '/home/me/small-convnet-work';
  assert.equal(whyNotDeletable({ workFolder: work, dir: '/home/me/small-convnet-work/data/pets-16-8-16' }), null);
  for (const dir of ['/home/me/small-convnet-work/data', '/home/me/small-convnet-work', '/home/me/pets', '/home/me/small-convnet-work/data/pets/train', '/home/me/small-convnet-work/runs/x']) {
    assert.match(whyNotDeletable({ workFolder: work, dir }) ?? '', /is not a folder of prepared subsets in the work folder/, dir);
  }
  assert.equal(subsetsDirOfArgument({ kind: 'folder', folder: { dir: '/w/data/a' } }), '/w/data/a');
  assert.equal(subsetsDirOfArgument({ kind: 'subset', folder: { dir: '/w/data/a' } }), undefined);
  assert.equal(subsetsDirOfArgument('/w/data/a'), undefined);
});
