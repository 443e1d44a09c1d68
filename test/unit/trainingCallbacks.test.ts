/**
 * The training run's Keras-style callbacks (src/trainer/train/callbacks/), each on its own with a real run folder,
 * and the list that calls them: in order, each awaited, the engine's state fetched once per epoch. Killing the
 * trainer between any two of them is faults.test.ts' job.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import { BEST_FILE, historyFileSchema } from '../../src/shared/runFiles';
import type { TrainSettings } from '../../src/shared/recipes';
import { parse } from '../../src/shared/schema';
import { trainerMessageSchema, type TrainerMessage } from '../../src/shared/trainerProtocol';
import type { TrainingState } from '../../src/trainer/engine/trainingEngine';
import { buildModel } from '../../src/trainer/model/buildModel';
import { HistoryCallback } from '../../src/trainer/train/callbacks/historyCallback';
import { ModelCheckpointCallback, type CheckpointSaved, type ModelCheckpointOptions } from '../../src/trainer/train/callbacks/modelCheckpointCallback';
import { ProtocolEventsCallback } from '../../src/trainer/train/callbacks/protocolEventsCallback';
import { ResumeStateCallback } from '../../src/trainer/train/callbacks/resumeStateCallback';
import { runCallbacks } from '../../src/trainer/train/callbacks/runCallbacks';
import { CallbackList, type EpochEndContext, type EpochEndEvent } from '../../src/trainer/train/callbacks/trainingCallback';
import { readBestMetadata, readCheckpointWeights } from '../../src/trainer/train/checkpointStore';
import { readResumeState } from '../../src/trainer/train/resumeState';

const MODEL = { recipe: 'scratch', imageSize: 78, numClasses: 2, seed: 3 } as const;
const SETTINGS: TrainSettings = { recipe: 'scratch', epochs: 5, imageSize: 78, batchSize: 4, learningRate: 0.001, seed: 3 };
const METADATA: ModelCheckpointOptions['metadata'] = { runId: 'run-1', recipe: 'scratch', settings: SETTINGS, imageSize: 78, classes: ['cat', 'dog'], manifestId: null };

const epochEnd = (epoch: number, valLoss: number): EpochEndEvent => ({
  epoch,
  epochs: 5,
  logs: { loss: 0.7 - epoch / 100, accuracy: 0.5 + epoch / 100, val_loss: valLoss, val_accuracy: 0.6 },
  seconds: 2,
});

/** The real model's weights, each value set to `value`, as the engine would hand them over; counts its calls. */
function stateSource(model: ReturnType<typeof buildModel>) {
  const calls = { count: 0 };
  const stateOf = (value: number): EpochEndContext => ({
    trainingState: async (): Promise<TrainingState> => {
      calls.count++;
      return { weights: model.getWeights().map((w) => new Float32Array(w.size).fill(value)), optimizer: { iterations: 7, slots: [] } };
    },
  });
  return { calls, stateOf };
}

