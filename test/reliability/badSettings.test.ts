/**
 * Bad settings (issue 5): an image size the model cannot take, a batch size of 0 (one beyond the training set
 * is no error: one batch per epoch, as in Keras), negative or absurd epochs and learning rates, a learning rate that makes training diverge, and a
 * run that would need more memory than the machine has. Every refusal comes before any image is decoded
 * or any run folder is made, with the setting named, the `error` message on stdout and exit code 3; a
 * diverged run stops with exit code 5 and keeps its best checkpoint.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import { HISTORY_FILE, RUN_FILE, type HistoryFile, type RunRecord } from '../../src/shared/runFiles';
import type { BatchInput, StepResult, TrainingEngine, TrainingState } from '../../src/trainer/engine/trainingEngine';
import { CancelToken } from '../../src/trainer/train/cancellation';
import { loadCheckpointModel, resolveCheckpoint } from '../../src/trainer/train/checkpointStore';
import { fit, type EpochEndEvent } from '../../src/trainer/train/fit';
import { checkTrainingMemory, estimateTrainingMemory } from '../../src/trainer/train/memoryEstimate';
import { writeImage } from '../helpers/imageFixtures';
import { messagesOfType, runTrainer, type TrainerRun } from '../helpers/runTrainer';
import type { BatchPixels } from '../../src/trainer/engine/devicePixels';

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

function refusal(run: TrainerRun): string {
  assert.equal(run.code, 3, `exit ${run.code}; stderr:\n${run.stderr}`);
  const [error] = messagesOfType(run, 'error');
  assert.ok(error, 'an error message on stdout');
  assert.equal(error.code, 'bad-setting');
  assert.equal(messagesOfType(run, 'dataset-loaded').length, 0, 'refused before decoding any image');
  assert.equal(messagesOfType(run, 'run-started').length, 0);
  assert.equal(messagesOfType(run, 'done')[0]?.exitCode, 3);
  return error.message;
}

/** `copies` images per class in train/ and one in validation/, all copies of one tiny PNG (fast to make). */
async function preparedFolder(options: { dir: string; perClass: number }): Promise<string> {
  const { dir, perClass } = options;
  const image = await writeImage({ file: join(dir, 'template.png') });
  for (const cls of ['cat', 'dog']) {
    for (const subset of ['train', 'validation']) mkdirSync(join(dir, 'data', subset, cls), { recursive: true });
    for (let i = 1; i <= perClass; i++) copyFileSync(image, join(dir, 'data', 'train', cls, `${cls}.${i}.png`));
    copyFileSync(image, join(dir, 'data', 'validation', cls, `${cls}.1.png`));
  }
  return join(dir, 'data');
}

/** An engine whose training loss becomes NaN at step `nanAt`; it predicts 0.6 for everything. */
class NaNEngine implements TrainingEngine {
  readonly backend = 'cpu' as const;
  readonly workers = 1;
  readonly makesPixels = false;
  private steps = 0;
  constructor(private readonly nanAt: number) {}
  async trainStep(batch: BatchInput): Promise<StepResult> {
    this.steps++;
    return { lossSum: this.steps >= this.nanAt ? Number.NaN : 0.6 * batch.size, correct: 0 };
  }
  async predict(input: { pixels: BatchPixels; size: number }): Promise<Float32Array> {
    return new Float32Array(input.size).fill(0.6);
  }
  async getWeights(): Promise<Float32Array[]> {
    return [];
  }
  async getTrainingState(): Promise<TrainingState> {
    return { weights: [], optimizer: { iterations: this.steps, slots: [] } };
  }
  async dispose(): Promise<void> {}
}

