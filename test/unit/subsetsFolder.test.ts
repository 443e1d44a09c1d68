// The default folder of prepared subsets (src/shared/node/subsetsFolder.ts), the same for the trainer and the
// extension: the source's name and the split; a source named for a subset takes its parent's name in front.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultSubsetsFolder, subsetsFolderName } from '../../src/shared/node/subsetsFolder';

const SEED = { train: 1000, validation: 500, test: 1000 };

test('<source name>-<train>-<validation>-<test>', () => {
  assert.equal(subsetsFolderName({ source: '/data/pets', counts: SEED }), 'pets-1000-500-1000');
  assert.equal(subsetsFolderName({ source: '/data/pets/', counts: { train: 8, validation: 4, test: 0 } }), 'pets-8-4-0');
  assert.equal(defaultSubsetsFolder({ workFolder: '/w', source: '/data/pets', counts: SEED }), join('/w', 'data', 'pets-1000-500-1000'));
});

test('Kaggle\'s dogs-vs-cats/train, or the train/ of a dataset that came split: the parent\'s name in front', () => {
  assert.equal(subsetsFolderName({ source: '/datasets/dogs-vs-cats/train', counts: SEED }), 'dogs-vs-cats-train-1000-500-1000');
  assert.equal(subsetsFolderName({ source: '/x/hymenoptera/Training Set', counts: SEED }), 'hymenoptera-Training Set-1000-500-1000');
  assert.equal(subsetsFolderName({ source: '/train', counts: SEED }), 'train-1000-500-1000', 'no parent to name');
});
