/**
 * "Why did it say dog?" (issue 17): Grad-CAM against its definition computed independently in plain JS (the head
 * after the last convolution is Flatten + Dense, so the score's gradient with respect to the activations is the
 * Dense kernel itself), the heatmap of a trained model on a synthetic set whose class evidence sits in one known
 * quadrant, feature maps with the model summary's shapes, and the two CLI commands.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { convStackSides } from '../../src/shared/recipes';
import { parse } from '../../src/shared/schema';
import { trainerMessageSchema } from '../../src/shared/trainerProtocol';
import { buildModel } from '../../src/trainer/model/buildModel';
import { featureGrid, featureMaps } from '../../src/trainer/explain/featureMaps';
import { gradCam } from '../../src/trainer/explain/gradCam';
import { inferno, upsample } from '../../src/trainer/explain/heatmapImage';
import { rawPixels } from '../helpers/imageFixtures';
import { messagesOfType, runTrainer } from '../helpers/runTrainer';
import { Rng } from '../../src/trainer/util/rng';

const seededRandom = (seed: number) => {
  const rng = new Rng(seed);
  return () => rng.next();
};

/** Grad-CAM by its definition, in float64 JS: A [h*w*K] (HWC), the Dense kernel [h*w*K, units], the class's sign or column. */
function gradCamByDefinition(options: { activations: Float32Array; h: number; w: number; k: number; kernel: Float32Array; units: number; column: number; sign: number }): number[][] {
  const { activations, h, w, k, kernel, units, column, sign } = options;
  // d score / d A[i, j, c] = sign * kernel[(i*w + j)*k + c, column]: the head is linear in A.
  const alpha = new Float64Array(k);
  for (let p = 0; p < h * w; p++) for (let c = 0; c < k; c++) alpha[c] += (sign * kernel[(p * k + c) * units + column]) / (h * w);
  const cam = Array.from({ length: h }, (_, i) =>
    Array.from({ length: w }, (_, j) => Math.max(0, Array.from(alpha).reduce((sum, a, c) => sum + a * activations[(i * w + j) * k + c], 0))),
  );
  const max = Math.max(...cam.flat());
  return cam.map((row) => row.map((v) => (max > 0 ? v / max : 0)));
}

describe('Grad-CAM against its definition', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const numClasses of [2, 3]) {
    it(`${numClasses === 2 ? 'binary (sigmoid: the logit, or minus it for the first class)' : 'three classes (the softmax input of the class)'}: the same heatmap for every class, within 1e-5`, () => {
      // Model 1 at 110 px: its last conv grid is 3x3.
      const size = 110;
      const model = buildModel({ recipe: 'scratch', imageSize: size, numClasses, seed: 11 });
      const random = seededRandom(5);
      const pixels = Float32Array.from({ length: size * size * 3 }, () => Math.floor(random() * 256));
      const layers = model.layers;
      const lastConv = layers.map((l) => l.getClassName()).lastIndexOf('Conv2D');
      const activations = tf.tidy(() => {
        let x: tf.Tensor = tf.tensor4d(pixels, [1, size, size, 3]);
        for (const layer of layers.slice(0, lastConv + 1)) x = layer.apply(x) as tf.Tensor;
        return { shape: x.shape, values: x.dataSync() as Float32Array };
      });
      const [, h, w, k] = activations.shape;
      assert.deepEqual([h, w], [convStackSides(size).at(-1), convStackSides(size).at(-1)]);
      const dense = layers.at(-1)!;
      const kernel = dense.getWeights()[0].dataSync() as Float32Array;
      const units = numClasses === 2 ? 1 : numClasses;
      let nonZero = 0;
      for (let cls = 0; cls < numClasses; cls++) {
        const result = gradCam({ model, pixels, size, classIndex: cls });
        if (result.heatmap.flat().some((v) => v > 0)) nonZero++;
        assert.equal(result.explainedClass, cls);
        const expected = gradCamByDefinition({
          activations: activations.values, h, w, k, kernel, units,
          column: numClasses === 2 ? 0 : cls,
          sign: numClasses === 2 && cls === 0 ? -1 : 1,
        });
        assert.equal(result.heatmap.length, h);
        result.heatmap.flat().forEach((v, i) => assert.ok(Math.abs(v - expected.flat()[i]) < 1e-5, `class ${cls}, cell ${i}: ${v} against ${expected.flat()[i]}`));
      }
      assert.ok(nonZero >= 1, 'some class has a heatmap that is not all zero (the comparison means something)');
      const predicted = gradCam({ model, pixels, size });
      assert.equal(predicted.explainedClass, predicted.predictedClass, 'by default the predicted class');
      assert.ok(Math.abs(predicted.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      model.dispose();
    });
  }

  it('upsampling keeps the grid\'s values at cell centres and stays in 0..1; inferno runs from black to pale yellow', () => {
    const up = upsample([[0, 1], [1, 0]], 4);
    assert.ok(up.every((v) => v >= 0 && v <= 1));
    assert.equal(up[0], 0, 'a corner takes its cell');
    assert.equal(up[3], 1);
    assert.deepEqual(inferno(0), [0, 0, 0]);
    const top = inferno(1);
    assert.ok(top[0] > 240 && top[1] > 240 && top[2] > 150 && top[2] < 185, `pale yellow: ${top}`);
    assert.ok(inferno(0.5)[0] > inferno(0.5)[2], 'red-magenta in the middle');
  });
});

