import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImage } from '../../src/trainer/data/decodeImage';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { loadImageFolder } from '../../src/trainer/data/imageFolder';
import { MANIFEST_FILE, manifestId, readManifest, type Manifest } from '../../src/trainer/data/manifest';
import { prepareSubsets } from '../../src/trainer/data/prepare';
import { scanSource, type SourceScan } from '../../src/trainer/data/sourceScan';
import { SEED_SPLIT, parseSplit, planSplit } from '../../src/trainer/data/splitPlan';
import { UserError } from '../../src/trainer/util/errors';

const REAL_TRAIN = '/work/shared/datasets/dogs-vs-cats/train';

let root = '';
before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-'));
});
after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** A fresh folder under the test's temp root. */
function freshDir(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

type Rgb = [number, number, number];

async function writeSolidPng(file: string, colour: Rgb, size = 8): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: size, height: size, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } })
    .png()
    .toFile(file);
}

/** Raw pixels built by `at(x, y)` with `channels` bytes per pixel. */
function rawImage(width: number, height: number, channels: 1 | 2 | 3 | 4, at: (x: number, y: number) => number[]): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(at(x, y), (y * width + x) * channels);
  }
  return data;
}

function pixelAt(image: Uint8Array, width: number, x: number, y: number): Rgb {
  const i = (y * width + x) * 3;
  return [image[i], image[i + 1], image[i + 2]];
}

function assertNear(actual: Rgb, expected: Rgb, tolerance: number, what: string): void {
  const ok = actual.every((v, k) => Math.abs(v - expected[k]) <= tolerance);
  assert.ok(ok, `${what}: got ${actual.join(',')}, expected about ${expected.join(',')}`);
}

/** Every file under `dir` (relative path -> sha256 of its bytes). */
function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else out.set(child, createHash('sha256').update(fs.readFileSync(path.join(dir, child))).digest('hex'));
    }
  };
  walk('');
  return out;
}

/** Every entry under `dir` (relative path -> mtimeMs), folders included. */
function mtimeTree(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      out.set(child, fs.statSync(path.join(dir, child)).mtimeMs);
      if (entry.isDirectory()) walk(child);
    }
  };
  walk('');
  return out;
}

async function rejectsWithCode(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a UserError with code ${code}`);
}

function throwsWithCode(run: () => unknown, code: string, pattern?: RegExp): UserError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a UserError with code ${code}`);
}

const GAPPY_INDICES = [1, 2, 3, 5, 8, 10, 13, 21, 34];

/** Flat Kaggle-style folder: cat.N.png / dog.N.png for N in GAPPY_INDICES (written in shuffled order). */
async function makeFlatSource(name: string): Promise<string> {
  const dir = freshDir(name);
  const indices = [13, 2, 34, 1, 21, 5, 10, 3, 8];
  for (const n of indices) {
    await writeSolidPng(path.join(dir, `cat.${n}.png`), [200, 40 + n, 40]);
    await writeSolidPng(path.join(dir, `dog.${n}.png`), [40, 40 + n, 200]);
  }
  return dir;
}

