/**
 * The panel's pure logic without a browser: the reducer over the recorded streams, parsing of host
 * messages, restoring saved state, the ETA and the overfitting note.
 *
 *   node --import tsx --test test/webview/panelState.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunRecord, RunStatus } from '../../src/shared/runFiles';
import type { RunStartedMessage } from '../../src/shared/trainerProtocol';
import type { HostToWebviewMessage } from '../../src/shared/webviewProtocol';
import { parseHostMessage } from '../../src/shared/webviewProtocol';
import { estimateEta } from '../../webview-ui/eta';
import { overfittingNote, runNotes } from '../../webview-ui/insights';
import { initialState, reduce, type PanelState } from '../../webview-ui/panelState';
import { restoreState } from '../../webview-ui/persist';
import { emptyRun, type EpochPoint, type RunView } from '../../webview-ui/runView';
import { bestEpoch, canEvaluate, comparedRuns, compareLabel, focusedRun, isRunning, shortRunLabel } from '../../webview-ui/selectors';
import { reduceUi } from '../../webview-ui/uiActions';
import { engineText } from '../../webview-ui/backendText';
import { denseNote } from '../../webview-ui/modelText';
import { asHostMessages, historyOf, readStream } from './streams';

const KEY = 'run-a';
const train = readStream('demo-train.jsonl');
const evaluate = readStream('demo-evaluate.jsonl');

function replay(messages: readonly HostToWebviewMessage[], state: PanelState = initialState()): PanelState {
  return messages.reduce((s, m) => {
    // Every message goes through the same parser as in the page (JSON in between, like postMessage).
    const parsed = parseHostMessage(JSON.parse(JSON.stringify(m)));
    assert.ok(parsed, `the panel rejected a ${m.type} message`);
    return reduce(s, parsed);
  }, state);
}

function run(state: PanelState): RunView {
  const r = focusedRun(state);
  assert.ok(r);
  return r;
}

/** The run.json the trainer writes for the run of a run-started message. */
function recordOf(started: RunStartedMessage, status: RunStatus): RunRecord {
  return {
    version: 1,
    runId: started.runId,
    settings: started.settings,
    classes: started.classes,
    dataDir: '/data',
    manifestId: null,
    backend: 'wasm',
    startedAt: '',
    finishedAt: null,
    status,
    message: null,
    skippedFiles: 0,
    trainCount: started.trainCount,
    validationCount: started.validationCount,
    engine: started.engine,
  };
}

function point(epoch: number, loss: number, val_loss: number, accuracy = 0.5, val_accuracy = 0.5): EpochPoint {
  return { epoch, loss, val_loss, accuracy, val_accuracy, seconds: 4, trainSeconds: 3 };
}

