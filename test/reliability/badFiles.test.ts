/**
 * Bad files (issue 5): what real photo folders hold besides photos. One source folder gets every kind of
 * bad and odd file, and one tiny training run (child process, JSON lines) goes through it: each bad file
 * is named with the reason in a warning, the rest of the data still trains, and the run's summary counts
 * what was skipped. Odd but valid images (1x1, animated, 16-bit, CMYK, grey, RGBA) are used, with the
 * right colours. The unreadable file and the 12000 x 12000 image get runs of their own.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RUN_FILE, type RunRecord } from '../../src/shared/runFiles';
import type { DatasetLoadedMessage, PreparedMessage, TrainerMessage } from '../../src/shared/trainerProtocol';
import { TerminalReporter } from '../../src/trainer/cli/terminalReporter';
import { loadImageFolder, type ImageFolderDataset } from '../../src/trainer/data/imageFolder';
import { MANIFEST_FILE, type Manifest } from '../../src/trainer/data/manifest';
import {
  write16BitPng,
  writeAnimatedGif,
  writeClassFolders,
  writeCmykJpeg,
  writeGreyPng,
  writeImage,
  writePngClaiming,
  writeRgbaPng,
  writeTruncatedJpeg,
  type Rgb,
} from '../helpers/imageFixtures';
import { messagesOfType, runTrainer, type TrainerRun } from '../helpers/runTrainer';

const REPO = resolve(__dirname, '..', '..');
const UNICODE_NAME = '09 my cat – Ünïcode 猫.JPG';
const UNICODE_CLASS = 'hund 犬';

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

function warningFor(run: TrainerRun, file: string): string {
  const warning = messagesOfType(run, 'warning').find((w) => w.file === file);
  assert.ok(warning, `no warning names ${file}; warnings:\n${messagesOfType(run, 'warning').map((w) => w.message).join('\n')}`);
  return warning.message;
}

function pixelOf(data: ImageFolderDataset, name: string): Rgb {
  const index = data.files.findIndex((f) => f.endsWith(`/${name}`));
  assert.ok(index >= 0, `${name} was not loaded`);
  const offset = index * data.height * data.width * 3 + ((data.height >> 1) * data.width + 1) * 3;
  return [data.images[offset], data.images[offset + 1], data.images[offset + 2]];
}

function assertNear(actual: Rgb, expected: Rgb, tolerance: number, what: string): void {
  assert.ok(actual.every((v, k) => Math.abs(v - expected[k]) <= tolerance), `${what}: got ${actual.join(',')}, expected about ${expected.join(',')}`);
}

describe('bad files in a folder of photos (child process)', () => {
  let root: string;
  let source: string;
  let run: TrainerRun;
  let prepared: PreparedMessage;
  let trainLoaded: DatasetLoadedMessage;
  let manifest: Manifest;
  let trainCats: ImageFolderDataset;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-bad-files-'));
    source = join(root, 'source');
    const cat = join(source, 'cat');
    // Named to sort first, so the split puts them in train.
    await writeTruncatedJpeg(join(cat, '00-truncated.jpg'));
    writeFileSync(join(cat, '01-webpage.jpg'), '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n');
    writeFileSync(join(cat, '02-notes.jpg'), 'These are my notes about the photos, not a photo.\n');
    await writeImage({ file: join(cat, '03-one-pixel.png'), colour: [250, 130, 10], width: 1, height: 1 });
    await writeAnimatedGif(join(cat, '04-animated.gif'), [240, 20, 20], [20, 20, 240]);
    await write16BitPng(join(cat, '05-deep.png'), [0, 200, 100]);
    await writeCmykJpeg(join(cat, '06-cmyk.jpg'), [220, 30, 30]);
    await writeGreyPng(join(cat, '07-grey.png'), 120);
    await writeRgbaPng(join(cat, '08-rgba.png'), [255, 0, 0]);
    await writeImage({ file: join(cat, UNICODE_NAME), colour: [10, 180, 180], format: 'jpeg' });
    await writeClassFolders({ root: source, classes: { cat: 8, [UNICODE_CLASS]: 18 } });
    // Skipped when the folder is read.
    writeFileSync(join(cat, '00-empty.jpg'), '');
    writeFileSync(join(cat, '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    writeFileSync(join(cat, 'Thumbs.db'), Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
    await writeImage({ file: join(cat, '.hidden.png') });
    await writeImage({ file: join(cat, '.thumbnails', 'img-1.png') });
    symlinkSync('missing.jpg', join(cat, '00-broken.jpg'));
    symlinkSync('00-loop-b.jpg', join(cat, '00-loop-a.jpg'));
    symlinkSync('00-loop-a.jpg', join(cat, '00-loop-b.jpg'));

    run = await runTrainer({
      args: ['train', source, '--split', '14/3/1', '--epochs', '1', '--image-size', '78', '--batch-size', '5', '--workers', '1', '--out', join(root, 'work'), '--json'],
    });
    assert.equal(run.code, 0, run.stderr);
    prepared = messagesOfType(run, 'prepared')[0];
    trainLoaded = messagesOfType(run, 'dataset-loaded').find((m) => m.subset === 'train')!;
    manifest = readJson<Manifest>(join(prepared.outDir, MANIFEST_FILE));
    trainCats = await loadImageFolder({ dir: join(prepared.outDir, 'train'), height: 8, width: 8 });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const preparedReason = (file: string) => prepared.skipped.find((s) => s.file === file)?.reason;
  const trainReason = (name: string) => trainLoaded.skipped.find((s) => s.file === join(prepared.outDir, 'train', 'cat', name))?.reason;

  it('a truncated JPEG: skipped as "cut short", named in a warning; the other images train', () => {
    assert.match(trainReason('00-truncated.jpg') ?? '', /^cannot decode it: the file is cut short \(truncated\), e\.g\. an unfinished download or copy/);
    assert.match(warningFor(run, join(prepared.outDir, 'train', 'cat', '00-truncated.jpg')), /^Skipped .*00-truncated\.jpg: cannot decode it: the file is cut short/);
    assert.equal(messagesOfType(run, 'run-started')[0].trainCount, 28 - 3, '28 training images, 3 undecodable');
    assert.equal(messagesOfType(run, 'done')[0].status, 'completed');
  });

  it('a .jpg that is really an HTML page or text: skipped, saying what it is', () => {
    assert.match(trainReason('01-webpage.jpg') ?? '', /it is a web page \(HTML, starting "<!DOCTYPE html> <html><head><title>404 N…"\), not an image: probably an error page saved under an image name/);
    assert.match(trainReason('02-notes.jpg') ?? '', /it is a text file \(starting "These are my notes about the photos, not…"\), not an image/);
  });

  it('a zero-byte file: skipped when the folder is read, so the split takes the next image', () => {
    assert.equal(preparedReason('cat/00-empty.jpg'), 'empty file (0 bytes)');
    assert.equal(warningFor(run, join(source, 'cat', '00-empty.jpg')), `Skipped ${join(source, 'cat', '00-empty.jpg')}: empty file (0 bytes).`);
    assert.ok(!manifest.files.train.cat.includes('cat/00-empty.jpg'));
    assert.equal(manifest.files.train.cat.length, 14, 'train is complete');
  });

  it('.DS_Store, Thumbs.db, hidden files and hidden folders: skipped, never copied', () => {
    assert.equal(preparedReason('cat/.DS_Store'), 'hidden file');
    assert.equal(preparedReason('cat/.hidden.png'), 'hidden file');
    assert.equal(preparedReason('cat/Thumbs.db'), 'system file');
    assert.equal(preparedReason('cat/.thumbnails/'), 'hidden folder');
    assert.ok(!existsSync(join(prepared.outDir, 'train', 'cat', '.DS_Store')));
    assert.ok(!existsSync(join(prepared.outDir, 'train', 'cat', 'Thumbs.db')));
  });

  it('an unreadable file (no read permission): skipped with "permission denied", the split uses the next image', async () => {
    const dir = join(root, 'unreadable');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(root, 0o755);
    chmodSync(dir, 0o777);
    const src = join(dir, 'source');
    await writeImage({ file: join(src, 'cat', '00-locked.png') });
    await writeClassFolders({ root: src, classes: { cat: 4, dog: 4 } });
    chmodSync(join(src, 'cat', '00-locked.png'), 0o000);
    for (const folder of [src, join(src, 'cat'), join(src, 'dog')]) chmodSync(folder, 0o755);
    // root reads every file whatever its mode: run the trainer as an unprivileged user to see what a user sees.
    const asRoot = process.getuid?.() === 0;
    const nobody = { uid: 65534, gid: 65534 };
    const canSwitch = asRoot && spawnSync(process.execPath, ['-e', ''], nobody).status === 0;
    const prepare = await runTrainer({
      args: ['prepare', src, '--split', '3/1/0', '--out', join(dir, 'out'), '--json'],
      ...(canSwitch ? { user: nobody } : {}),
    });
    assert.equal(prepare.code, 0, prepare.stderr);
    const result = messagesOfType(prepare, 'prepared')[0];
    const locked = result.skipped.find((s) => s.file === 'cat/00-locked.png');
    if (asRoot && !canSwitch) {
      // No other user to switch to: root can read it, so it is simply used.
      assert.equal(locked, undefined);
      return;
    }
    assert.equal(locked?.reason, 'permission denied: this user may not read it (give read access, e.g. chmod a+r)');
    assert.match(warningFor(prepare, join(src, 'cat', '00-locked.png')), /permission denied/);
    assert.deepEqual(result.counts, { train: 6, validation: 2, test: 0 }, 'the split is complete without it');
    assert.equal(messagesOfType(prepare, 'done')[0].skippedFiles, 1);
  });

  it('a broken symbolic link: skipped as a broken link', () => {
    assert.equal(preparedReason('cat/00-broken.jpg'), 'broken symbolic link (the file it points to does not exist)');
  });

  it('a symbolic link loop: skipped as a loop, nothing hangs', () => {
    assert.equal(preparedReason('cat/00-loop-a.jpg'), 'symbolic link loop (the link points back to itself)');
    assert.equal(preparedReason('cat/00-loop-b.jpg'), 'symbolic link loop (the link points back to itself)');
  });

  it('names with spaces, unicode and upper-case extensions: copied, trained on, class names kept', () => {
    assert.ok(manifest.files.train.cat.includes(`cat/${UNICODE_NAME}`));
    assert.ok(existsSync(join(prepared.outDir, 'train', 'cat', UNICODE_NAME)));
    assert.ok(!trainLoaded.skipped.some((s) => s.file.endsWith(UNICODE_NAME)));
    assert.deepEqual(prepared.classes, ['cat', UNICODE_CLASS]);
    assert.deepEqual(messagesOfType(run, 'run-started')[0].classes, ['cat', UNICODE_CLASS]);
    assertNear(pixelOf(trainCats, UNICODE_NAME), [10, 180, 180], 12, 'the unicode-named JPEG');
  });

  it('a 1x1 image: scaled up and used', () => {
    assert.equal(trainReason('03-one-pixel.png'), undefined);
    assertNear(pixelOf(trainCats, '03-one-pixel.png'), [250, 130, 10], 2, '1x1 image');
  });

  it('a 12000 x 12000 image: decoded to the training size in bounded memory; a header claiming 100000 x 100000 is refused', async () => {
    const dir = join(root, 'huge');
    await writeImage({ file: join(dir, 'cat', 'huge.jpg'), width: 12000, height: 12000, colour: [200, 100, 50], format: 'jpeg' });
    await writeImage({ file: join(dir, 'cat', 'huge.png'), width: 12000, height: 12000, colour: [50, 100, 200] });
    await writePngClaiming(join(dir, 'cat', 'bomb.png'), 100000, 100000);
    await writeImage({ file: join(dir, 'dog', 'small.png') });
    // A child process, so that its peak memory is this load's alone.
    const script = `const { loadImageFolder } = require(${JSON.stringify(join(REPO, 'src', 'trainer', 'data', 'imageFolder.ts'))});
      loadImageFolder({ dir: ${JSON.stringify(dir)}, height: 180, width: 180 }).then((data) => {
        console.log(JSON.stringify({ files: data.files, skipped: data.skipped, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
      });`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, child.stderr);
    const result = JSON.parse(child.stdout) as { files: string[]; skipped: { file: string; reason: string }[]; maxRssMb: number };
    assert.deepEqual(result.files.map((f) => f.slice(dir.length + 1)), ['cat/huge.jpg', 'cat/huge.png', 'dog/small.png']);
    assert.equal(result.skipped.length, 1);
    assert.match(result.skipped[0].reason, /^cannot decode it: it has too many pixels \(more than 16384 x 16384\): shrink it first$/);
    // One 12000 x 12000 RGB frame alone is 432 MB: the decoder never holds one.
    assert.ok(result.maxRssMb < 400, `peak memory ${result.maxRssMb.toFixed(0)} MB`);
  });

  it('an animated GIF: its first frame is used', () => {
    assert.equal(trainReason('04-animated.gif'), undefined);
    assertNear(pixelOf(trainCats, '04-animated.gif'), [240, 20, 20], 12, 'first frame');
  });

  it('a 16-bit PNG: converted to 8 bits and used', () => {
    assert.equal(trainReason('05-deep.png'), undefined);
    assertNear(pixelOf(trainCats, '05-deep.png'), [0, 200, 100], 2, '16-bit PNG');
  });

  it('a CMYK JPEG: converted to RGB and used', () => {
    assert.equal(trainReason('06-cmyk.jpg'), undefined);
    const [r, g, b] = pixelOf(trainCats, '06-cmyk.jpg');
    assert.ok(r > 150 && g < 100 && b < 100, `CMYK red decoded as ${r},${g},${b}`);
  });

  it('grayscale and RGBA images: grey repeated over three channels, alpha flattened on black', () => {
    assert.equal(trainReason('07-grey.png'), undefined);
    assert.equal(trainReason('08-rgba.png'), undefined);
    assertNear(pixelOf(trainCats, '07-grey.png'), [120, 120, 120], 1, 'grey');
    assertNear(pixelOf(trainCats, '08-rgba.png'), [255, 0, 0], 1, 'opaque half of the RGBA image');
  });

  it('the run\'s summary counts the skipped files: run.json, run-started, done and the terminal\'s last lines', () => {
    const expected = prepared.skipped.length + trainLoaded.skipped.length;
    assert.equal(prepared.skipped.length, 8, prepared.skipped.map((s) => s.file).join(', '));
    assert.equal(trainLoaded.skipped.length, 3);
    const done = messagesOfType(run, 'done')[0];
    assert.equal(done.skippedFiles, expected);
    assert.equal(messagesOfType(run, 'run-started')[0].skippedFiles, expected);
    assert.equal(readJson<RunRecord>(join(done.runDir!, RUN_FILE)).skippedFiles, expected);
    let text = '';
    new TerminalReporter((chunk) => (text += chunk)).report(done as TrainerMessage);
    assert.match(text, new RegExp(`\\n  skipped files: ${expected} \\(each named in a warning above\\)\\n$`));
  });
});

describe('special files given by name (child process)', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'sc-special-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a named pipe with an image name, passed to preview (predict decodes the same way): refused at once, never opened (issue 15)', { timeout: 60_000 }, async (t) => {
    const pipe = join(root, 'pipe.jpg');
    if (spawnSync('mkfifo', [pipe]).status !== 0) {
      t.skip('mkfifo is not available here');
      return;
    }
    // Opening a named pipe blocks until a writer comes: before, the trainer hung here, deaf to SIGTERM.
    const preview = await runTrainer({ args: ['preview', pipe, '--out', join(root, 'work'), '--json'] });
    assert.equal(preview.code, 3, preview.stderr);
    const error = messagesOfType(preview, 'error')[0];
    assert.equal(error?.code, 'bad-data');
    assert.match(error.message, /pipe\.jpg: it is a named pipe, not an image file/);
    const socketLike = join(root, 'a-folder.png');
    mkdirSync(socketLike);
    const folderPreview = await runTrainer({ args: ['preview', socketLike, '--out', join(root, 'work'), '--json'] });
    assert.match(messagesOfType(folderPreview, 'error')[0]?.message ?? '', /it is a folder, not an image file/);
  });
});