describe('scanSource', () => {
  it('reads the flat layout, orders by N with gaps, and lists what it skips', async () => {
    const dir = await makeFlatSource('flat-scan');
    fs.writeFileSync(path.join(dir, '.DS_Store'), 'x');
    fs.writeFileSync(path.join(dir, 'Thumbs.db'), 'x');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    await writeSolidPng(path.join(dir, 'cat.png'), [1, 2, 3]);
    fs.copyFileSync(path.join(dir, 'dog.1.png'), path.join(dir, 'dog.55.PNG'));

    const scan = await scanSource({ dir });
    assert.equal(scan.layout, 'flat');
    assert.equal(scan.dir, dir);
    assert.deepEqual(scan.classes.map((c) => c.name), ['cat', 'dog']);
    assert.deepEqual(scan.classes[0].files, GAPPY_INDICES.map((n) => `cat.${n}.png`));
    assert.deepEqual(scan.classes[1].files, [...GAPPY_INDICES.map((n) => `dog.${n}.png`), 'dog.55.PNG']);
    const skipped = new Map(scan.skipped.map((s) => [s.file, s.reason]));
    assert.deepEqual([...skipped.keys()].sort(), ['.DS_Store', 'Thumbs.db', 'cat.png', 'notes.txt']);
    assert.match(skipped.get('.DS_Store') ?? '', /hidden/);
    assert.match(skipped.get('Thumbs.db') ?? '', /system/);
    assert.match(skipped.get('notes.txt') ?? '', /not an image/);
    assert.match(skipped.get('cat.png') ?? '', /CLASS\.N\.ext/);
  });

  it('reads one sub-folder per class, recursively, in natural order', async () => {
    const dir = freshDir('class-scan');
    for (const name of ['img10.png', 'img2.png', 'img1.png', 'deep/img3.png', 'Deep0.png']) {
      await writeSolidPng(path.join(dir, 'zebra', name), [10, 10, 10]);
    }
    await writeSolidPng(path.join(dir, 'ant', 'a.png'), [10, 10, 10]);
    await writeSolidPng(path.join(dir, 'ant', '.cache', 'b.png'), [10, 10, 10]);
    fs.writeFileSync(path.join(dir, 'ant', 'labels.csv'), 'x');
    fs.writeFileSync(path.join(dir, 'README.txt'), 'x');

    const scan = await scanSource({ dir });
    assert.equal(scan.layout, 'class-folders');
    assert.deepEqual(scan.classes.map((c) => c.name), ['ant', 'zebra']);
    assert.deepEqual(scan.classes[0].files, ['ant/a.png']);
    assert.deepEqual(scan.classes[1].files, ['zebra/Deep0.png', 'zebra/deep/img3.png', 'zebra/img1.png', 'zebra/img2.png', 'zebra/img10.png']);
    const skipped = scan.skipped.map((s) => s.file).sort();
    assert.deepEqual(skipped, ['README.txt', 'ant/.cache/', 'ant/labels.csv']);
  });

  it('keeps the flat layout when a sub-folder (e.g. a prepared split) sits beside the images', async () => {
    const dir = await makeFlatSource('flat-with-folder');
    await writeSolidPng(path.join(dir, 'small', 'train', 'cat', 'cat.1.png'), [0, 0, 0]);
    const scan = await scanSource({ dir });
    assert.equal(scan.layout, 'flat');
    assert.deepEqual(scan.skipped.map((s) => s.file), ['small/']);
  });

  it('refuses a folder that is already split into train/ and validation/', async () => {
    const dir = freshDir('already-split');
    for (const subset of ['train', 'validation']) await writeSolidPng(path.join(dir, subset, 'cat', '1.png'), [0, 0, 0]);
    await rejectsWithCode(scanSource({ dir }), 'bad-data', /already split/);
  });

  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('refuses a dataset that came split into train/ and test/ (or val/, training_set/, …) instead of reading them as two classes, and names the folder to pass', async () => {
    for (const [train, heldOut] of [['train', 'test'], ['train', 'val'], ['training_set', 'test_set']]) {
      const dir = freshDir(`came-split-${heldOut}`);
      for (const subset of [train, heldOut]) for (const cls of ['cat', 'dog']) await writeSolidPng(path.join(dir, subset, cls, '1.png'), [0, 0, 0]);
      await rejectsWithCode(
        scanSource({ dir }),
        'bad-data',
        new RegExp(`^${escape(dir)} looks already split into subsets \\(${train}/ and ${heldOut}/\\), not into classes: ${train}/ holds the class folders cat, dog\\. Pass ${escape(path.join(dir, train))} to let Small Convnet split`),
      );
    }
    // Class folders named like subsets but holding images (no class folders inside) are classes.
    const dir = freshDir('classes-named-train-test');
    for (const cls of ['train', 'test']) for (const n of [1, 2]) await writeSolidPng(path.join(dir, cls, `${n}.png`), [0, 0, 0]);
    assert.deepEqual((await scanSource({ dir })).classes.map((c) => c.name), ['test', 'train']);
  });

  it('images without classes (no CLASS.N names, no class folders) are not "no images": it says how classes are given, and that a label file is not read', async () => {
    const dir = freshDir('unsorted');
    for (const n of [1, 2, 3]) await writeSolidPng(path.join(dir, `img_${n}.png`), [0, 0, 0]);
    fs.writeFileSync(path.join(dir, 'labels.csv'), 'id,label\nimg_1.png,cat\n');
    await rejectsWithCode(
      scanSource({ dir }),
      'bad-data',
      new RegExp(`^${escape(dir)} holds 3 images but no classes: Small Convnet takes each image's class from its file name \\(CLASS\\.N\\.jpg, .*\\) or from its sub-folder \\(one per class: ${escape(path.join(dir, 'cat'))}/, .*\\)\\. It does not read label files \\(labels\\.csv\\): sort the images into one sub-folder per class as that file says\\.$`),
    );
    // The images in one folder beside the label file: one class, and the same advice.
    const nested = freshDir('unsorted-nested');
    for (const n of [1, 2]) await writeSolidPng(path.join(nested, 'images', `img_${n}.png`), [0, 0, 0]);
    fs.writeFileSync(path.join(nested, 'train.csv'), '');
    await rejectsWithCode(scanSource({ dir: nested }), 'bad-data', /^Only one class \("images", 2 images\) .* It does not read label files \(train\.csv\)/);
  });

  it('a zip made on a Mac (__MACOSX/) and a Synology NAS (@eaDir/ in every photo folder): neither a class nor images of one', async () => {
    const dir = freshDir('unzipped-on-a-mac');
    for (const cls of ['cat', 'dog']) {
      for (const n of [1, 2]) await writeSolidPng(path.join(dir, cls, `${n}.png`), [0, 0, 0]);
      await writeSolidPng(path.join(dir, cls, '@eaDir', '1.png', 'SYNOFILE_THUMB_M.png'), [0, 0, 0]);
      await writeSolidPng(path.join(dir, '__MACOSX', cls, `._${cls}.png`), [0, 0, 0]);
    }
    const scan = await scanSource({ dir });
    assert.deepEqual(scan.classes.map((c) => [c.name, c.files]), [['cat', ['cat/1.png', 'cat/2.png']], ['dog', ['dog/1.png', 'dog/2.png']]]);
    assert.deepEqual(
      scan.skipped.filter((s) => s.file.endsWith('/')),
      [
        { file: '__MACOSX/', reason: 'macOS archive metadata (a zip made on a Mac), not a class' },
        { file: 'cat/@eaDir/', reason: 'Synology NAS thumbnails, not images of a class' },
        { file: 'dog/@eaDir/', reason: 'Synology NAS thumbnails, not images of a class' },
      ],
    );
  });

  it('refuses a missing folder, a file, an empty folder and a single class', async () => {
    await rejectsWithCode(scanSource({ dir: path.join(root, 'does-not-exist') }), 'not-found', /does-not-exist.*does not exist/);
    const file = path.join(freshDir('a-file'), 'x.png');
    await writeSolidPng(file, [0, 0, 0]);
    await rejectsWithCode(scanSource({ dir: file }), 'bad-data', /is a file, not a folder/);
    await rejectsWithCode(scanSource({ dir: freshDir('empty') }), 'not-found', /No images found/);
    const single = freshDir('single');
    await writeSolidPng(path.join(single, 'cat.1.png'), [0, 0, 0]);
    await writeSolidPng(path.join(single, 'cat.2.png'), [0, 0, 0]);
    await rejectsWithCode(scanSource({ dir: single }), 'bad-data', /Only one class \("cat", 2 images\)/);
  });
});

