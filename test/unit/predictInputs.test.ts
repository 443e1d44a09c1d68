// `predict`'s inputs (src/trainer/commands/predictCommand.ts listImages): folders walked for images; a folder
// of photos it does not read (an iPhone's HEIC) says so and what to do, instead of only "No images".
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listImages } from '../../src/trainer/commands/predictCommand';
import { UserError } from '../../src/trainer/util/errors';

const root = mkdtempSync(join(tmpdir(), 'sc-predict-inputs-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a folder is walked for the images it reads; other files, hidden ones, HEIC and a NAS\'s thumbnails are left out', () => {
  const dir = join(root, 'mixed');
  mkdirSync(join(dir, 'nested'), { recursive: true });
  mkdirSync(join(dir, '@eaDir', 'b.jpg'), { recursive: true });
  for (const name of ['b.jpg', 'IMG_1.HEIC', 'notes.txt', '.hidden.png', 'nested/a.PNG', '@eaDir/b.jpg/SYNOFILE_THUMB_M.jpg']) writeFileSync(join(dir, name), '');
  assert.deepEqual(listImages([dir]), [join(dir, 'b.jpg'), join(dir, 'nested', 'a.PNG')]);
});

test('only HEIC photos: the refusal names them and says to convert them', () => {
  const dir = join(root, 'phone');
  mkdirSync(dir);
  for (const name of ['IMG_1.HEIC', 'IMG_2.HEIC']) writeFileSync(join(dir, name), '');
  assert.throws(
    () => listImages([dir]),
    (error: unknown) =>
      error instanceof UserError &&
      error.code === 'bad-data' &&
      error.message === `No images (.jpg, .png, .gif, .bmp, .webp) in ${dir}. It holds 2 .heic files (HEIC, the iPhone photo format), which Small Convnet does not read: convert them to JPEG or PNG (e.g. Export as JPEG in Photos, or any image converter).`,
  );
});