describe('bad settings (child process)', () => {
  let root: string;
  let data: string;
  const train = (...args: string[]) => runTrainer({ args: ['train', data, '--out', join(root, 'work'), '--json', ...args] });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-bad-settings-'));
    data = await preparedFolder({ dir: root, perClass: 17 });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('an image size too small for the model: refused with the smallest size that works', async () => {
    const message = refusal(await train('--image-size', '64'));
    assert.equal(
      message,
      'Image size 64 is too small for the convnet: its five 3x3 convolutions and four 2x2 poolings need at least 78x78 pixels ' +
        '(at 64 the last feature map would be 0 wide). Use an image size of 78 or more (--image-size); the seed uses 180.',
    );
    assert.match(refusal(await train('--image-size', '0')), /^--image-size 0 is not valid: give a whole number from 1 to 1024\.$/);
    assert.ok(!existsSync(join(root, 'work', 'runs')), 'no run folder');
  });

  it('batch size 0: refused with the valid range', async () => {
    const zero = await train('--batch-size', '0');
    assert.equal(refusal(zero), '--batch-size 0 is not valid: give a whole number from 1 to 4096.');
    assert.match(zero.stderr, /--batch-size 0 is not valid/, 'a terminal user sees it too');
  });

  it('a batch size larger than the training set trains, as in Keras: each epoch is one batch of all the images', async () => {
    // A small dataset of one's own (17 per class here) with the seed's batch of 32 (and the suggested split)
    // was refused before; Keras' fit takes it and steps once per epoch.
    const run = await train('--batch-size', '40', '--image-size', '78', '--epochs', '2', '--workers', '2');
    assert.equal(run.code, 0, run.stderr);
    const [started] = messagesOfType(run, 'run-started');
    assert.equal(started.trainCount, 34);
    assert.equal(started.stepsPerEpoch, 1);
    const epochs = messagesOfType(run, 'epoch-end');
    assert.deepEqual(epochs.map((e) => e.epoch), [1, 2]);
    assert.ok(epochs.every((e) => Number.isFinite(e.logs.loss) && e.logs.accuracy !== undefined), 'finite loss and an accuracy every epoch');
    const batches = messagesOfType(run, 'batch-end');
    assert.ok(batches.length > 0 && batches.every((b) => b.batch === 1 && b.batches === 1), `one batch per epoch (${batches.map((b) => `${b.batch}/${b.batches}`).join(', ')})`);
  });

  it('negative, zero, fractional or absurd epochs: refused with the valid range', async () => {
    for (const epochs of ['-5', '0', '2.5', '1e9', 'many']) {
      assert.equal(refusal(await train('--epochs', epochs)), `--epochs ${epochs} is not valid: give a whole number from 1 to 10000.`);
    }
    assert.equal(refusal(await train('-e', '-1')), '--epochs -1 is not valid: give a whole number from 1 to 10000.');
  });

  it('negative, zero or absurd learning rates: refused with the valid range', async () => {
    for (const rate of ['-0.001', '0', '1000', 'NaN', 'Infinity']) {
      assert.equal(refusal(await train('--learning-rate', rate)), `--learning-rate ${rate} is not valid: give a number from 1e-8 to 10.`);
    }
  });

  it('a learning rate that makes the loss explode or become NaN: the run stops (exit 5), says so and keeps a loadable best checkpoint', async () => {
    const run = await train('--learning-rate', '10', '--epochs', '3', '--image-size', '78', '--batch-size', '4', '--workers', '1');
    assert.equal(run.code, 5, run.stderr);
    const [error] = messagesOfType(run, 'error');
    assert.equal(error.code, 'diverged');
    const done = messagesOfType(run, 'done')[0];
    assert.equal(done.status, 'failed');
    assert.match(
      error.message,
      /^The training loss exploded to \d+\.\d\d in epoch 1 \(a model that only guesses scores 0\.693; its outputs saturated\): the learning rate is too high for this data\. Lower the learning rate \(--learning-rate\); the seed uses 0\.001\. This run used a learning rate of 10\. Training stopped; the best checkpoint so far \(epoch 1, val_loss \d+\.\d{4}\) is kept: .*epoch-0001\.$/,
    );
    assert.deepEqual(messagesOfType(run, 'epoch-end').map((e) => e.epoch), [1], 'stopped after the epoch it exploded in');
    const record = readJson<RunRecord>(join(done.runDir!, RUN_FILE));
    assert.equal(record.status, 'failed');
    assert.equal(record.message, error.message);
    const history = readJson<HistoryFile>(join(done.runDir!, HISTORY_FILE));
    assert.ok(history.epochs.every((e) => [e.loss, e.val_loss].every(Number.isFinite)), 'history holds numbers only');
    assert.equal(done.bestCheckpointDir, resolveCheckpoint(done.runDir!).dir);
    (await loadCheckpointModel(done.bestCheckpointDir!)).dispose();

    // A loss that turns NaN mid-run (the training loop with a stand-in engine): the finished epoch and its checkpoint stay.
    const epochs: EpochEndEvent[] = [];
    const image = { count: 4, height: 2, width: 2, images: new Uint8Array(4 * 12), labels: Int32Array.from([0, 1, 0, 1]) };
    const outcome = await fit({
      engine: new NaNEngine(3), train: image, validation: image, numClasses: 2, epochs: 5, batchSize: 2, seed: 1,
      cancel: new CancelToken(), callbacks: [{ name: 'record', onEpochEnd: (e) => void epochs.push(e) }],
    });
    assert.equal(outcome.status, 'diverged');
    assert.equal(outcome.epochsDone, 1);
    assert.match(outcome.status === 'diverged' ? outcome.reason : '', /^The training loss became NaN at epoch 2, batch 1: the learning rate is too high/);
    assert.deepEqual(epochs.map((e) => e.epoch), [1], 'epoch 1 was recorded (and checkpointed); epoch 2 never ends');
  });

  it('a memory estimate over what the machine has: refused before starting, with the estimate and what to lower', async () => {
    // WebAssembly gives each worker thread at most 4 GB: 512 px in batches of 32 on one thread needs about 7.9.
    const wasm = refusal(await train('--image-size', '512', '--batch-size', '32', '--workers', '1', '--backend', 'wasm'));
    assert.equal(
      wasm,
      'Training at 512 px in batches of 32 needs about 7.9 GB in its one worker thread, more than the 4.3 GB a WebAssembly thread can have. ' +
        'Lower the batch size to 17 or less (--batch-size), or the image size (--image-size): memory grows with its square.',
    );

    // More than the whole machine: at 1024 px one image's activations take about 1 GB, so a batch of (memory in GB) images cannot fit.
    const batch = Math.ceil(totalmem() / 1e9) + 1;
    const big = await preparedFolder({ dir: join(root, 'big'), perClass: Math.ceil(batch / 2) });
    const run = await runTrainer({ args: ['train', big, '--image-size', '1024', '--batch-size', String(batch), '--backend', 'cpu', '--workers', '1', '--out', join(root, 'work-big'), '--json'] });
    const message = refusal(run);
    assert.match(
      message,
      /^Training needs about \d+\.\d GB of memory \(\d+\.\d+ GB for \d+ decoded images at 1024 px, \d+\.\d GB for the activations of a batch of \d+, \d+\.\d+ GB for the model, optimizer and runtime\), but this machine has \d+\.\d GB\. Lower the batch size to \d+ or less \(--batch-size\), or the image size \(--image-size\): memory grows with its square; or train on fewer images, with a smaller split \(--split\)\.$/,
    );
    assert.ok(!existsSync(join(root, 'work-big', 'runs')), 'no run folder');

    // The estimate itself (pure), against the measured 1.11 GB of a real run at 180 px, batch 32, 2 workers.
    const input = { imageSize: 180, batchSize: 32, trainCount: 64, validationCount: 32, numClasses: 2, replicas: 2 };
    const estimate = estimateTrainingMemory(input);
    assert.ok(estimate.total > 1.11e9 && estimate.total < 1.11e9 * 1.25, `estimate ${estimate.total}`);
    const tight = checkTrainingMemory({ input, machine: { totalBytes: 8e9, freeBytes: 1e9 }, wasm: true });
    assert.equal(tight.error, null);
    assert.match(tight.warning ?? '', /^Training needs about 1\.3 GB of memory .* but only 1\.0 GB of this machine's 8\.0 GB are free now: it may slow down \(swap\)/);
    const small = checkTrainingMemory({ input, machine: { totalBytes: 1e9, freeBytes: 1e9 }, wasm: true });
    assert.match(small.error?.message ?? '', /but this machine has 1\.0 GB\. Lower the batch size to \d+ or less \(--batch-size\)/);
  });
});