describe('planSplit and parseSplit', () => {
  it('takes the first files by N for train, the next for validation and test', async () => {
    const scan = await scanSource({ dir: await makeFlatSource('flat-plan') });
    const plan = planSplit({ scan, counts: { train: 3, validation: 2, test: 3 } });
    assert.deepEqual(plan.classes, ['cat', 'dog']);
    assert.deepEqual(plan.subsets.train.cat, ['cat.1.png', 'cat.2.png', 'cat.3.png']);
    assert.deepEqual(plan.subsets.validation.cat, ['cat.5.png', 'cat.8.png']);
    assert.deepEqual(plan.subsets.test.cat, ['cat.10.png', 'cat.13.png', 'cat.21.png']);
    assert.deepEqual(plan.subsets.validation.dog, ['dog.5.png', 'dog.8.png']);
  });

  it('explains a too-small class with per-class counts and the largest split that fits', () => {
    const files = (name: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${name}.${i + 1}.jpg`);
    const scan: SourceScan = {
      dir: '/data/train',
      layout: 'flat',
      classes: [
        { name: 'cat', files: files('cat', 2499) },
        { name: 'dog', files: files('dog', 1312) },
      ],
      skipped: [],
    };
    const error = throwsWithCode(() => planSplit({ scan, counts: { ...SEED_SPLIT } }), 'too-few-images');
    assert.equal(
      error.message,
      'Class "dog" has 1,312 images but the split 1000/500/1000 needs 1,501 per class (all of train and validation and at least one test image). Found: cat 2,499, dog 1,312. ' +
        'The largest split with the same proportions that fits is 524/262/524; choose it (--split) or add images.',
    );
  });

  it('a class whose photos are HEIC (or another format it does not read) is named with those files and what to do', async () => {
    const dir = freshDir('heic-class');
    fs.mkdirSync(path.join(dir, 'cat'));
    for (const n of [1, 2, 3]) {
      await writeSolidPng(path.join(dir, 'dog', `${n}.png`), [0, 0, 0]);
      fs.writeFileSync(path.join(dir, 'cat', `IMG_000${n}.HEIC`), 'not decoded');
    }
    fs.writeFileSync(path.join(dir, 'cat', 'scan.tif'), 'not decoded');
    const scan = await scanSource({ dir });
    assert.deepEqual(scan.skipped.find((s) => s.file === 'cat/IMG_0001.HEIC'), { file: 'cat/IMG_0001.HEIC', reason: 'HEIC, the iPhone photo format, which Small Convnet does not read; convert it to JPEG or PNG' });
    const error = throwsWithCode(() => planSplit({ scan, counts: { train: 1, validation: 1, test: 1 } }), 'too-few-images');
    assert.match(error.message, /Found: cat 0, dog 3\. "cat" also holds 3 \.heic files \(HEIC, the iPhone photo format\) and 1 \.tif file \(TIFF\), which Small Convnet does not read: convert them to JPEG or PNG .*\. No split with train and validation images fits; add images\.$/);
    // Every class HEIC: the same note instead of "Put .jpg/.png images in the class folders."
    const allHeic = freshDir('heic-only');
    for (const cls of ['cat', 'dog']) fs.mkdirSync(path.join(allHeic, cls));
    for (const cls of ['cat', 'dog']) for (const n of [1, 2]) fs.writeFileSync(path.join(allHeic, cls, `IMG_${n}.heic`), '');
    await rejectsWithCode(scanSource({ dir: allHeic }), 'not-found', /^No images found in .*\. It holds 4 \.heic files \(HEIC, the iPhone photo format\), which Small Convnet does not read: convert them to JPEG or PNG/);
  });

  it('parses TRAIN/VALIDATION/TEST and refuses bad text', () => {
    assert.deepEqual(parseSplit('1000/500/1000'), { train: 1000, validation: 500, test: 1000 });
    assert.deepEqual(parseSplit(' 100 / 50 / 0 '), { train: 100, validation: 50, test: 0 });
    for (const bad of ['1000/500', 'a/b/c', '1000/500/1000/1', '-1/5/5', '1.5/5/5', '']) {
      throwsWithCode(() => parseSplit(bad), 'bad-argument', /TRAIN\/VALIDATION\/TEST/);
    }
    throwsWithCode(() => parseSplit('0/500/1000'), 'bad-argument', /at least one/);
    throwsWithCode(() => parseSplit('1000/0/1000'), 'bad-argument', /at least one/);
  });
});

describe('prepareSubsets', () => {
  it('copies the split, leaves the source untouched, and is idempotent', async () => {
    const source = await makeFlatSource('prep-source');
    const real = fs.existsSync(REAL_TRAIN) ? ['cat.1.jpg', 'cat.2.jpg', 'dog.1.jpg', 'dog.2.jpg'] : [];
    for (const name of real) {
      const [cls, n] = name.split('.');
      fs.copyFileSync(path.join(REAL_TRAIN, name), path.join(source, `${cls}.${Number(n) + 100}.jpg`));
    }
    const before = hashTree(source);
    const out = path.join(root, 'prep-out');
    const progress: number[] = [];

    const first = await prepareSubsets({ source, out, counts: { train: 3, validation: 2, test: 2 }, onProgress: (p) => progress.push(p.copied) });
    assert.equal(first.unchanged, false);
    assert.equal(first.copied, 14);
    assert.equal(progress.at(-1), 14);
    assert.deepEqual(fs.readdirSync(path.join(out, 'train', 'cat')).sort(), ['cat.1.png', 'cat.2.png', 'cat.3.png']);
    assert.deepEqual(fs.readdirSync(path.join(out, 'test', 'dog')).sort(), ['dog.10.png', 'dog.13.png']);
    assert.deepEqual(first.manifest.files.validation.dog, ['dog.5.png', 'dog.8.png']);
    assert.match(first.manifest.rule, /first 3 by index N -> train, next 2 -> validation, next 2 -> test/);
    assert.match(first.manifest.id, /^[0-9a-f]{16}$/);
    const onDisk = await readManifest(out);
    assert.deepEqual(onDisk, first.manifest);

    const beforeSecond = mtimeTree(out);
    const second = await prepareSubsets({ source, out, counts: { train: 3, validation: 2, test: 2 } });
    assert.equal(second.unchanged, true);
    assert.equal(second.copied, 0);
    assert.equal(second.manifest.id, first.manifest.id);
    assert.deepEqual(mtimeTree(out), beforeSecond);

    await rejectsWithCode(
      prepareSubsets({ source, out, counts: { train: 4, validation: 2, test: 2 } }),
      'target-not-empty',
      /prep-out.*different prepared split.*pass --replace/,
    );
    fs.writeFileSync(path.join(out, 'my-notes.txt'), 'keep me');
    const replaced = await prepareSubsets({ source, out, counts: { train: 4, validation: 2, test: 2 }, replace: true });
    assert.equal(replaced.unchanged, false);
    assert.equal(replaced.copied, 16);
    assert.notEqual(replaced.manifest.id, first.manifest.id);
    assert.deepEqual(fs.readdirSync(path.join(out, 'train', 'cat')).sort(), ['cat.1.png', 'cat.2.png', 'cat.3.png', 'cat.5.png']);
    assert.equal(fs.readFileSync(path.join(out, 'my-notes.txt'), 'utf8'), 'keep me');
    assert.equal((await readManifest(out))?.id, replaced.manifest.id);

    const after = hashTree(source);
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    assert.deepEqual(after, before);
  });

  it('refuses a non-empty target without a manifest, and a half-done prepare', async () => {
    const source = await makeFlatSource('prep-source-2');
    const out = freshDir('prep-foreign');
    fs.writeFileSync(path.join(out, 'photo.jpg'), 'x');
    await rejectsWithCode(prepareSubsets({ source, out, counts: { train: 2, validation: 1, test: 1 } }), 'target-not-empty', /photo\.jpg.*pass --replace/);
    const result = await prepareSubsets({ source, out, counts: { train: 2, validation: 1, test: 1 }, replace: true });
    assert.equal(result.copied, 8);
    fs.rmSync(path.join(out, MANIFEST_FILE));
    await rejectsWithCode(prepareSubsets({ source, out, counts: { train: 2, validation: 1, test: 1 } }), 'target-not-empty', /unfinished prepare/);
  });

  it('refuses out == source, out inside a class-folders source, and source inside out', async () => {
    const flat = await makeFlatSource('prep-self');
    await rejectsWithCode(prepareSubsets({ source: flat, out: flat, counts: { train: 2, validation: 1, test: 1 } }), 'bad-argument', /is the source folder/);
    await rejectsWithCode(
      prepareSubsets({ source: flat, out: path.dirname(flat), counts: { train: 2, validation: 1, test: 1 }, replace: true }),
      'bad-argument',
      /inside the target folder/,
    );
    const classes = freshDir('prep-classes');
    for (const cls of ['cat', 'dog']) for (let i = 1; i <= 3; i++) await writeSolidPng(path.join(classes, cls, `${i}.png`), [9, 9, 9]);
    await rejectsWithCode(
      prepareSubsets({ source: classes, out: path.join(classes, 'small'), counts: { train: 1, validation: 1, test: 1 } }),
      'bad-argument',
      /inside the source folder/,
    );
    assert.equal(fs.existsSync(path.join(classes, 'small')), false);
  });
});

describe('readManifest', () => {
  it('refuses file paths that leave the source folder', async () => {
    const source = await makeFlatSource('manifest-source');
    const out = path.join(root, 'manifest-out');
    const { manifest } = await prepareSubsets({ source, out, counts: { train: 2, validation: 1, test: 1 } });
    for (const bad of ['../cat.1.png', '/etc/passwd', 'a/../../b.png']) {
      const tampered: Manifest = JSON.parse(JSON.stringify(manifest)) as Manifest;
      tampered.files.train.cat[0] = bad;
      tampered.id = manifestId(tampered);
      const dir = freshDir(`manifest-bad-${createHash('md5').update(bad).digest('hex').slice(0, 6)}`);
      fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(tampered));
      await rejectsWithCode(readManifest(dir), 'bad-data', /absolute or leaves the source folder/);
    }
    assert.equal(await readManifest(freshDir('manifest-none')), null);
  });
});

describe('decodeImage', () => {
  const red: Rgb = [255, 0, 0];
  const blue: Rgb = [0, 0, 255];

  it('turns grey, RGBA, 16-bit and CMYK images into 8-bit RGB of the requested size', async () => {
    const dir = freshDir('decode');
    const grey = path.join(dir, 'grey.png');
    await sharp(rawImage(10, 6, 1, () => [120]), { raw: { width: 10, height: 6, channels: 1 } }).png().toFile(grey);
    const rgba = path.join(dir, 'rgba.png');
    await sharp(rawImage(10, 10, 4, (x) => (x < 5 ? [255, 0, 0, 255] : [0, 255, 0, 0])), { raw: { width: 10, height: 10, channels: 4 } })
      .png()
      .toFile(rgba);
    const deep = path.join(dir, 'deep.png');
    await sharp(rawImage(10, 10, 3, () => [0, 200, 100]), { raw: { width: 10, height: 10, channels: 3 } }).toColourspace('rgb16').png().toFile(deep);
    assert.equal((await sharp(deep).metadata()).depth, 'ushort');
    const cmyk = path.join(dir, 'cmyk.jpg');
    await sharp(rawImage(16, 16, 3, () => [220, 30, 30]), { raw: { width: 16, height: 16, channels: 3 } }).toColourspace('cmyk').jpeg().toFile(cmyk);
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');

    const g = await decodeImage({ file: grey, height: 4, width: 5 });
    assert.equal(g.length, 4 * 5 * 3);
    assertNear(pixelAt(g, 5, 2, 2), [120, 120, 120], 1, 'grey');

    const a = await decodeImage({ file: rgba, height: 10, width: 10 });
    assert.equal(a.length, 300);
    assertNear(pixelAt(a, 10, 1, 5), red, 1, 'opaque half');
    assertNear(pixelAt(a, 10, 8, 5), [0, 0, 0], 1, 'transparent half (flattened on black)');

    const d = await decodeImage({ file: deep, height: 7, width: 7 });
    assert.equal(d.length, 7 * 7 * 3);
    assertNear(pixelAt(d, 7, 3, 3), [0, 200, 100], 2, '16-bit');

    const c = await decodeImage({ file: cmyk, height: 8, width: 8 });
    assert.equal(c.length, 8 * 8 * 3);
    const [r, gg, b] = pixelAt(c, 8, 4, 4);
    assert.ok(r > 150 && gg < 100 && b < 100, `CMYK red decoded as ${r},${gg},${b}`);
  });

  it('applies the EXIF orientation before resizing', async () => {
    const dir = freshDir('orientation');
    const file = path.join(dir, 'rotated.jpg');
    // Stored 16 wide x 8 tall, left half red; orientation 6 means "rotate 90 degrees clockwise to display".
    await sharp(rawImage(16, 8, 3, (x) => (x < 8 ? red : blue)), { raw: { width: 16, height: 8, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toFile(file);
    assert.equal((await sharp(file).metadata()).orientation, 6);
    const image = await decodeImage({ file, height: 12, width: 12 });
    assert.equal(image.length, 12 * 12 * 3);
    assertNear(pixelAt(image, 12, 6, 1), red, 40, 'top after rotation');
    assertNear(pixelAt(image, 12, 6, 10), blue, 40, 'bottom after rotation');
  });

  it('reads the first frame of an animated GIF', async () => {
    const dir = freshDir('animated');
    const frame = (colour: Rgb): Promise<Buffer> =>
      sharp({ create: { width: 8, height: 8, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } }).png().toBuffer();
    const file = path.join(dir, 'anim.gif');
    await sharp([await frame(red), await frame(blue)], { join: { animated: true } }).gif().toFile(file);
    assert.equal((await sharp(file).metadata()).pages, 2);
    const image = await decodeImage({ file, height: 4, width: 4 });
    assert.equal(image.length, 48);
    assertNear(pixelAt(image, 4, 2, 2), red, 10, 'first frame');
  });

  it('decodes a real photo and names the file it cannot decode', async () => {
    if (fs.existsSync(REAL_TRAIN)) {
      const image = await decodeImage({ file: path.join(REAL_TRAIN, 'cat.1.jpg'), height: 180, width: 180 });
      assert.equal(image.length, 180 * 180 * 3);
    }
    const bad = path.join(freshDir('corrupt'), 'broken.jpg');
    fs.writeFileSync(bad, Buffer.from('this is not a jpeg'));
    await rejectsWithCode(decodeImage({ file: bad, height: 8, width: 8 }), 'bad-data', /^Cannot decode .*broken\.jpg: /);
  });
});

describe('loadImageFolder', () => {
  it('labels classes alphabetically, keeps order, and skips files it cannot decode', async () => {
    const dir = freshDir('folder');
    await writeSolidPng(path.join(dir, 'dog', 'd2.png'), [0, 0, 250]);
    await writeSolidPng(path.join(dir, 'dog', 'd10.png'), [0, 0, 200]);
    await writeSolidPng(path.join(dir, 'cat', 'c1.png'), [250, 0, 0]);
    await writeSolidPng(path.join(dir, 'Bird', 'nested', 'b1.png'), [0, 250, 0]);
    fs.writeFileSync(path.join(dir, 'cat', 'c0-corrupt.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]));
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), '{}');
    const progress: number[] = [];

    const data = await loadImageFolder({ dir, height: 6, width: 4, concurrency: 2, onProgress: (p) => progress.push(p.decoded) });
    assert.deepEqual(data.classNames, ['Bird', 'cat', 'dog']);
    assert.equal(data.count, 4);
    assert.equal(data.images.length, 4 * 6 * 4 * 3);
    assert.deepEqual([...data.labels], [0, 1, 2, 2]);
    assert.deepEqual(
      data.files.map((f) => path.relative(dir, f)),
      [path.join('Bird', 'nested', 'b1.png'), path.join('cat', 'c1.png'), path.join('dog', 'd2.png'), path.join('dog', 'd10.png')],
    );
    assert.ok(data.files.every((f) => path.isAbsolute(f)));
    const frame = 6 * 4 * 3;
    assertNear(pixelAt(data.images.subarray(0 * frame), 4, 1, 1), [0, 250, 0], 1, 'Bird');
    assertNear(pixelAt(data.images.subarray(1 * frame), 4, 1, 1), [250, 0, 0], 1, 'cat (after the skipped file)');
    assertNear(pixelAt(data.images.subarray(3 * frame), 4, 1, 1), [0, 0, 200], 1, 'dog d10');
    assert.equal(data.skipped.length, 1);
    assert.equal(data.skipped[0].file, path.join(dir, 'cat', 'c0-corrupt.jpg'));
    assert.match(data.skipped[0].reason, /^cannot decode it: the file is cut short/);
    assert.equal(progress.at(-1), 5);
  });

  it('refuses a folder without images', async () => {
    const dir = freshDir('folder-empty');
    fs.mkdirSync(path.join(dir, 'cat'));
    await rejectsWithCode(loadImageFolder({ dir, height: 8, width: 8 }), 'not-found', /No images found/);
  });
});

describe('generateDemoSource', () => {
  it('writes the same bytes for the same seed, perClass files per class, in the flat layout', async () => {
    const a = path.join(root, 'demo-a');
    const b = path.join(root, 'demo-b');
    const options = { perClass: 4, size: 48, seed: 11 };
    const first = await generateDemoSource({ dir: a, ...options });
    await generateDemoSource({ dir: b, ...options });
    assert.deepEqual(first.classes, ['spots', 'stripes']);
    const hashesA = hashTree(a);
    assert.equal(hashesA.size, 8);
    assert.deepEqual(hashTree(b), hashesA);
    assert.equal((await sharp(path.join(a, 'spots.1.png')).metadata()).width, 48);

    const scan = await scanSource({ dir: a });
    assert.equal(scan.layout, 'flat');
    assert.deepEqual(scan.classes.map((c) => [c.name, c.files.length]), [['spots', 4], ['stripes', 4]]);

    const mtimes = mtimeTree(a);
    await generateDemoSource({ dir: a, ...options });
    assert.deepEqual(mtimeTree(a), mtimes, 'second run with the same options writes nothing');

    const foreign = freshDir('demo-foreign');
    fs.writeFileSync(path.join(foreign, 'holiday.jpg'), 'x');
    await rejectsWithCode(generateDemoSource({ dir: foreign, ...options }), 'target-not-empty', /holiday\.jpg/);

    const other = path.join(root, 'demo-c');
    await generateDemoSource({ dir: other, ...options, seed: 12 });
    assert.notDeepEqual(hashTree(other), hashesA);
  });
});
