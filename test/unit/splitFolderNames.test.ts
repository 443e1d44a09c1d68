// Which sub-folder names mean "a dataset that came split" (src/shared/splitFolderNames.ts), as both the trainer
// and the extension's folder picker read them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listFolders, subsetLikeFolders } from '../../src/shared/splitFolderNames';

test('one training-like folder and at least one validation- or test-like folder, as named on disk', () => {
  assert.deepEqual(subsetLikeFolders(['test', 'train']), { train: 'train', heldOut: ['test'] });
  assert.deepEqual(subsetLikeFolders(['train', 'val']), { train: 'train', heldOut: ['val'] });
  assert.deepEqual(subsetLikeFolders(['Training Set', 'Test-Set']), { train: 'Training Set', heldOut: ['Test-Set'] });
  assert.deepEqual(subsetLikeFolders(['TRAIN', 'valid', 'test', 'extra']), { train: 'TRAIN', heldOut: ['valid', 'test'] });
});

test('not split: classes, a training folder alone, or two training-like folders', () => {
  assert.equal(subsetLikeFolders(['cat', 'dog']), null);
  assert.equal(subsetLikeFolders(['train', 'cat']), null);
  assert.equal(subsetLikeFolders(['test', 'validation']), null);
  assert.equal(subsetLikeFolders(['train', 'training', 'test']), null);
  assert.equal(subsetLikeFolders(['trains', 'tests']), null);
});

test('folder lists read as English', () => {
  assert.equal(listFolders(['train']), 'train/');
  assert.equal(listFolders(['train', 'test']), 'train/ and test/');
  assert.equal(listFolders(['train', 'val', 'test']), 'train/, val/ and test/');
});