describe('training callbacks, each on its own', () => {
  let root: string;
  let runs = 0;
  const runDir = () => mkdtempSync(join(root, `run-${++runs}-`));
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'sc-callbacks-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('History: history.json holds every finished epoch after each one, after a resumed run\'s earlier ones', () => {
    const dir = runDir();
    const history = new HistoryCallback(dir, [{ epoch: 1, loss: 0.69, accuracy: 0.5, val_loss: 0.68, val_accuracy: 0.55, seconds: 3 }]);
    history.onEpochEnd(epochEnd(2, 0.6));
    history.onEpochEnd(epochEnd(3, 0.5));
    const file = parse(historyFileSchema, JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')));
    assert.ok(file, 'history.json parses with its schema');
    assert.deepEqual(file.epochs.map((e) => e.epoch), [1, 2, 3]);
    assert.deepEqual(file.history.val_loss, [0.68, 0.6, 0.5]);
    assert.equal(file.epochs[2].seconds, 2);
  });

  it('ModelCheckpoint: saves only a finite val_loss lower than the best so far; best.json names it; the state is fetched only to save', async () => {
    const dir = runDir();
    const model = buildModel(MODEL);
    const { calls, stateOf } = stateSource(model);
    const saved: CheckpointSaved[] = [];
    const checkpoint = new ModelCheckpointCallback({ runDir: dir, model, metadata: METADATA, best: null, onSaved: (s) => saved.push(s) });
    await checkpoint.onEpochEnd(epochEnd(1, Number.NaN), stateOf(1));
    assert.equal(existsSync(join(dir, BEST_FILE)), false, 'NaN is no improvement');
    await checkpoint.onEpochEnd(epochEnd(2, 0.5), stateOf(2));
    await checkpoint.onEpochEnd(epochEnd(3, 0.5), stateOf(3));
    await checkpoint.onEpochEnd(epochEnd(4, 0.6), stateOf(4));
    await checkpoint.onEpochEnd(epochEnd(5, 0.4), stateOf(5));
    assert.deepEqual(saved.map((s) => [s.epoch, s.value, s.previous]), [[2, 0.5, null], [5, 0.4, 0.5]]);
    assert.equal(calls.count, 2, 'the engine is asked for its weights only when they are saved');
    assert.deepEqual(checkpoint.best, { epoch: 5, value: 0.4 });
    const best = readBestMetadata(dir);
    assert.equal(best?.epoch, 5);
    assert.equal(best?.logs.val_loss, 0.4);
    assert.equal(best?.monitor, 'val_loss');
    assert.equal(best?.runId, 'run-1');
    assert.ok(readCheckpointWeights(join(dir, best.checkpoint)).every((w) => w.every((v) => v === 5)), 'the weights of epoch 5');
  });

  it('ModelCheckpoint of a resumed run starts from its best so far', async () => {
    const dir = runDir();
    const model = buildModel(MODEL);
    const checkpoint = new ModelCheckpointCallback({ runDir: dir, model, metadata: METADATA, best: { epoch: 3, value: 0.45 } });
    await checkpoint.onEpochEnd(epochEnd(4, 0.5), stateSource(model).stateOf(4));
    assert.equal(readBestMetadata(dir), null, '0.5 is worse than the 0.45 of epoch 3');
    assert.deepEqual(checkpoint.best, { epoch: 3, value: 0.45 });
  });

  it('ResumeState: writes the epoch, the engine\'s state and the best so far it is given', async () => {
    const dir = runDir();
    const model = buildModel(MODEL);
    const callback = new ResumeStateCallback({ runDir: dir, runId: 'run-1', best: () => ({ epoch: 2, value: 0.3 }) });
    await callback.onEpochEnd(epochEnd(3, 0.9), stateSource(model).stateOf(3));
    const state = readResumeState(dir);
    assert.equal(state?.runId, 'run-1');
    assert.equal(state?.epoch, 3);
    assert.deepEqual(state?.best, { epoch: 2, value: 0.3 });
    assert.equal(state?.training.optimizer.iterations, 7);
    assert.equal(state?.training.weights.length, model.getWeights().length);
    assert.ok(state?.training.weights.every((w) => w.every((v) => v === 3)));
  });

  it('ProtocolEvents: batch-end and epoch-end messages that parse with the protocol\'s schema', () => {
    const sent: TrainerMessage[] = [];
    const events = new ProtocolEventsCallback((message) => sent.push(message));
    events.onBatchEnd({ epoch: 1, batch: 2, batches: 5, loss: 0.6, accuracy: 0.5, msPerStep: 80 });
    events.onEpochEnd(epochEnd(1, 0.55));
    assert.deepEqual(sent.map((m) => m.type), ['batch-end', 'epoch-end']);
    for (const message of sent) assert.deepEqual(parse(trainerMessageSchema, JSON.parse(JSON.stringify(message))), message);
  });
});

describe('the callback list', () => {
  it('calls each callback in the list\'s order, awaiting each, and fetches the engine\'s state once per epoch', async () => {
    const order: string[] = [];
    let fetched = 0;
    const slow = (name: string) => ({
      name,
      onBatchEnd: () => void order.push(`${name}:batch`),
      onEpochEnd: async (_event: EpochEndEvent, context: EpochEndContext) => {
        order.push(`${name}:start`);
        await context.trainingState();
        await new Promise((resolve) => setImmediate(resolve));
        order.push(`${name}:end`);
      },
    });
    const list = new CallbackList([slow('a'), { name: 'b' }, slow('c')], async () => {
      fetched++;
      return { weights: [], optimizer: { iterations: 0, slots: [] } };
    });
    list.batchEnd({ epoch: 1, batch: 1, batches: 1, loss: 1, accuracy: 0, msPerStep: 1 });
    await list.epochEnd(epochEnd(1, 0.5));
    assert.deepEqual(order, ['a:batch', 'c:batch', 'a:start', 'a:end', 'c:start', 'c:end']);
    assert.equal(fetched, 1);
    await list.epochEnd(epochEnd(2, 0.5));
    assert.equal(fetched, 2, 'a new state for the next epoch');
  });

  it('a run\'s callbacks, in the order that keeps it resumable: history, protocol, progress, checkpoint, then the resume state last', () => {
    const model = buildModel(MODEL);
    const common = { runDir: '/nowhere', runId: 'r', epochs: 5, model, checkpointMetadata: METADATA, emit: () => {}, log: () => {} };
    assert.deepEqual(
      runCallbacks(common).callbacks.map((c) => c.name),
      ['history', 'protocol-events', 'progress-file', 'model-checkpoint', 'resume-state'],
    );
    const withMemory = runCallbacks({ ...common, debugMemoryOf: {} as never }).callbacks.map((c) => c.name);
    assert.equal(withMemory.at(-1), 'memory-report', '--debug-memory reports after everything was saved');
  });
});
