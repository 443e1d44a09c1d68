/**
 * The built trainer as a child process, the way the extension runs it: JSON lines on stdout,
 * cancel on stdin. Tiny generated images (78 px, the smallest the model takes) keep it fast.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import { BEST_FILE, HISTORY_FILE, PROGRESS_FILE, RUN_FILE, type CheckpointMetadata, type HistoryFile, type ProgressFile, type RunRecord } from '../../src/shared/runFiles';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { loadCheckpointModel, resolveCheckpoint } from '../../src/trainer/train/checkpointStore';
import { messagesOfType, runTrainer } from '../helpers/runTrainer';

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

describe('small-convnet train / evaluate / predict (child process, JSON lines)', () => {
  let root: string;
  let source: string;
  let runDir: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-cli-'));
    source = join(root, 'source');
    await generateDemoSource({ dir: source, perClass: 10, size: 78, seed: 3 });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('trains 2 epochs on a source folder: prepares, streams epochs, writes checkpoint + history', async () => {
    const run = await runTrainer({
      args: ['train', source, '--split', '5/3/2', '--epochs', '2', '--image-size', '78', '--batch-size', '4', '--recipe', 'augmented', '--out', join(root, 'work'), '--json'],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.strayLines, [], 'stdout carries protocol lines only');
    assert.equal(run.messages[0].type, 'hello');
    assert.equal(run.messages.at(-1)?.type, 'done');

    const [backend] = messagesOfType(run, 'backend');
    assert.ok(['wasm', 'tensorflow', 'tensorflow-gpu', 'webgpu'].includes(backend.backend));
    if (backend.backend === 'wasm') assert.deepEqual(backend.skipped.map((s) => s.backend), ['tensorflow-gpu', 'webgpu', 'tensorflow']);

    const [prepared] = messagesOfType(run, 'prepared');
    assert.deepEqual(prepared.counts, { train: 10, validation: 6, test: 4 });
    const [summary] = messagesOfType(run, 'model-summary');
    assert.equal(summary.totalParams, 978_753, 'at 78 px the last feature map is 1x1x256');
    assert.equal(messagesOfType(run, 'augmentation-preview')[0].files.length, 9);

    const epochs = messagesOfType(run, 'epoch-end');
    assert.deepEqual(epochs.map((e) => e.epoch), [1, 2]);
    for (const e of epochs) {
      for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const) assert.equal(typeof e.logs[key], 'number');
      assert.ok(e.logs.accuracy >= 0 && e.logs.accuracy <= 1);
    }
    assert.equal(messagesOfType(run, 'batch-end').length, 2 * 3, '10 images in batches of 4: 3 steps per epoch');

    const done = messagesOfType(run, 'done')[0];
    assert.equal(done.status, 'completed');
    runDir = done.runDir!;
    const history = readJson<HistoryFile>(join(runDir, HISTORY_FILE));
    assert.deepEqual(history.history.val_loss, epochs.map((e) => e.logs.val_loss));
    const best = readJson<CheckpointMetadata>(join(runDir, BEST_FILE));
    const bestEpoch = epochs.reduce((a, b) => (b.logs.val_loss < a.logs.val_loss ? b : a)).epoch;
    assert.equal(best.epoch, bestEpoch, 'best.json names the epoch with the lowest val_loss');
    assert.equal(readdirSync(join(runDir, 'checkpoints')).length, 1, 'save_best_only keeps one checkpoint');
    assert.equal(readJson<RunRecord>(join(runDir, RUN_FILE)).status, 'completed');
    // progress.json (for windows that follow the run from its folder) ends at the last batch-end message.
    const { type: _type, ...lastBatch } = messagesOfType(run, 'batch-end').at(-1)!;
    const progress = readJson<ProgressFile>(join(runDir, PROGRESS_FILE));
    assert.deepEqual({ ...progress, updatedAt: '' }, { version: 1, runId: basename(runDir), epochs: 2, ...lastBatch, updatedAt: '' });
    assert.ok(Number.isFinite(Date.parse(progress.updatedAt)));
    const model = await loadCheckpointModel(resolveCheckpoint(runDir).dir);
    assert.deepEqual(model.inputs[0].shape, [null, 78, 78, 3]);
    model.dispose();
  });

  it('evaluates the best checkpoint on the run\'s test subset', async () => {
    const run = await runTrainer({ args: ['evaluate', runDir, '--json'] });
    assert.equal(run.code, 0, run.stderr);
    const [evaluation] = messagesOfType(run, 'evaluation');
    assert.equal(evaluation.count, 4);
    assert.deepEqual(evaluation.classes, ['spots', 'stripes']);
    assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b, 0), 4);
    const correct = evaluation.confusion[0][0] + evaluation.confusion[1][1];
    assert.equal(evaluation.accuracy, correct / 4);
    assert.equal(evaluation.mostConfidentlyWrong.length, 4 - correct);
    assert.ok(existsSync(join(runDir, 'evaluation.json')));
  });

  it('predicts class probabilities for an image and a folder', async () => {
    const image = join(source, 'stripes.1.png');
    const run = await runTrainer({ args: ['predict', runDir, image, join(root, 'work', 'data'), '--json'] });
    assert.equal(run.code, 0, run.stderr);
    const predictions = messagesOfType(run, 'prediction');
    assert.equal(predictions[0].file, image);
    assert.ok(predictions.length >= 1 + 20);
    for (const p of predictions) {
      assert.ok(Math.abs(p.probabilities[0] + p.probabilities[1] - 1) < 1e-5);
      assert.equal(p.predicted, p.classes[p.probabilities[0] > p.probabilities[1] ? 0 : 1]);
    }
  });

  it('a cancel mid-epoch stops after the batch and leaves a loadable best checkpoint and a valid history', async () => {
    let sent = false;
    const run = await runTrainer({
      args: ['train', join(root, 'work', 'data', 'source-5-3-2'), '--epochs', '5', '--image-size', '78', '--batch-size', '2', '--out', join(root, 'work'), '--json'],
      onMessage: (message, child) => {
        if (!sent && message.type === 'batch-end' && message.epoch === 2 && message.batch === 1) {
          child.send('{"type":"cancel"}');
          sent = true;
        }
      },
    });
    assert.equal(run.code, 130, run.stderr);
    const done = messagesOfType(run, 'done')[0];
    assert.equal(done.status, 'cancelled');
    assert.deepEqual(messagesOfType(run, 'epoch-end').map((e) => e.epoch), [1], 'epoch 2 did not finish');
    const lastBatch = messagesOfType(run, 'batch-end').at(-1)!;
    assert.equal(lastBatch.epoch, 2);
    assert.ok(lastBatch.batch < lastBatch.batches, 'stopped mid-epoch');
    const history = readJson<HistoryFile>(join(done.runDir!, HISTORY_FILE));
    assert.equal(history.epochs.length, 1);
    assert.equal(readJson<RunRecord>(join(done.runDir!, RUN_FILE)).status, 'cancelled');
    const model = await loadCheckpointModel(resolveCheckpoint(done.runDir!).dir);
    model.dispose();
  });

  it('bad settings and usage get a clear message and their own exit code', async () => {
    const small = await runTrainer({ args: ['train', source, '--image-size', '64', '--json'] });
    assert.equal(small.code, 3);
    const usage = await runTrainer({ args: ['trian'] });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Unknown command "trian"/);
    const missing = await runTrainer({ args: ['train', join(root, 'nope'), '--json'] });
    assert.equal(missing.code, 3);
    assert.match(messagesOfType(missing, 'error')[0].message, /does not exist/);
    const help = await runTrainer({ args: ['train', '--help'] });
    assert.equal(help.code, 0);
  });
});
