/**
 * Bad folders (issue 5): empty, one class, too few images for the split, imbalanced classes, the
 * output inside the source, a file or a missing path instead of a folder. The built CLI as a child
 * process; each case ends with a message that names the folder and says what to do, or goes on with
 * a warning where the data can still be used.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeClassFolders, writeImage } from '../helpers/imageFixtures';
import { messagesOfType, runTrainer, type TrainerRun } from '../helpers/runTrainer';

function errorOf(run: TrainerRun): { code: string; message: string } {
  const error = messagesOfType(run, 'error')[0];
  assert.ok(error, `no error message; exit ${run.code}; stderr:\n${run.stderr}`);
  return { code: error.code, message: error.message };
}

describe('bad folders (child process)', () => {
  let root: string;
  const dir = (name: string) => join(root, name);
  const prepare = (source: string, ...more: string[]) => runTrainer({ args: ['prepare', source, '--out', join(root, 'out', `${source.split('/').pop()}-${more.join('')}`), '--json', ...more] });

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'sc-bad-folders-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('an empty folder, or class folders without images: "No images found", with the layouts it reads', async () => {
    const empty = dir('empty');
    mkdirSync(empty);
    const run = await prepare(empty);
    assert.equal(run.code, 3);
    assert.deepEqual(errorOf(run), {
      code: 'not-found',
      message: `No images found in ${empty}. Expected either files named CLASS.N.jpg (e.g. cat.1.jpg, dog.1.jpg) or one sub-folder per class holding its images.`,
    });
    const hollow = dir('hollow');
    mkdirSync(join(hollow, 'cat'), { recursive: true });
    mkdirSync(join(hollow, 'dog'));
    const training = await runTrainer({ args: ['train', hollow, '--out', dir('work-hollow'), '--json'] });
    assert.equal(training.code, 3);
    assert.equal(errorOf(training).message, `No images found in ${hollow} (classes found: cat (0), dog (0)). Put .jpg/.png images in the class folders.`);
  });

  it('one class only: refused, naming the class, its count and how to add another', async () => {
    const single = await writeClassFolders({ root: dir('single'), classes: { cat: 5 } });
    const run = await prepare(single);
    assert.equal(run.code, 3);
    assert.deepEqual(errorOf(run), {
      code: 'bad-data',
      message: `Only one class ("cat", 5 images) found in ${single}; a classifier needs at least two. Add a second sub-folder holding the images of another class.`,
    });
  });

  it('a class with too few images for the split: per-class counts and the largest split that fits, which then works', async () => {
    const small = await writeClassFolders({ root: dir('small'), classes: { cat: 12, dog: 5 } });
    const run = await prepare(small);
    assert.equal(run.code, 3);
    assert.deepEqual(errorOf(run), {
      code: 'too-few-images',
      message:
        'Class "dog" has 5 images but the split 1000/500/1000 needs 1,501 per class (all of train and validation and at least one test image). ' +
        'Found: cat 12, dog 5. The largest split with the same proportions that fits is 2/1/2; choose it (--split) or add images.',
    });
    const offered = await prepare(small, '--split', '2/1/2');
    assert.equal(offered.code, 0, offered.stderr);
    assert.deepEqual(messagesOfType(offered, 'prepared')[0].counts, { train: 4, validation: 2, test: 4 });
  });

  it('heavily imbalanced classes: the split is stratified (same count per class) and says so; training on imbalanced subsets warns with the counts', async () => {
    const lopsided = await writeClassFolders({ root: dir('lopsided'), classes: { cat: 30, dog: 6 } });
    const run = await prepare(lopsided, '--split', '3/1/1');
    assert.equal(run.code, 0, run.stderr);
    const prepared = messagesOfType(run, 'prepared')[0];
    assert.deepEqual(prepared.counts, { train: 6, validation: 2, test: 2 });
    const note =
      'The classes of the source are imbalanced (cat 30, dog 6). The split takes the same number from each class ' +
      '(train 3, validation 1, test 1 per class), so the subsets are balanced and 25 cat, 1 dog images are not used.';
    assert.deepEqual(prepared.warnings, [note]);
    assert.ok(messagesOfType(run, 'warning').some((w) => w.message === note));

    // Subsets made by hand, as imbalanced as the photos were.
    const handMade = dir('hand-made');
    await writeClassFolders({ root: join(handMade, 'train'), classes: { cat: 12, dog: 3 } });
    await writeClassFolders({ root: join(handMade, 'validation'), classes: { cat: 4, dog: 2 } });
    const training = await runTrainer({
      args: ['train', handMade, '--epochs', '1', '--image-size', '78', '--batch-size', '5', '--workers', '1', '--out', dir('work-imbalanced'), '--json'],
    });
    assert.equal(training.code, 0, training.stderr);
    const warning = messagesOfType(training, 'warning').find((w) => w.message.startsWith('The classes are imbalanced'));
    assert.equal(
      warning?.message,
      'The classes are imbalanced (train: cat 12, dog 3; validation: cat 4, dog 2). A model that always answers "cat" is right 80% of the time ' +
        'on the training images, so compare accuracy with 80%, not 50%, and look at the per-class accuracy (evaluate). ' +
        'For equal classes, prepare the split from the source folder: it takes the same number of images from each class.',
    );
  });

  it('the output folder inside the source: refused where it would be read as a class; elsewhere never read or listed as input', async () => {
    const classes = await writeClassFolders({ root: dir('classes'), classes: { cat: 4, dog: 4 } });
    const inside = join(classes, 'work');
    const run = await runTrainer({ args: ['train', classes, '--split', '2/1/1', '--out', inside, '--json'] });
    assert.equal(run.code, 2);
    const error = errorOf(run);
    assert.equal(error.code, 'bad-argument');
    assert.match(error.message, /^The target folder .*\/classes\/work\/data\/classes-2-1-1 is inside the source folder .*\/classes, whose sub-folders are read as classes, so the prepared copies would be read as a class of their own next time\. Choose a target outside the source, or inside a folder named small-convnet-work there\.$/);
    assert.deepEqual(readdirSync(classes).sort(), ['cat', 'dog'], 'nothing was written into the source');

    // A flat (cat.N.jpg) source reads no sub-folder: a work folder inside it is allowed, and never taken for input.
    const flat = dir('flat');
    for (let i = 1; i <= 4; i++) {
      await writeImage({ file: join(flat, `cat.${i}.png`), colour: [200, 30, 30] });
      await writeImage({ file: join(flat, `dog.${i}.png`), colour: [30, 30, 200] });
    }
    const out = join(flat, 'work', 'subsets');
    const first = await runTrainer({ args: ['prepare', flat, '--split', '2/1/1', '--out', out, '--json'] });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(messagesOfType(first, 'prepared')[0].skipped, []);
    const second = await runTrainer({ args: ['prepare', flat, '--split', '2/1/1', '--out', out, '--json'] });
    assert.equal(second.code, 0, second.stderr);
    const again = messagesOfType(second, 'prepared')[0];
    assert.equal(again.unchanged, true, 'the copies inside the source were not read as new images');
    assert.deepEqual(again.skipped, [], 'our own output is not a "skipped" entry');
    assert.equal(messagesOfType(second, 'warning').length, 0);
  });

  it('a work folder inside a class-per-folder dataset (the dataset opened as the workspace): trained there, never read as a class', async () => {
    const classes = await writeClassFolders({ root: dir('workspace-dataset'), classes: { cat: 4, dog: 4, shirt: 4 } });
    const work = join(classes, 'small-convnet-work');
    const train = (out: string) => runTrainer({ args: ['train', classes, '--split', '2/1/1', '--epochs', '1', '--image-size', '78', '--batch-size', '2', '--workers', '1', '--out', out, '--json'] });
    const first = await train(work);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(messagesOfType(first, 'run-started')[0].classes, ['cat', 'dog', 'shirt']);
    assert.ok(existsSync(join(work, '.small-convnet-work')), 'the trainer marks its work folder');
    // Again, with the work folder now full of copies and runs: still three classes, and the work folder is no "skipped" entry.
    const second = await runTrainer({ args: ['prepare', classes, '--split', '2/1/1', '--out', join(work, 'data', 'again'), '--json'] });
    assert.equal(second.code, 0, second.stderr);
    const prepared = messagesOfType(second, 'prepared')[0];
    assert.deepEqual(Object.keys(prepared.counts), ['train', 'validation', 'test']);
    assert.deepEqual(prepared.skipped, []);
    assert.deepEqual(readdirSync(join(work, 'data', 'again', 'train')).sort(), ['cat', 'dog', 'shirt']);

    // Any name, once marked (the extension marks the folder of its Output Folder setting).
    const custom = join(classes, 'my-runs');
    mkdirSync(custom);
    writeFileSync(join(custom, '.small-convnet-work'), '');
    const third = await train(custom);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(messagesOfType(third, 'run-started')[0].classes, ['cat', 'dog', 'shirt']);
  });

  it('an output folder that cannot be made (under /proc, or through a dangling link): a clear refusal, exit 3, no endless loop, for prepare, train and preview (issue 15)', { timeout: 120_000 }, async () => {
    const classes = await writeClassFolders({ root: dir('proc-source'), classes: { cat: 4, dog: 4 } });
    mkdirSync(dir('dangling'));
    const dangling = join(dir('dangling'), 'out');
    symlinkSync(join(dir('dangling'), 'gone', 'deeper'), dangling);
    for (const out of ['/proc/small-convnet-test', join(dangling, 'work')]) {
      for (const args of [
        ['prepare', classes, '--split', '2/1/1', '--out', out],
        ['train', classes, '--split', '2/1/1', '--epochs', '1', '--image-size', '78', '--batch-size', '2', '--workers', '1', '--out', out],
        ['preview', join(classes, 'cat', readdirSync(join(classes, 'cat'))[0]), '--image-size', '78', '--out', out],
      ]) {
        const run = await runTrainer({ args: [...args, '--json'] });
        assert.equal(run.code, 3, `${args[0]} --out ${out}: ${run.stderr}`);
        const error = errorOf(run);
        assert.equal(error.code, 'cannot-write');
        assert.match(error.message, /^Cannot create the folder .*: .* takes no new folders there, or a symbolic link on the way points nowhere \(ENOENT\)\./);
      }
    }
  });

  it('an output folder on a read-only file system whose runs/ does not exist yet: the read-only message, exit 3, for prepare, train and preview (issue 15)', { timeout: 120_000 }, async (t) => {
    const classes = await writeClassFolders({ root: dir('ro-source'), classes: { cat: 4, dog: 4 } });
    const readOnly = dir('read-only');
    mkdirSync(readOnly);
    // A real read-only mount (root can make one, as in CI); elsewhere this case cannot be made and is skipped.
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      t.skip(`cannot mount a read-only tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()}); needs root`);
      return;
    }
    try {
      const out = join(readOnly, 'work');
      for (const args of [
        ['prepare', classes, '--split', '2/1/1', '--out', out],
        ['train', classes, '--split', '2/1/1', '--epochs', '1', '--image-size', '78', '--batch-size', '2', '--workers', '1', '--out', out],
        ['preview', join(classes, 'cat', readdirSync(join(classes, 'cat'))[0]), '--image-size', '78', '--out', out],
      ]) {
        const run = await runTrainer({ args: [...args, '--json'] });
        assert.equal(run.code, 3, `${args[0]} --out ${out}: ${run.stderr}`);
        const error = errorOf(run);
        assert.equal(error.code, 'cannot-write');
        assert.match(error.message, new RegExp(`^Cannot write ${out}: ${readOnly} is on a read-only file system \\(EROFS\\)\\. Make it writable, or choose another output folder`), args[0]);
        assert.doesNotMatch(run.stderr, /Internal error|\n\s+at .*\.[jt]s:\d+/, 'no stack trace');
      }
    } finally {
      spawnSync('umount', [readOnly]);
    }
  });

  it('a source that is a file: "is a file, not a folder", the same for prepare and train', async () => {
    const file = await writeImage({ file: join(dir('a-file'), 'cat.1.jpg'), format: 'jpeg' });
    for (const args of [['prepare', file], ['train', file, '--out', dir('work-file')]]) {
      const run = await runTrainer({ args: [...args, '--json'] });
      assert.equal(run.code, 3, `${args[0]}: ${run.stderr}`);
      const error = errorOf(run);
      assert.equal(error.code, 'bad-data');
      assert.match(error.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a file, not a folder\\. Pass the folder that holds the images`));
    }
  });

  it('a path that does not exist: "does not exist", naming it, for prepare and train', async () => {
    const missing = dir('no-such-folder');
    const prepared = await prepare(missing);
    assert.equal(prepared.code, 3);
    assert.deepEqual(errorOf(prepared), { code: 'not-found', message: `The image folder ${missing} does not exist. Check the path, or create it and put the images there.` });
    const trained = await runTrainer({ args: ['train', missing, '--out', dir('work-missing'), '--json'] });
    assert.equal(trained.code, 3);
    assert.match(errorOf(trained).message, new RegExp(`^The data folder ${missing} does not exist\\. Pass a folder of images`));
    assert.ok(!existsSync(dir('work-missing')), 'nothing was created for a run that could not start');
  });
});
