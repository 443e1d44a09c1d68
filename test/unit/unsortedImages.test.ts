// Images with no class (src/shared/unsortedImages.ts): which files are label lists, and the message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imagesWithoutClassesMessage, isLabelFileName } from '../../src/shared/unsortedImages';

test('label lists: any .csv or .tsv, a .txt or .json named for labels; not READMEs or hidden files', () => {
  for (const name of ['labels.csv', 'train.csv', 'data.tsv', 'labels.txt', 'annotations.json', 'classes.txt', 'ground_truth.json']) assert.ok(isLabelFileName(name), name);
  for (const name of ['README.txt', 'notes.json', '.labels.csv', 'cat.1.jpg', 'labels']) assert.ok(!isLabelFileName(name), name);
});

test('the message counts the images, shows both ways to give classes under the folder, and names label files', () => {
  assert.equal(
    imagesWithoutClassesMessage({ dir: 'C:\\data', count: 1, labelFiles: ['a.csv', 'b.csv'], separator: '\\' }),
    "C:\\data holds 1 image but no classes: Small Convnet takes each image's class from its file name (CLASS.N.jpg, e.g. cat.1.jpg, dog.1.jpg) or from its sub-folder (one per class: C:\\data\\cat\\, C:\\data\\dog\\). It does not read label files (a.csv, b.csv): sort the images into one sub-folder per class as those files say.",
  );
});
