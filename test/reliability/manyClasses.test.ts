/**
 * Three or more classes (issue 5): a folder with three class sub-folders trains with a softmax over the
 * classes and categorical cross-entropy without being asked, and everything downstream takes N classes:
 * the evaluation's N x N confusion matrix and per-class accuracy, predict's N probabilities, the run
 * folder as the extension's Checkpoints view and the panel read it. Child processes on tiny images.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkpointItemSpec, runItemSpec } from '../../src/extension/runs/runPresentation';
import { readRunFolder } from '../../src/extension/runs/runStore';
import { MODEL_FILE } from '../../src/shared/runFiles';
import type { EvaluationMessage, PredictionMessage } from '../../src/shared/trainerProtocol';
import { TerminalReporter } from '../../src/trainer/cli/terminalReporter';
import { parseTrainerMessageValue as parseTrainerEvent } from '../../src/shared/trainerProtocol';
import { writeClassFolders } from '../helpers/imageFixtures';
import { messagesOfType, runTrainer, type TrainerRun } from '../helpers/runTrainer';

const CLASSES = ['bird', 'cat', 'dog'];

interface LayerConfig {
  class_name: string;
  config: { name: string; units?: number; activation?: string };
}

describe('three classes: train, evaluate, predict, and the run as the extension shows it (child processes)', () => {
  let root: string;
  let run: TrainerRun;
  let runDir: string;
  let evaluation: EvaluationMessage;
  let predictions: PredictionMessage[];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-three-classes-'));
    const source = await writeClassFolders({ root: join(root, 'source'), classes: { bird: 8, cat: 8, dog: 8 } });
    run = await runTrainer({
      args: ['train', source, '--split', '4/2/2', '--recipe', 'augmented', '--epochs', '1', '--image-size', '78', '--batch-size', '4', '--workers', '1', '--out', join(root, 'work'), '--json'],
    });
    assert.equal(run.code, 0, run.stderr);
    runDir = messagesOfType(run, 'done')[0].runDir!;
    const evaluated = await runTrainer({ args: ['evaluate', runDir, '--json'] });
    assert.equal(evaluated.code, 0, evaluated.stderr);
    evaluation = messagesOfType(evaluated, 'evaluation')[0];
    const predicted = await runTrainer({ args: ['predict', runDir, join(messagesOfType(run, 'prepared')[0].outDir, 'test'), '--json'] });
    assert.equal(predicted.code, 0, predicted.stderr);
    predictions = messagesOfType(predicted, 'prediction');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('trains with a softmax over the 3 classes and categorical cross-entropy, without being asked', () => {
    assert.deepEqual(messagesOfType(run, 'run-started')[0].classes, CLASSES);
    const dense = messagesOfType(run, 'model-summary')[0].layers.at(-1)!;
    assert.deepEqual([dense.name, dense.outputShape, dense.params], ['dense', [3], 257 * 3]);
    const model = JSON.parse(readFileSync(join(evaluation.checkpointDir, MODEL_FILE), 'utf8')) as { modelTopology: { config: { layers: LayerConfig[] } } };
    const last = model.modelTopology.config.layers.at(-1)!;
    assert.deepEqual([last.class_name, last.config.units, last.config.activation], ['Dense', 3, 'softmax']);
    // Categorical cross-entropy of the first batch starts near that of a uniform guess over 3 classes, ln 3.
    const first = messagesOfType(run, 'batch-end')[0];
    assert.ok(Math.abs(first.loss - Math.log(3)) < 0.35, `first batch loss ${first.loss}`);
  });

  it('evaluate: a 3x3 confusion matrix and per-class accuracy, the loss being categorical cross-entropy', () => {
    assert.deepEqual(evaluation.classes, CLASSES);
    assert.equal(evaluation.count, 6);
    assert.equal(evaluation.confusion.length, 3);
    assert.ok(evaluation.confusion.every((row) => row.length === 3 && row.reduce((a, b) => a + b, 0) === 2), 'two test images per class');
    assert.deepEqual(evaluation.perClassAccuracy, evaluation.confusion.map((row, i) => row[i] / 2));
    assert.equal(evaluation.accuracy, evaluation.confusion.reduce((sum, row, i) => sum + row[i], 0) / 6);
    // The same loss from predict's probabilities: mean of -ln p(true class).
    const truth = (file: string) => CLASSES.findIndex((c) => file.includes(`/test/${c}/`));
    const loss = predictions.reduce((sum, p) => sum - Math.log(Math.max(1e-7, p.probabilities[truth(p.file)])), 0) / predictions.length;
    assert.ok(Math.abs(loss - evaluation.loss) < 1e-4, `evaluate ${evaluation.loss}, from predict ${loss}`);
    let text = '';
    new TerminalReporter((chunk) => (text += chunk)).report(evaluation);
    assert.match(text, /rows: true class, columns: predicted bird, cat, dog\):\n {2}bird .*\n {2}cat .*\n {2}dog .*accuracy/);
  });

  it('predict: three probabilities per image that sum to 1, the most probable named', () => {
    assert.equal(predictions.length, 6);
    for (const p of predictions) {
      assert.deepEqual(p.classes, CLASSES);
      assert.equal(p.probabilities.length, 3);
      assert.ok(Math.abs(p.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      assert.equal(p.predicted, CLASSES[p.probabilities.indexOf(Math.max(...p.probabilities))]);
    }
  });

  it('the Checkpoints view and the panel read a 3-class run: classes, best checkpoint, test accuracy, 3x3 matrix', async () => {
    const onDisk = await readRunFolder(runDir);
    assert.ok(onDisk, 'run.json is a valid run record');
    assert.deepEqual(onDisk.record.classes, CLASSES);
    assert.deepEqual(onDisk.evaluation?.confusion, evaluation.confusion, 'evaluation.json passes the shape checks');
    const item = runItemSpec(onDisk, false);
    assert.match(item.tooltip, /Classes: bird, cat, dog/);
    assert.match(item.tooltip, /Test set: accuracy \d+(\.\d)?% .*\(6 images\)/);
    assert.match(checkpointItemSpec(onDisk)?.description ?? '', /· test acc \d\.\d\d$/);
    assert.deepEqual(parseTrainerEvent(JSON.parse(JSON.stringify(evaluation))), evaluation, 'the panel accepts the 3x3 evaluation');
  });
});
