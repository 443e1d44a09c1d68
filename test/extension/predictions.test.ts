/** How a prediction is told to a person (issue 13): a verdict, a tie said as one, and whether the run had seen the image. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PredictionMessage } from '../../src/shared/trainerProtocol';
import { subsetThatSaw } from '../../src/extension/runs/seenImages';
import { installFakeVscode, makeFakeVscode } from './helpers/fakeVscode';

const prediction = (probabilities: number[], classes = ['cat', 'dog', 'shirt']): PredictionMessage => ({
  type: 'prediction',
  file: '/images/x.jpg',
  classes,
  probabilities,
  predicted: classes[probabilities.indexOf(Math.max(...probabilities))],
});

test('the verdict: the most probable class, or "undecided" when the top two are within 5 points', async () => {
  const uninstall = installFakeVscode(makeFakeVscode({ workspaceFolder: '/tmp' }).fake);
  try {
    const { verdictOf, describePrediction } = await import('../../src/extension/commands/predictImages');
    assert.equal(verdictOf(prediction([0.129, 0.871], ['cat', 'dog'])), 'dog (87.1%)');
    // The toast of issue 13: "shirt 33.7% · cat 33.7% · dog 32.6%" said nothing.
    assert.equal(verdictOf(prediction([0.337, 0.326, 0.3371])), 'undecided between shirt and cat (33.7% and 33.7%)');
    assert.equal(describePrediction(prediction([0.337, 0.326, 0.3371])), 'shirt 33.7% · cat 33.7% · dog 32.6%');
  } finally {
    uninstall();
  }
});

test('whether the run saw the image: its own copies, or the source images its manifest copied into train/validation', () => {
  const dataDir = '/work/data/pets-2-1-1';
  const manifest = { source: '/photos/pets', files: { train: { cat: ['cat/1.jpg', 'cat/2.jpg'] }, validation: { cat: ['cat/3.jpg'] }, test: { cat: ['cat/4.jpg'] } } };
  assert.equal(subsetThatSaw({ image: '/work/data/pets-2-1-1/train/cat/1.jpg', dataDir, manifest: null }), 'train');
  assert.equal(subsetThatSaw({ image: '/work/data/pets-2-1-1/validation/cat/3.jpg', dataDir, manifest: null }), 'validation');
  assert.equal(subsetThatSaw({ image: '/work/data/pets-2-1-1/test/cat/4.jpg', dataDir, manifest }), null, 'a test image is new to the model');
  assert.equal(subsetThatSaw({ image: '/photos/pets/cat/2.jpg', dataDir, manifest }), 'train');
  assert.equal(subsetThatSaw({ image: '/photos/pets/cat/3.jpg', dataDir, manifest }), 'validation');
  assert.equal(subsetThatSaw({ image: '/photos/pets/cat/4.jpg', dataDir, manifest }), null);
  assert.equal(subsetThatSaw({ image: '/elsewhere/cat/1.jpg', dataDir, manifest }), null);
  assert.equal(subsetThatSaw({ image: '/photos/pets/cat/1.jpg', dataDir, manifest: { junk: true } }), null);
});
