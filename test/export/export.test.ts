/**
 * `small-convnet export` (issue 16), checked by readers this project did not write: ONNX's own checker
 * (Debian's python3-onnx) and ONNX Runtime (onnxruntime-web, its WebAssembly build, in Node); for the Keras files
 * h5py (python3-h5py) and a PyTorch model built from the exported architecture (test/export/keras_reader.py);
 * for tfjs, tfjs-layers' own loader. Each must give the trainer's own probabilities within 1e-4, on a binary
 * Model 2 (sigmoid, augmentation and dropout in its config) and a three-class Model 1 (softmax). Then bad input.
 * Keras itself cannot be installed here (no TensorFlow on Debian), so keras.models.load_model is not run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-web';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { decodeImage } from '../../src/trainer/data/decodeImage';
import { readBestMetadata, readCheckpointWeights } from '../../src/trainer/train/checkpointStore';
import { writeClassFolders } from '../helpers/imageFixtures';
import { messagesOfType, runTrainer } from '../helpers/runTrainer';

const PYTHON = '/usr/bin/python3';
const READER = join(__dirname, 'keras_reader.py');
const TOLERANCE = 1e-4;
/** The smallest input whose last feature map is 2x2, not 1x1: so Flatten's channels-last order matters (a wrong order fails). */
const SIZE = 94;

interface TrainedModel {
  label: string;
  runDir: string;
  classes: string[];
  images: string[];
  /** The trainer's own `predict` probabilities, per image. */
  expected: number[][];
}

/** The images as the model's input: float32 [n, size, size, 3], RGB 0..255, decoded and resized as the trainer does. */
async function inputPixels(images: string[], size: number): Promise<Float32Array> {
  const pixels = new Float32Array(images.length * size * size * 3);
  for (const [i, file] of images.entries()) pixels.set(await decodeImage({ file, height: size, width: size }), i * size * size * 3);
  return pixels;
}

function assertProbabilities(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: one row per image`);
  actual.forEach((row, i) => {
    assert.equal(row.length, expected[i].length, `${what}: one probability per class`);
    row.forEach((p, c) => assert.ok(Math.abs(p - expected[i][c]) <= TOLERANCE, `${what}: image ${i}, class ${c}: ${p} against the trainer's ${expected[i][c]}`));
  });
}

function exportRun(run: string, format: string, ...more: string[]) {
  return runTrainer({ args: ['export', run, '--format', format, '--json', ...more] });
}

