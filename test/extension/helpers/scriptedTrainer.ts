/**
 * A stand-in `train` process: a real Node child that writes a short, realistic stream into a run folder it
 * creates, then either finishes or waits for {"type":"cancel"}. For panel and session tests without tfjs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../../src/shared/runFiles';
import type { TrainerLauncher } from '../../../src/extension/trainer/trainerLauncher';
import { TrainerProcess } from '../../../src/extension/trainer/trainerProcess';
import { PRELUDE, type ScriptFolder } from './childScripts';

export const SETTINGS = { recipe: 'augmented', epochs: 3, imageSize: 80, batchSize: 32, learningRate: 0.001, seed: 1337 } as const;

export function runRecord(options: { runDir: string; dataDir: string; status: RunRecord['status'] }): RunRecord {
  return {
    version: 1,
    runId: options.runDir.split(/[\\/]/).pop() ?? 'run',
    settings: { ...SETTINGS },
    classes: ['spots', 'stripes'],
    dataDir: options.dataDir,
    manifestId: null,
    backend: 'wasm',
    startedAt: '2026-11-28T20:00:00.000Z',
    finishedAt: null,
    status: options.status,
    message: null,
    skippedFiles: 0,
  };
}

/** A finished run folder on disk: run.json, history.json (2 epochs), best.json, evaluation.json. */
export function writeFinishedRun(options: { runDir: string; dataDir: string }): void {
  const { runDir, dataDir } = options;
  mkdirSync(join(runDir, 'checkpoints', 'epoch-0002'), { recursive: true });
  mkdirSync(join(runDir, 'augmentation'), { recursive: true });
  writeFileSync(join(runDir, 'augmentation', 'grid.png'), '');
  const logs = (epoch: number) => ({ loss: 0.7 - epoch / 10, accuracy: 0.5 + epoch / 10, val_loss: 0.69 - epoch / 20, val_accuracy: 0.5 + epoch / 20 });
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ ...runRecord({ runDir, dataDir, status: 'completed' }), finishedAt: '2026-11-28T20:05:00.000Z' }));
  const epochs = [1, 2].map((epoch) => ({ epoch, seconds: 3, ...logs(epoch) }));
  const history = { loss: epochs.map((e) => e.loss), accuracy: epochs.map((e) => e.accuracy), val_loss: epochs.map((e) => e.val_loss), val_accuracy: epochs.map((e) => e.val_accuracy) };
  writeFileSync(join(runDir, 'history.json'), JSON.stringify({ version: 1, history, epochs }));
  writeFileSync(
    join(runDir, 'best.json'),
    JSON.stringify({ version: 1, runId: 'r', checkpoint: 'checkpoints/epoch-0002', epoch: 2, monitor: 'val_loss', logs: logs(2), recipe: 'augmented', settings: SETTINGS, imageSize: 80, classes: ['spots', 'stripes'], manifestId: null, savedAt: '2026-11-28T20:04:00.000Z' }),
  );
  const wrong = join(dataDir, 'test', 'stripes', 'stripes.9.png');
  writeFileSync(
    join(runDir, 'evaluation.json'),
    JSON.stringify({ type: 'evaluation', checkpointDir: join(runDir, 'checkpoints', 'epoch-0002'), dataDir: join(dataDir, 'test'), classes: ['spots', 'stripes'], count: 4, loss: 0.6, accuracy: 0.75, confusion: [[2, 0], [1, 1]], perClassAccuracy: [1, 0.5], mostConfidentlyWrong: [{ file: wrong, label: 'stripes', predicted: 'spots', confidence: 0.8 }], skipped: [] }),
  );
}

/**
 * The script: hello, backend, prepared, dataset-loaded, model-summary, run-started (creates the run folder and
 * run.json), augmentation-preview, two batches, epoch 1, checkpoint; then `finish` ends it, otherwise it
 * waits for cancel (then done cancelled, exit 130).
 */
export function scriptedTrainerLauncher(options: { scripts: ScriptFolder; runDir: string; dataDir: string; finish: boolean }): TrainerLauncher {
  const { runDir, dataDir, finish } = options;
  const record = runRecord({ runDir, dataDir, status: 'running' });
  const source = `${PRELUDE}
const fs = require('node:fs');
const path = require('node:path');
const runDir = ${JSON.stringify(runDir)};
const dataDir = ${JSON.stringify(dataDir)};
const settings = ${JSON.stringify(SETTINGS)};
hello();
send({ type: 'backend', backend: 'wasm', detail: 'WebAssembly', skipped: [] });
send({ type: 'prepared', outDir: dataDir, manifestId: 'm1', classes: ['spots', 'stripes'], counts: { train: 8, validation: 4, test: 4 }, copied: 0, unchanged: true, skipped: [], warnings: [] });
send({ type: 'dataset-loaded', subset: 'train', dir: path.join(dataDir, 'train'), count: 8, classes: ['spots', 'stripes'], skipped: [], seconds: 0.1 });
send({ type: 'model-summary', recipe: 'augmented', imageSize: 80, layers: [{ name: 'dense', className: 'Dense', outputShape: [1], params: 257 }], totalParams: 257, trainableParams: 257 });
fs.mkdirSync(path.join(runDir, 'augmentation'), { recursive: true });
fs.writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(${JSON.stringify(record)}));
send({ type: 'run-started', runId: path.basename(runDir), runDir, settings, classes: ['spots', 'stripes'], trainCount: 8, validationCount: 4, stepsPerEpoch: 2, manifestId: 'm1', engine: 'test engine' });
send({ type: 'augmentation-preview', source: path.join(dataDir, 'train', 'spots', 'spots.1.png'), files: [path.join(runDir, 'augmentation', 'augmented-1.png')], gridFile: path.join(runDir, 'augmentation', 'grid.png') });
send({ type: 'batch-end', epoch: 1, batch: 1, batches: 2, loss: 0.7, accuracy: 0.5, msPerStep: 10 });
send({ type: 'batch-end', epoch: 1, batch: 2, batches: 2, loss: 0.69, accuracy: 0.55, msPerStep: 10 });
send({ type: 'epoch-end', epoch: 1, epochs: 3, logs: { loss: 0.69, accuracy: 0.55, val_loss: 0.68, val_accuracy: 0.6 }, seconds: 0.1 });
send({ type: 'checkpoint-saved', epoch: 1, dir: path.join(runDir, 'checkpoints', 'epoch-0001'), monitor: 'val_loss', value: 0.68, previous: null });
send({ type: 'batch-end', epoch: 2, batch: 1, batches: 2, loss: 0.66, accuracy: 0.6, msPerStep: 10 });
if (${finish}) {
  send({ type: 'done', command: 'train', status: 'completed', exitCode: 0, runDir, seconds: 1 });
} else {
  onCancel(() => { done('cancelled', 130, { runDir }); process.exit(130); });
}
`;
  const launch = options.scripts.script(finish ? 'scripted-finish' : 'scripted-wait', source);
  return { start: () => TrainerProcess.start({ launch, log: () => undefined, timeouts: { afterCancelMs: 2000, afterTermMs: 500, closeGraceMs: 300 } }) };
}