describe('explain and activations (child processes)', () => {
  let root: string;
  let runDir: string;
  let marked: string[];
  let plain: string[];
  const SIZE = 126;

  /**
   * Noise on every image and one white square: in the top-left quadrant for "marked", in the bottom-right one for
   * "plain". Where the square is, is the only evidence of the class.
   */
  async function writeSet(dir: string, perClass: number, seed: number): Promise<void> {
    const random = seededRandom(seed);
    for (const cls of ['marked', 'plain']) {
      mkdirSync(join(dir, cls), { recursive: true });
      for (let n = 1; n <= perClass; n++) {
        const side = 30;
        // Well inside its quadrant (the square ends by x, y = 46 of 126).
        const x0 = 4 + Math.floor(random() * 12);
        const y0 = 4 + Math.floor(random() * 12);
        const noise = Array.from({ length: SIZE * SIZE * 3 }, () => 40 + Math.floor(random() * 140));
        const raw = rawPixels(SIZE, SIZE, 3, (x, y) => {
          const [sx, sy] = cls === 'marked' ? [x0, y0] : [SIZE - side - x0, SIZE - side - y0];
          if (x >= sx && x < sx + side && y >= sy && y < sy + side) return [255, 255, 255];
          const i = (y * SIZE + x) * 3;
          return [noise[i], noise[i + 1], noise[i + 2]];
        });
        await sharp(raw, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toFile(join(dir, cls, `${cls}.${n}.png`));
      }
    }
  }

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-explain-'));
    const source = join(root, 'source');
    await writeSet(source, 36, 21);
    const trained = await runTrainer({
      args: ['train', source, '--recipe', 'scratch', '--split', '24/6/6', '--epochs', '8', '--image-size', String(SIZE), '--batch-size', '8', '--workers', '1', '--backend', 'wasm', '--out', join(root, 'work'), '--json'],
    });
    assert.equal(trained.code, 0, trained.stderr);
    runDir = messagesOfType(trained, 'run-started')[0].runDir;
    const best = messagesOfType(trained, 'epoch-end').map((e) => e.logs.val_accuracy);
    assert.ok(Math.max(...best) >= 0.9, `the model learns the square (val_accuracy ${best.join(', ')})`);
    const test = (cls: string) => Array.from({ length: 6 }, (_, i) => join(root, 'work', 'data', 'source-24-6-6', 'test', cls, `${cls}.${31 + i}.png`));
    marked = test('marked');
    plain = test('plain');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('explain: each class\'s heatmap puts most of its mass in the quadrant where that class\'s square is; overlays written', async () => {
    // The wasm backend, as it trained: the same numbers on every machine (the weakest image has 65% in its quadrant).
    const run = await runTrainer({ args: ['explain', runDir, ...marked, ...plain, '--backend', 'wasm', '--json'] });
    assert.equal(run.code, 0, run.stderr);
    const explanations = messagesOfType(run, 'explanation');
    assert.equal(explanations.length, marked.length + plain.length);
    for (const explanation of explanations) {
      assert.ok(parse(trainerMessageSchema, JSON.parse(JSON.stringify(explanation))), 'the message parses with the protocol schema');
      const cls = explanation.file.includes('/marked/') ? 'marked' : 'plain';
      assert.equal(explanation.explained, explanation.predicted, 'by default the predicted class');
      if (explanation.predicted !== cls) continue; // a wrong prediction's heatmap says something else
      const grid = explanation.heatmap;
      assert.equal(grid.length, convStackSides(SIZE).at(-1));
      const half = grid.length / 2;
      const total = grid.flat().reduce((a, b) => a + b, 0);
      const rows = cls === 'marked' ? grid.slice(0, half) : grid.slice(half);
      const inQuadrant = rows.flatMap((row) => (cls === 'marked' ? row.slice(0, half) : row.slice(half))).reduce((a, b) => a + b, 0);
      assert.ok(total > 0 && inQuadrant / total > 0.6, `${explanation.file}: ${((100 * inQuadrant) / Math.max(total, 1e-9)).toFixed(0)}% of the heat in its square's quadrant: ${JSON.stringify(grid)}`);
      assert.ok(existsSync(explanation.overlayFile));
      const meta = await sharp(explanation.overlayFile).metadata();
      assert.deepEqual([meta.width, meta.height, meta.format], [SIZE, SIZE, 'png']);
    }
    assert.ok(explanations.filter((e) => e.file.includes(`/${e.predicted}/`)).length >= 10, 'most test images are predicted right');
    const forced = await runTrainer({ args: ['explain', runDir, marked[0], '--class', 'plain', '--json'] });
    assert.equal(messagesOfType(forced, 'explanation')[0].explained, 'plain', '--class explains that class');
    const bad = await runTrainer({ args: ['explain', runDir, marked[0], '--class', 'dog', '--json'] });
    assert.equal(bad.code, 3);
    assert.equal(messagesOfType(bad, 'error')[0].message, "--class dog is not one of the model's classes: marked, plain.");
  });

  it('activations: one grid per conv and pooling layer, with the model summary\'s shapes', async () => {
    const run = await runTrainer({ args: ['activations', runDir, marked[0], '--json'] });
    assert.equal(run.code, 0, run.stderr);
    const [message] = messagesOfType(run, 'activations');
    const sides = convStackSides(SIZE);
    assert.deepEqual(
      message.layers.map((l) => [l.name, l.shape]),
      [32, 64, 128, 256, 256].flatMap((filters, i) => [
        [`conv2d_${i + 1}`, [sides[2 * i], sides[2 * i], filters]],
        ...(i < 4 ? [[`max_pooling2d_${i + 1}`, [sides[2 * i + 1], sides[2 * i + 1], filters]]] : []),
      ]),
    );
    for (const layer of message.layers) {
      const meta = await sharp(layer.file).metadata();
      assert.equal(layer.channels, 16);
      assert.ok((meta.width ?? 0) >= 8 * 48, `${layer.name}: 8 tiles of at least 48 px per row`);
    }
    const one = await runTrainer({ args: ['activations', runDir, marked[0], '--layer', 'conv2d_5', '--json'] });
    assert.deepEqual(messagesOfType(one, 'activations')[0].layers.map((l) => l.name), ['conv2d_5']);
    const unknown = await runTrainer({ args: ['activations', runDir, marked[0], '--layer', 'dense', '--json'] });
    assert.equal(unknown.code, 3);
    assert.match(messagesOfType(unknown, 'error')[0].message, /^--layer dense is not a convolution or pooling layer of the model: conv2d_1, max_pooling2d_1, /);
  });

  it('feature maps in process: the same layers; a grid shows the first 16 channels', () => {
    const model = buildModel({ recipe: 'scratch', imageSize: 94, numClasses: 2, seed: 1 });
    const maps = featureMaps({ model, pixels: new Uint8Array(94 * 94 * 3).fill(100), size: 94 });
    assert.deepEqual(maps.map((m) => m.shape[0]), convStackSides(94));
    const grid = featureGrid(maps[0]);
    assert.equal(grid.channels, 16);
    assert.equal(grid.rgb.length, grid.width * grid.height * 3);
    void tfl;
    model.dispose();
  });
});
