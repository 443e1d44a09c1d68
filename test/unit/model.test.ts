import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import { convStackSides, MIN_IMAGE_SIZE } from '../../src/shared/recipes';
import { buildModel, checkImageSize } from '../../src/trainer/model/buildModel';
import { formatSummary, summarizeModel } from '../../src/trainer/model/modelSummary';
import { UserError } from '../../src/trainer/util/errors';

describe('the recipe models', () => {
  it('Model 1 at 180x180 has exactly 991,041 parameters and the seed output shapes', () => {
    const model = buildModel({ recipe: 'scratch', imageSize: 180, numClasses: 2, seed: 1 });
    const summary = summarizeModel({ model, recipe: 'scratch', imageSize: 180 });
    assert.equal(summary.totalParams, 991_041);
    assert.equal(summary.trainableParams, 991_041);
    assert.deepEqual(
      summary.layers.map((l) => l.outputShape[0]),
      [180, 178, 89, 87, 43, 41, 20, 18, 9, 7, 12544, 1],
    );
    assert.deepEqual(
      summary.layers.filter((l) => l.className === 'Conv2D').map((l) => l.params),
      [896, 18_496, 73_856, 295_168, 590_080],
    );
    assert.ok(!summary.layers.some((l) => l.className === 'Dropout'));
    assert.match(formatSummary(summary), /Total params: 991,041/);
    model.dispose();
  });

  it('Model 2 adds the augmentation stage and Dropout(0.5) without adding parameters', () => {
    const model = buildModel({ recipe: 'augmented', imageSize: 180, numClasses: 2, seed: 1 });
    const summary = summarizeModel({ model, recipe: 'augmented', imageSize: 180 });
    assert.equal(summary.totalParams, 991_041);
    assert.equal(summary.layers[0].name, 'data_augmentation');
    const dropout = model.layers.find((l) => l.getClassName() === 'Dropout');
    assert.equal((dropout?.getConfig() as { rate: number }).rate, 0.5);
    assert.equal(summary.layers.at(-2)?.className, 'Dropout');
    model.dispose();
  });

  it('three or more classes get a softmax head', () => {
    const model = buildModel({ recipe: 'scratch', imageSize: 180, numClasses: 3, seed: 1 });
    const dense = model.layers.at(-1)!;
    assert.deepEqual(dense.outputShape, [null, 3]);
    assert.equal((dense.getConfig() as { activation: string }).activation, 'softmax');
    model.dispose();
  });

  it(`refuses an image size too small for the conv stack, naming the smallest (${MIN_IMAGE_SIZE})`, () => {
    assert.equal(convStackSides(MIN_IMAGE_SIZE).at(-1), 1);
    assert.equal(convStackSides(MIN_IMAGE_SIZE - 1).at(-1), 0);
    assert.throws(
      () => checkImageSize(64),
      (error: unknown) => error instanceof UserError && error.code === 'bad-setting' && /at least 78x78/.test(error.message) && /an image size of 78 or more \(--image-size\)/.test(error.message),
    );
    checkImageSize(MIN_IMAGE_SIZE);
    const model = buildModel({ recipe: 'scratch', imageSize: MIN_IMAGE_SIZE, numClasses: 2, seed: 1 });
    assert.deepEqual(model.outputs[0].shape, [null, 1]);
    model.dispose();
  });

  it('the same seed gives the same initial weights', () => {
    const a = buildModel({ recipe: 'scratch', imageSize: 80, numClasses: 2, seed: 5 });
    const b = buildModel({ recipe: 'scratch', imageSize: 80, numClasses: 2, seed: 5 });
    const c = buildModel({ recipe: 'scratch', imageSize: 80, numClasses: 2, seed: 6 });
    const first = (m: typeof a) => m.getWeights()[0].dataSync();
    assert.deepEqual(first(a), first(b));
    assert.notDeepEqual(first(a), first(c));
    [a, b, c].forEach((m) => m.dispose());
  });
});
