// Image formats people have that Small Convnet does not read (src/shared/unreadImageFormats.ts): named, counted
// by extension, any case; other files are not images at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeUnreadImages, unreadImageFormat } from '../../src/shared/unreadImageFormats';

test('HEIC, TIFF, RAW and others are recognised in any case; read formats, other files and hidden files are not', () => {
  assert.equal(unreadImageFormat('IMG_0001.HEIC'), 'HEIC, the iPhone photo format');
  assert.equal(unreadImageFormat('scan.tiff'), 'TIFF');
  assert.equal(unreadImageFormat('DSC_1.NEF'), 'camera RAW');
  for (const name of ['cat.1.jpg', 'a.png', 'notes.txt', 'README', '.hidden.heic']) assert.equal(unreadImageFormat(name), null, name);
});

test('counts by extension in order of first appearance, singular and plural', () => {
  assert.equal(describeUnreadImages(['a.jpg', 'notes.txt']), null);
  assert.equal(describeUnreadImages(['IMG_1.HEIC']), '1 .heic file (HEIC, the iPhone photo format)');
  assert.equal(describeUnreadImages(['b.tif', 'IMG_1.HEIC', 'IMG_2.heic', 'c.avif']), '1 .tif file (TIFF), 2 .heic files (HEIC, the iPhone photo format) and 1 .avif file (AVIF)');
});