describe('panel state', () => {
  it('builds a run from the recorded training stream', () => {
    const state = replay(asHostMessages(KEY, train));
    const r = run(state);
    assert.equal(state.focus, KEY);
    assert.equal(r.phase, 'completed');
    assert.equal(r.history.length, 3);
    assert.equal(r.epochsPlanned, 3);
    assert.equal(r.summary?.totalParams, 978_753);
    assert.equal(r.backend, 'wasm');
    assert.match(r.engine ?? '', /WebAssembly/);
    assert.equal(r.augmentation?.files.length, 9);
    assert.equal(bestEpoch(r), 3);
    assert.equal(r.batch, null);
    assert.ok(canEvaluate(r));
    // Training samples the last batch's ms/step, so validation time can be estimated.
    assert.ok(r.history.every((p) => p.trainSeconds !== null && p.trainSeconds < p.seconds));
  });

  it('adds the evaluation without touching the training run', () => {
    const trained = replay(asHostMessages(KEY, train));
    const evaluated = replay(asHostMessages(KEY, evaluate), trained);
    const r = run(evaluated);
    assert.equal(r.phase, 'completed');
    assert.equal(r.history.length, 3);
    assert.equal(r.backend, 'wasm');
    assert.equal(r.evaluationStatus, 'idle');
    assert.deepEqual(r.evaluation?.confusion, [[22, 28], [30, 20]]);
  });

  it('marks the evaluation as running between hello and done, and failed on an error', () => {
    const trained = replay(asHostMessages(KEY, train));
    const hello = evaluate.slice(0, 1);
    const running = replay(asHostMessages(KEY, hello), trained);
    assert.equal(run(running).evaluationStatus, 'running');
    assert.ok(!canEvaluate(run(running)));
    const failed = replay(
      asHostMessages(KEY, [
        { type: 'error', code: 'bad-checkpoint', message: 'The checkpoint is damaged.' },
        { type: 'done', command: 'evaluate', status: 'failed', exitCode: 3, seconds: 0.1 },
      ]),
      running,
    );
    assert.equal(run(failed).evaluationStatus, 'failed');
    assert.equal(run(failed).evaluationError, 'The checkpoint is damaged.');
    assert.equal(run(failed).phase, 'completed');
  });

  it("a trainer error or warning that names a command-line flag reads in the editor's words (where the editor sets it)", () => {
    const started = replay(asHostMessages(KEY, train.filter((m) => m.type === 'hello' || m.type === 'run-started')));
    const failed = replay(
      asHostMessages(KEY, [
        { type: 'warning', message: 'Close other programs, or lower the batch size (--batch-size) or the image size (--image-size).' },
        { type: 'error', code: 'diverged', message: 'Lower the learning rate (--learning-rate); the seed uses 0.001.' },
        { type: 'done', command: 'train', status: 'failed', exitCode: 5, seconds: 0.1 },
      ]),
      started,
    );
    assert.deepEqual(run(failed).warnings.at(-1), 'Close other programs, or lower the batch size (Custom… in Train Small Convnet) or the image size (Custom… in Train Small Convnet).');
    assert.equal(run(failed).error?.message, 'Lower the learning rate (Custom… in Train Small Convnet); the seed uses 0.001.');
    assert.equal(run(failed).phaseDetail, 'Lower the learning rate (Custom… in Train Small Convnet); the seed uses 0.001.');
  });

  it('ignores unknown and malformed messages', () => {
    assert.equal(parseHostMessage({ type: 'nonsense' }), undefined);
    assert.equal(parseHostMessage(null), undefined);
    assert.equal(parseHostMessage({ type: 'trainer-event', runKey: KEY, event: { type: 'epoch-end', epoch: 'one' } }), undefined);
    assert.equal(parseHostMessage({ type: 'trainer-event', runKey: KEY, event: { type: 'made-up' } }), undefined);
    assert.equal(parseHostMessage({ type: 'run-phase', runKey: KEY, phase: 'exploded' }), undefined);
    assert.equal(parseHostMessage({ type: 'image-uris', uris: { a: 3 } }), undefined);
    assert.deepEqual(parseHostMessage({ type: 'focus-run', runKey: KEY, extra: 1 }), { type: 'focus-run', runKey: KEY });
  });

  it('merges a run loaded from disk into the live run with the same runId', () => {
    const trained = replay(asHostMessages('pending-1', train));
    const started = train.find((e) => e.type === 'run-started');
    assert.ok(started && started.type === 'run-started');
    const loaded = replay(
      [
        {
          type: 'run-loaded',
          runKey: started.runDir,
          record: { ...recordOf(started, 'completed'), finishedAt: '' },
          history: historyOf(train),
          evaluation: null,
        },
        ...asHostMessages(started.runDir, evaluate),
      ],
      trained,
    );
    assert.deepEqual(loaded.order, ['pending-1']);
    assert.equal(run(loaded).history.length, 3);
    assert.ok(run(loaded).evaluation);
  });

  it('the end of a run the panel does not show (closed or deleted) adds no tab; a run that starts does', () => {
    const ended = replay([{ type: 'run-phase', runKey: '/work/runs/gone', phase: 'completed', detail: null, logTail: [] }]);
    assert.deepEqual(ended.order, []);
    const stopped = replay([{ type: 'run-phase', runKey: '/work/runs/gone', phase: 'stopped', detail: 'Stopped.', logTail: [] }]);
    assert.deepEqual(stopped.order, []);
    const starting = replay([{ type: 'run-phase', runKey: 'pending-9', phase: 'preparing', detail: null, logTail: [] }]);
    assert.deepEqual(starting.order, ['pending-9']);
  });

  it('the trainer\'s done ends "Stopping after the current batch…": the panel says Stopped.', () => {
    const started = train.find((e) => e.type === 'run-started');
    assert.ok(started && started.type === 'run-started');
    const beforeDone = train.filter((e) => e.type !== 'done');
    const stopping = replay([...asHostMessages(KEY, beforeDone), { type: 'run-phase', runKey: KEY, phase: 'stopping', detail: 'Stopping after the current batch…', logTail: [] }]);
    assert.equal(run(stopping).phaseDetail, 'Stopping after the current batch…');
    const done = { type: 'done', command: 'train', status: 'cancelled', exitCode: 130, runDir: started.runDir, bestCheckpointDir: null, seconds: 1 };
    const stopped = replay([{ type: 'trainer-event', runKey: KEY, event: done } as HostToWebviewMessage], stopping);
    assert.equal(run(stopped).phase, 'stopped');
    assert.equal(run(stopped).phaseDetail, 'Stopped.');
  });

  it('a stopped run read from disk says it stopped, with the reason', () => {
    const started = train.find((e) => e.type === 'run-started');
    assert.ok(started && started.type === 'run-started');
    const record: RunRecord = { ...recordOf(started, 'cancelled'), finishedAt: '', message: 'cancel requested' };
    const loaded = replay([{ type: 'run-loaded', runKey: started.runDir, record, history: null, evaluation: null }]);
    assert.equal(run(loaded).phase, 'stopped');
    assert.equal(run(loaded).phaseDetail, 'Stopped: cancel requested.');
    const noReason = replay([{ type: 'run-loaded', runKey: started.runDir, record: { ...record, message: null }, history: null, evaluation: null }]);
    assert.equal(run(noReason).phaseDetail, 'Stopped.');
  });

  it('a run reopened from its folder keeps its image counts and what trained it (issue 13)', () => {
    const started = train.find((e) => e.type === 'run-started');
    assert.ok(started && started.type === 'run-started');
    const loaded = run(replay([{ type: 'run-loaded', runKey: started.runDir, record: recordOf(started, 'completed'), history: null, evaluation: null }]));
    assert.equal(loaded.trainCount, started.trainCount);
    assert.equal(loaded.validationCount, started.validationCount);
    assert.equal(loaded.engine, started.engine);
    // run.json of an older version has none of them: nothing is made up.
    const { trainCount: _t, validationCount: _v, engine: _e, ...older } = recordOf(started, 'completed');
    const old = run(replay([{ type: 'run-loaded', runKey: started.runDir, record: older, history: null, evaluation: null }]));
    assert.equal(old.trainCount, null);
    assert.equal(old.engine, null);
  });

  it("follows the host's key switch: temporary key up to run-started, a run-loaded link, then the run folder", () => {
    const startedAt = train.findIndex((e) => e.type === 'run-started');
    const started = train[startedAt];
    assert.ok(started.type === 'run-started');
    const record = recordOf(started, 'running');
    const state = replay([
      ...asHostMessages('pending-1', train.slice(0, startedAt + 1)),
      { type: 'run-loaded', runKey: started.runDir, record, history: null, evaluation: null },
      ...asHostMessages(started.runDir, train.slice(startedAt + 1)),
      { type: 'run-phase', runKey: started.runDir, phase: 'completed', detail: null, logTail: [] },
    ]);
    assert.deepEqual(state.order, ['pending-1']);
    assert.equal(state.focus, 'pending-1');
    const r = run(state);
    assert.equal(r.phase, 'completed');
    assert.equal(r.history.length, 3);
    assert.equal(r.phaseDetail, null);
    assert.equal(r.summary?.totalParams, 978_753);
  });

  it('a resumed run: the stopped run from disk and the live resume stream become one tab with every epoch', () => {
    const startedAt = train.findIndex((e) => e.type === 'run-started');
    const started = train[startedAt];
    assert.ok(started.type === 'run-started');
    const epochs = train.filter((e) => e.type === 'epoch-end');
    assert.ok(epochs.length >= 2);
    const record = (status: RunStatus) => recordOf(started, status);
    const full = historyOf(train);
    const firstEpoch = { ...full, epochs: full.epochs.slice(0, 1) };
    // The stopped run, shown from disk with its one finished epoch.
    const shown = replay([{ type: 'run-loaded', runKey: started.runDir, record: record('cancelled'), history: firstEpoch, evaluation: null }]);
    assert.equal(run(shown).history.length, 1);
    // `resume`: hello + run-started (with the finished epochs) under a temporary key, the link, then the rest.
    const resumedStart = { ...started, resumedFrom: { epoch: 1, history: firstEpoch.epochs } };
    const hello = train[0];
    assert.ok(hello.type === 'hello');
    const state = replay(
      [
        ...asHostMessages('pending-r', [{ ...hello, command: 'resume' }, resumedStart]),
        { type: 'run-loaded', runKey: started.runDir, record: record('running'), history: null, evaluation: null },
        ...asHostMessages(started.runDir, epochs.slice(1)),
      ],
      shown,
    );
    assert.deepEqual(state.order, ['pending-r'], 'one tab: the stale twin from disk was dropped');
    assert.equal(state.focus, 'pending-r');
    assert.deepEqual(run(state).history.map((p) => p.epoch), epochs.map((e) => (e.type === 'epoch-end' ? e.epoch : 0)));
    assert.equal(run(state).phase, 'running');
  });

  it('a run left training by a window reload: restored without its stream, then followed from its folder', () => {
    const started = train.find((e) => e.type === 'run-started');
    assert.ok(started && started.type === 'run-started');
    const key = started.runDir;
    // Live in the old window up to a batch of epoch 2 (the first checkpoint saved), then the window reloads.
    const cut = train.findIndex((e) => e.type === 'batch-end' && e.epoch === 2);
    const before = replay([...asHostMessages(key, train.slice(0, cut + 1)), { type: 'run-phase', runKey: key, phase: 'running', detail: null, logTail: [] }]);
    assert.equal(run(before).command, 'train');
    assert.equal(run(before).checkpoint?.epoch, 1);
    const restored = restoreState(JSON.parse(JSON.stringify(before)));
    assert.equal(run(restored).command, null, 'the stream ended with the old window');
    assert.equal(run(restored).batch, null, 'no stale batch progress');
    assert.equal(run(restored).phase, 'running', 'still drawn as running until the host says otherwise');

    // The new host follows the run folder: more epochs, training in the background.
    const full = historyOf(train);
    const lowest = full.epochs.reduce((a, b) => (b.val_loss < a.val_loss ? b : a)).epoch;
    assert.notEqual(lowest, 1, 'the recorded run improves after epoch 1');
    const detail = 'Training in the background (pid 42): its progress is read from its run folder every few seconds; the charts add each epoch when it ends.';
    const followed = replay(
      [
        { type: 'run-loaded', runKey: key, record: recordOf(started, 'running'), history: full, evaluation: null },
        { type: 'run-phase', runKey: key, phase: 'running', detail, logTail: [] },
      ],
      restored,
    );
    assert.deepEqual(followed.order, [key]);
    assert.equal(run(followed).history.length, full.epochs.length);
    assert.equal(bestEpoch(run(followed)), lowest, 'the best checkpoint moves with the epochs read from disk');
    assert.equal(run(followed).phaseDetail, detail);

    // Its progress.json, forwarded as batch-end: the batch progress moves between epochs, as for a live run.
    const batch = { type: 'batch-end', epoch: full.epochs.length + 1, batch: 2, batches: 7, loss: 0.6, accuracy: 0.7, msPerStep: 800 } as const;
    const moving = replay(asHostMessages(key, [batch]), followed);
    assert.equal(run(moving).command, null, 'still no stream of its own');
    // (views/progress.ts draws the bar and "Batch 2 of 7" from these two.)
    assert.deepEqual(run(moving).batch, { epoch: batch.epoch, batch: 2, batches: 7, loss: 0.6, accuracy: 0.7, msPerStep: 800 });
    assert.equal(isRunning(run(moving)), true);
    // The next epoch read from disk keeps it (the next reading replaces it); a stop hides it.
    const reread = replay([{ type: 'run-loaded', runKey: key, record: recordOf(started, 'running'), history: full, evaluation: null }], moving);
    assert.equal(run(reread).batch?.batch, 2);
    const ended = replay([{ type: 'run-phase', runKey: key, phase: 'stopped', detail: 'Stopped.', logTail: [] }], moving);
    assert.equal(isRunning(run(ended)), false);

    // Stopped (SIGINT): the detail is the stop's, not "training in the background"; it can be evaluated.
    const stopped = replay(
      [
        { type: 'run-phase', runKey: key, phase: 'stopping', detail: 'Stopping after the current batch…', logTail: [] },
        { type: 'run-loaded', runKey: key, record: { ...recordOf(started, 'cancelled'), message: 'interrupted (SIGINT)' }, history: full, evaluation: null },
        { type: 'run-phase', runKey: key, phase: 'stopped', detail: 'Stopped: interrupted (SIGINT).', logTail: [] },
      ],
      followed,
    );
    assert.equal(run(stopped).phase, 'stopped');
    assert.equal(run(stopped).phaseDetail, 'Stopped: interrupted (SIGINT).');
    assert.ok(canEvaluate(run(stopped)));
    // Had it completed instead, the background words would go with the phase.
    const completed = replay([{ type: 'run-phase', runKey: key, phase: 'completed', detail: null, logTail: [] }], followed);
    assert.equal(run(completed).phaseDetail, null);
  });

  it('labels runs by recipe and start time to the second, so runs of the same minute differ', () => {
    const label = (runId: string) => shortRunLabel({ ...emptyRun(runId), runId, recipe: 'scratch' });
    assert.equal(label('20261128-224951-scratch'), 'From scratch · 28 Nov 22:49:51');
    assert.notEqual(label('20261128-224951-scratch'), label('20261128-224942-scratch'));
    assert.equal(label('20261128-224951-scratch-2'), 'From scratch · 28 Nov 22:49:51 (2)');
    assert.equal(label('my-run'), 'From scratch · my-run');
  });

  it('lets a new live run take the front, but not a run loaded for comparison', () => {
    const first = replay(asHostMessages('a', train));
    const second = replay(asHostMessages('b', train.slice(0, 3)), first);
    assert.equal(second.focus, 'b');
    const back = reduceUi(second, { type: 'focus', runKey: 'a' });
    assert.equal(back.focus, 'a');
    assert.equal(reduceUi(back, { type: 'focus', runKey: 'nope' }).focus, 'a');
  });

  it('restores what it saved, and survives damaged saved state', () => {
    const state = replay([...asHostMessages(KEY, train), ...asHostMessages(KEY, evaluate)]);
    const saved: unknown = JSON.parse(JSON.stringify(state));
    assert.deepEqual(restoreState(saved), state);
    assert.deepEqual(restoreState(undefined), initialState());
    assert.deepEqual(restoreState({ version: 99 }), initialState());
    const damaged = restoreState({ ...state, runs: { [KEY]: { ...state.runs[KEY], history: [{ epoch: 'x' }], phase: 'weird' } } });
    assert.equal(damaged.runs[KEY]?.history.length, 0);
    assert.equal(damaged.runs[KEY]?.phase, null);
  });

  it('an export of the run adds its "Use this model" entry (the last one per format), kept across a reload', () => {
    const trained = replay(asHostMessages(KEY, train));
    const exported = (format: 'onnx' | 'keras', path: string): HostToWebviewMessage => ({
      type: 'trainer-event',
      runKey: KEY,
      event: { type: 'exported', format, path, files: [path], checkpoint: '/w/runs/r/checkpoints/epoch-0003', epoch: 3, classes: ['spots', 'stripes'], imageSize: 80 },
    });
    let state = trained;
    for (const message of [exported('onnx', '/w/a.onnx'), exported('keras', '/w/a.keras'), exported('onnx', '/w/b.onnx')]) state = reduce(state, message);
    assert.deepEqual(focusedRun(state)?.exports.map((e) => [e.format, e.path]), [['keras', '/w/a.keras'], ['onnx', '/w/b.onnx']]);
    assert.deepEqual(focusedRun(state)?.history, focusedRun(trained)?.history, 'the training run is untouched');
    assert.deepEqual(restoreState(JSON.parse(JSON.stringify(state))), state);
  });

  it('explanations of images are kept per file with the run; "show where the model looked" is the panel\'s, kept across a reload', () => {
    const evaluated = replay([...asHostMessages(KEY, train), ...asHostMessages(KEY, evaluate)]);
    const wrong = focusedRun(evaluated)!.evaluation!.mostConfidentlyWrong[0];
    const explanation: HostToWebviewMessage = {
      type: 'trainer-event',
      runKey: KEY,
      event: { type: 'explanation', file: wrong.file, classes: ['spots', 'stripes'], probabilities: [0.2, 0.8], predicted: wrong.predicted, explained: wrong.predicted, heatmap: [[0, 1], [0.5, 0]], overlayFile: '/w/runs/r/explanations/x-gradcam.png' },
    };
    const state = reduceUi(reduce(evaluated, explanation), { type: 'show-heatmaps', show: true });
    assert.equal(state.heatmaps, true);
    assert.equal(focusedRun(state)?.explanations[wrong.file]?.overlayFile, '/w/runs/r/explanations/x-gradcam.png');
    assert.deepEqual(focusedRun(state)?.evaluation, focusedRun(evaluated)?.evaluation, 'the evaluation is untouched');
    assert.deepEqual(restoreState(JSON.parse(JSON.stringify(state))), state);
    assert.equal(reduceUi(state, { type: 'show-heatmaps', show: false }).heatmaps, false);
    // One image opened large, a layer picked, its feature maps kept with the run; the same image again closes it.
    const maps: HostToWebviewMessage = {
      type: 'trainer-event',
      runKey: KEY,
      event: { type: 'activations', file: wrong.file, layers: [{ name: 'conv2d_1', kind: 'Conv2D', shape: [78, 78, 32], channels: 16, file: '/w/a/conv2d_1.png' }] },
    };
    const opened = reduceUi(reduceUi(reduce(state, maps), { type: 'open-detail', file: wrong.file }), { type: 'pick-layer', layer: 'conv2d_1' });
    assert.deepEqual(opened.detail, { file: wrong.file, layer: 'conv2d_1' });
    assert.equal(focusedRun(opened)?.activations[wrong.file]?.layers[0].name, 'conv2d_1');
    assert.deepEqual(restoreState(JSON.parse(JSON.stringify(opened))), opened);
    assert.equal(reduceUi(opened, { type: 'open-detail', file: wrong.file }).detail, null);
  });

  it('estimates the time left from ms per step, remaining batches and epochs, and validation time', () => {
    const history = [point(1, 0.7, 0.7), point(2, 0.6, 0.6)];
    const eta = estimateEta({ batch: { epoch: 3, batch: 5, batches: 10, loss: 0.5, accuracy: 0.5, msPerStep: 300 }, history, epochs: 5 });
    // This epoch: 5 x 0.3 s + 1 s validation; two more epochs at 4 s each.
    assert.ok(eta);
    assert.ok(Math.abs(eta.seconds - (1.5 + 1 + 2 * 4)) < 1e-9);
    assert.equal(eta.includesValidation, true);
    const first = estimateEta({ batch: { epoch: 1, batch: 2, batches: 10, loss: 0.5, accuracy: 0.5, msPerStep: 100 }, history: [], epochs: 2 });
    assert.equal(first?.includesValidation, false);
    assert.ok(first && Math.abs(first.seconds - (0.8 + 1)) < 1e-9);
  });

  it('says "overfitting" only when validation loss rose for 3+ epochs after its minimum while training loss fell', () => {
    const base: RunView = { ...emptyRun(KEY), recipe: 'scratch', classes: ['cat', 'dog'], phase: 'running' };
    const curve = [point(1, 0.69, 0.68), point(2, 0.6, 0.62), point(3, 0.5, 0.6), point(4, 0.4, 0.61), point(5, 0.3, 0.64)];
    assert.equal(overfittingNote({ ...base, history: curve }), null, 'two epochs after the minimum: too early');
    const longer = [...curve, point(6, 0.2, 0.7)];
    const note = overfittingNote({ ...base, history: longer });
    assert.ok(note);
    assert.match(note.text, /^Since epoch 3 the validation loss rises \(0\.6000 → 0\.7000\) while the training loss falls \(0\.5000 → 0\.2000\)/);
    const flatTraining = longer.map((p) => ({ ...p, loss: 0.5 }));
    assert.equal(overfittingNote({ ...base, history: flatTraining }), null);
    assert.ok(runNotes({ ...base, history: longer }).some((n) => n.id === 'overfitting'));
  });

  it('explains the last layer as the model has it: one sigmoid probability for 2 classes, a softmax over 3', () => {
    assert.match(denseNote(1), /one probability \(sigmoid/);
    assert.equal(denseNote(3), 'the Dense layer turns the flattened features into 3 probabilities, one per class, that sum to 1 (softmax).');
  });

  it('names the backend once: the engine line without the repeated "WebGPU: "', () => {
    assert.equal(engineText('webgpu', 'WebGPU: NVIDIA H100 80GB HBM3 (Vulkan)'), 'NVIDIA H100 80GB HBM3 (Vulkan)');
    assert.equal(engineText('wasm', "WebAssembly (XNNPACK, SIMD) with Small Convnet's training kernels, 2 worker threads"), "WebAssembly (XNNPACK, SIMD) with Small Convnet's training kernels, 2 worker threads");
  });

  it('a removed run (deleted, or its tab closed) leaves the panel: keys, overlay switch, and the front moves on', () => {
    const started = train.find((e) => e.type === 'run-started');
    assert.ok(started && started.type === 'run-started');
    const other = '/work/runs/other';
    let state = replay([
      { type: 'run-loaded', runKey: started.runDir, record: recordOf(started, 'completed'), history: null, evaluation: null },
      { type: 'run-loaded', runKey: other, record: { ...recordOf(started, 'completed'), runId: 'other' }, history: null, evaluation: null },
      { type: 'focus-run', runKey: started.runDir },
    ]);
    state = reduceUi(state, { type: 'toggle-compare-run', runKey: started.runDir });
    const removed = reduce(state, { type: 'run-removed', runKey: started.runDir });
    assert.deepEqual(removed.order, [other]);
    assert.equal(removed.runs[started.runDir], undefined);
    assert.equal(removed.focus, other);
    assert.deepEqual(removed.compare.hidden, []);
    assert.deepEqual(reduceUi(state, { type: 'close-run', runKey: started.runDir }).order, [other]);
    assert.equal(reduce(removed, { type: 'run-removed', runKey: '/not/shown' }), removed, 'an unknown run changes nothing');
  });

  it('overlays runs of the same classes by default, runs of other classes only when switched on, labelled with their classes', () => {
    const started = train.find((e) => e.type === 'run-started');
    assert.ok(started && started.type === 'run-started');
    const history = { version: 1 as const, history: { loss: [0.6], accuracy: [0.6], val_loss: [0.6], val_accuracy: [0.6] }, epochs: [{ epoch: 1, loss: 0.6, accuracy: 0.6, val_loss: 0.6, val_accuracy: 0.6, seconds: 1 }] };
    const same = '/work/runs/same';
    const three = '/work/runs/three';
    let state = replay([
      { type: 'run-loaded', runKey: started.runDir, record: recordOf(started, 'completed'), history, evaluation: null },
      { type: 'run-loaded', runKey: same, record: { ...recordOf(started, 'completed'), runId: 'same' }, history, evaluation: null },
      { type: 'run-loaded', runKey: three, record: { ...recordOf(started, 'completed'), runId: 'three', classes: ['cat', 'dog', 'shirt'] }, history, evaluation: null },
      { type: 'focus-run', runKey: started.runDir },
    ]);
    assert.deepEqual(comparedRuns(state).map((r) => r.key), [same], 'the other dataset is not drawn by default');
    assert.match(compareLabel(focusedRun(state), state.runs[three]), / · cat, dog, shirt$/);
    assert.equal(compareLabel(focusedRun(state), state.runs[same]), shortRunLabel(state.runs[same]));
    state = reduceUi(state, { type: 'toggle-compare-run', runKey: three });
    assert.deepEqual(comparedRuns(state).map((r) => r.key), [same, three], 'switched on');
    state = reduceUi(reduceUi(state, { type: 'toggle-compare-run', runKey: three }), { type: 'toggle-compare-run', runKey: same });
    assert.deepEqual(comparedRuns(state).map((r) => r.key), [], 'both switched off');
    assert.deepEqual(restoreState(JSON.parse(JSON.stringify(state))).compare, state.compare, 'the switches survive a reload');
  });
});