describe('export: read back by ONNX, h5py + PyTorch and tfjs, same probabilities as the trainer', () => {
  let root: string;
  const models: TrainedModel[] = [];

  before(async () => {
    const python = spawnSync(PYTHON, ['-c', 'import onnx, h5py, torch, numpy'], { encoding: 'utf8' });
    assert.equal(python.status, 0, `these tests need ${PYTHON} with onnx, h5py and torch (Debian: apt-get install python3-onnx python3-h5py python3-torch; npm test installs them): ${python.stderr}`);
    root = mkdtempSync(join(tmpdir(), 'sc-export-'));
    // Model 2 on two classes (one sigmoid unit), Model 1 on three (softmax). SMALL_CONVNET_EXPORT_PHOTOS=<folder of
    // cat.N.jpg / dog.N.jpg> trains the binary model on real photos instead of generated pictures (docs: README, export).
    const photos = process.env.SMALL_CONVNET_EXPORT_PHOTOS;
    const binary = photos ?? join(root, 'binary-source');
    if (photos === undefined) await generateDemoSource({ dir: binary, perClass: 8, size: SIZE, seed: 3 });
    const three = await writeClassFolders({ root: join(root, 'three-source'), classes: { apple: 6, pear: 6, plum: 6 } });
    for (const [label, source, recipe, split] of [
      ['Model 2, 2 classes', binary, 'augmented', photos === undefined ? '4/2/2' : '20/5/5'],
      ['Model 1, 3 classes', three, 'scratch', '3/2/1'],
    ] as const) {
      const out = join(root, recipe);
      const trained = await runTrainer({
        args: ['train', source, '--recipe', recipe, '--split', split, '--epochs', '2', '--image-size', String(SIZE), '--batch-size', '4', '--workers', '1', '--out', out, '--json'],
      });
      assert.equal(trained.code, 0, trained.stderr);
      const runDir = messagesOfType(trained, 'run-started')[0].runDir;
      const classes = messagesOfType(trained, 'run-started')[0].classes;
      const images = readdirSync(join(out, 'data')).flatMap((subsets) =>
        classes.flatMap((c) => readdirSync(join(out, 'data', subsets, 'test', c)).map((f) => join(out, 'data', subsets, 'test', c, f))),
      );
      const predicted = await runTrainer({ args: ['predict', runDir, ...images, '--backend', 'cpu', '--json'] });
      assert.equal(predicted.code, 0, predicted.stderr);
      const expected = messagesOfType(predicted, 'prediction').map((p) => p.probabilities);
      assert.equal(expected.length, images.length);
      models.push({ label, runDir, classes, images, expected });
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('onnx: onnx.checker passes, the class names are in the metadata, and ONNX Runtime gives the trainer\'s probabilities', async () => {
    for (const model of models) {
      const exported = await exportRun(model.runDir, 'onnx');
      assert.equal(exported.code, 0, exported.stderr);
      assert.doesNotMatch(exported.stderr, /install our node backend/, "no tfjs banner advising a backend that does not install");
      const file = messagesOfType(exported, 'exported')[0].path;
      assert.match(file, /\/exports\/.*-epoch-\d{4}\.onnx$/, 'default output: <run>/exports/');
      const checked = spawnSync(PYTHON, ['-c', 'import onnx, sys, json; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(json.dumps({p.key: p.value for p in m.metadata_props}))', file], { encoding: 'utf8' });
      assert.equal(checked.status, 0, `${model.label}: onnx.checker: ${checked.stderr}`);
      assert.deepEqual(JSON.parse(JSON.parse(checked.stdout).classes), model.classes);

      ort.env.wasm.numThreads = 1;
      const session = await ort.InferenceSession.create(readFileSync(file));
      const size = SIZE;
      const input = new ort.Tensor('float32', await inputPixels(model.images, size), [model.images.length, size, size, 3]);
      const output = (await session.run({ image: input })).probabilities;
      assert.deepEqual(output.dims, [model.images.length, model.classes.length]);
      const values = Array.from(output.data as Float32Array);
      const rows = model.images.map((_, i) => values.slice(i * model.classes.length, (i + 1) * model.classes.length));
      assertProbabilities(rows, model.expected, `${model.label}, ONNX Runtime`);
    }
  });

  for (const format of ['keras', 'h5'] as const) {
    it(`${format}: h5py reads the checkpoint's layer names, shapes and weights exactly, and a PyTorch model built from the file predicts the same`, async () => {
      for (const model of models) {
        const exported = await exportRun(model.runDir, format);
        assert.equal(exported.code, 0, exported.stderr);
        const file = messagesOfType(exported, 'exported')[0].path;
        const pixelsFile = join(root, `${format}-pixels.bin`);
        const weightsFile = join(root, `${format}-weights.bin`);
        writeFileSync(pixelsFile, await inputPixels(model.images, SIZE));
        const read = spawnSync(PYTHON, [READER, file, pixelsFile, String(model.images.length), String(SIZE), weightsFile], { encoding: 'utf8', maxBuffer: 1 << 24 });
        assert.equal(read.status, 0, `${model.label}: keras_reader.py: ${read.stderr}`);
        const report = JSON.parse(read.stdout) as { layers: [string, string][]; weights: [string, string, number[]][]; probabilities: number[][] };

        const augmented = model.label.startsWith('Model 2');
        const kinds = report.layers.map(([kind]) => kind);
        assert.deepEqual(kinds.slice(0, augmented ? 5 : 2), augmented ? ['InputLayer', 'RandomFlip', 'RandomRotation', 'RandomZoom', 'Rescaling'] : ['InputLayer', 'Rescaling']);
        assert.deepEqual(kinds.filter((k) => k === 'Conv2D').length, 5);
        assert.equal(kinds.includes('Dropout'), augmented);
        // The checkpoint's weights, in the model's order, equal what h5py read: byte for byte.
        const best = readBestMetadata(model.runDir);
        assert.ok(best);
        const checkpoint = readCheckpointWeights(join(model.runDir, best.checkpoint));
        assert.deepEqual(report.weights.map(([layer, , shape]) => [layer, shape.reduce((a, b) => a * b, 1)]), [
          ...['conv2d_1', 'conv2d_2', 'conv2d_3', 'conv2d_4', 'conv2d_5', 'dense'].flatMap((layer, i) => [[layer, checkpoint[2 * i].length], [layer, checkpoint[2 * i + 1].length]]),
        ]);
        const read32 = readFileSync(weightsFile);
        const flat = Buffer.concat(checkpoint.map((w) => Buffer.from(w.buffer, w.byteOffset, w.byteLength)));
        assert.ok(read32.equals(flat), `${model.label}: the weights h5py read equal the checkpoint's`);
        // Keras' binary model has one sigmoid unit: the probability of the second class.
        const rows = model.classes.length === 2 ? report.probabilities.map(([p]) => [1 - p, p]) : report.probabilities;
        assertProbabilities(rows, model.expected, `${model.label}, ${format} in PyTorch`);
      }
    });
  }

  it('tfjs: tf.loadLayersModel on the exported folder predicts the same, and keeps the class names', async () => {
    await tf.setBackend('cpu');
    for (const model of models) {
      const exported = await exportRun(model.runDir, 'tfjs');
      assert.equal(exported.code, 0, exported.stderr);
      const dir = messagesOfType(exported, 'exported')[0].path;
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
      const weights = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
      const loaded = await tfl.loadLayersModel(
        tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength), userDefinedMetadata: json.userDefinedMetadata }),
      );
      assert.deepEqual((loaded.getUserDefinedMetadata() as { classes: string[] }).classes, model.classes);
      const output = loaded.predict(tf.tensor4d(await inputPixels(model.images, SIZE), [model.images.length, SIZE, SIZE, 3])) as tf.Tensor;
      const values = Array.from(await output.data());
      output.dispose();
      const rows = model.classes.length === 2 ? values.map((p) => [1 - p, p]) : model.images.map((_, i) => values.slice(i * 3, i * 3 + 3));
      assertProbabilities(rows, model.expected, `${model.label}, tfjs`);
      loaded.dispose();
    }
  });

  it('bad input: no checkpoint, an unknown format, an existing output without --force, an unwritable folder: clear messages, nothing half-written', async () => {
    const [model] = models;
    const unknown = await exportRun(model.runDir, 'pt');
    assert.equal(unknown.code, 3);
    assert.match(messagesOfType(unknown, 'error')[0].message, /^--format pt is not a format: use one of keras, h5, onnx, tfjs\./);

    const missing = await runTrainer({ args: ['export', model.runDir, '--json'] });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr + JSON.stringify(messagesOfType(missing, 'error')), /Missing --format \(one of keras, h5, onnx, tfjs\)/);

    const empty = join(root, 'no-checkpoint');
    mkdirSync(empty);
    const none = await exportRun(empty, 'onnx');
    assert.equal(none.code, 3);
    assert.match(messagesOfType(none, 'error')[0].message, /holds no checkpoint/);

    const out = join(root, 'model.onnx');
    assert.equal((await exportRun(model.runDir, 'onnx', '--out', out)).code, 0);
    const again = await exportRun(model.runDir, 'onnx', '--out', out);
    assert.equal(again.code, 2);
    assert.match(messagesOfType(again, 'error')[0].message, new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} already exists\\. Choose another --out, or pass --force to replace the file\\.`));
    assert.equal((await exportRun(model.runDir, 'onnx', '--out', out, '--force')).code, 0);

    const folder = join(root, 'model-tfjs');
    assert.equal((await exportRun(model.runDir, 'tfjs', '--out', folder)).code, 0);
    assert.match(messagesOfType(await exportRun(model.runDir, 'tfjs', '--out', folder), 'error')[0].message, /replace the folder\./);
    const replaced = await exportRun(model.runDir, 'tfjs', '--out', folder, '--force');
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.deepEqual(readdirSync(folder).sort(), ['model.json', 'weights.bin']);

    const unwritable = await exportRun(model.runDir, 'keras', '--out', '/proc/small-convnet/model.keras');
    assert.equal(unwritable.code, 3, unwritable.stderr);
    assert.match(messagesOfType(unwritable, 'error')[0].message, /^Cannot create the folder \/proc\/small-convnet/);
    // Nothing left under a temporary name beside the outputs.
    assert.deepEqual(readdirSync(root).filter((name) => name.startsWith('.')), []);
    assert.equal(existsSync(join(root, 'model.onnx')), true);
  });
});
