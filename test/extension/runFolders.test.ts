/**
 * Trees, run store and trainer jobs against a REAL run folder: tiny demo images, one epoch at 78 px trained
 * by the built trainer through the extension's own TrainingRuns (once for this file, ~10 s).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TrainerMessage } from '../../src/shared/trainerProtocol';
import type { RunPhase } from '../../src/shared/webviewProtocol';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { CONTEXT_VALUES } from '../../src/extension/ids';
import { CheckpointsModel, checkpointsItemSpec } from '../../src/extension/runs/checkpointsModel';
import { imageFilesOfArguments, revealPathOfArgument, runDirOfArgument } from '../../src/extension/runs/commandArguments';
import { runPickSpec } from '../../src/extension/runs/runPresentation';
import { deleteRunFolder, listRuns, readRunFolder, type RunOnDisk } from '../../src/extension/runs/runStore';
import { TrainingRuns } from '../../src/extension/session/trainingRuns';
import { IMAGE_LIMIT, SubsetsModel, subsetsItemSpec, type SubsetsNode } from '../../src/extension/subsets/subsetsModel';
import { messagesOfType, runTrainerJob } from '../../src/extension/trainer/runTrainerJob';
import { evaluateArgs, predictArgs, prepareArgs, trainArgs } from '../../src/extension/trainer/trainerArgs';
import { REPO_ROOT, realTrainerLauncher } from './helpers/realTrainer';

const SETTINGS = { recipe: 'scratch', epochs: 1, imageSize: 78, batchSize: 4, learningRate: 0.001, seed: 1 } as const;

let root: string;
let work: string;
let source: string;
let dataDir: string;
let run: RunOnDisk;
const phases: RunPhase[] = [];
const keys: string[] = [];
let journal: TrainerMessage[] = [];
let temporaryKey = '';

before(async () => {
  assert.ok(existsSync(join(REPO_ROOT, 'dist', 'trainer', 'main.js')), 'build first: node esbuild.mjs');
  root = mkdtempSync(join(tmpdir(), 'small-convnet-runs-'));
  work = join(root, 'work');
  source = join(root, 'source');
  await generateDemoSource({ dir: source, perClass: 8, size: 80, seed: 3 });
  const launcher = realTrainerLauncher();
  const prepared = await runTrainerJob({ launcher, command: 'prepare', args: prepareArgs({ source, out: join(work, 'data', 'source-6-2-0'), split: { train: 6, validation: 2, test: 0 }, replace: false }) });
  assert.equal(prepared.outcome.kind, 'completed', prepared.outcome.summary);
  dataDir = messagesOfType(prepared.messages, 'prepared')[0].outDir;

  const runs = new TrainingRuns(launcher);
  const training = runs.start({ command: 'train', args: trainArgs({ data: dataDir, workFolder: work, settings: { ...SETTINGS }, backend: 'auto', workers: 1 }), settings: { ...SETTINGS }, dataLabel: 'tiny' });
  temporaryKey = training.key;
  training.onPhase((message) => phases.push(message.phase));
  training.onEvent(({ runKey }) => keys.push(runKey));
  const outcome = await training.finished;
  assert.equal(outcome.kind, 'completed', `${outcome.summary}\n${outcome.stderrTail.join('\n')}`);
  journal = training.journal();
  assert.equal(runs.active().length, 0);
  runs.dispose();
  const listed = await listRuns(work);
  assert.equal(listed.length, 1);
  run = listed[0];
});

after(() => rmSync(root, { recursive: true, force: true }));

test('the run is keyed by a temporary key, then by its run folder from run-started on; phases in order', () => {
  assert.match(temporaryKey, /^pending:/);
  const startedAt = journal.findIndex((m) => m.type === 'run-started');
  assert.ok(startedAt > 0);
  assert.ok(keys.slice(0, startedAt + 1).every((key) => key === temporaryKey), 'run-started itself still under the temporary key');
  assert.ok(keys.slice(startedAt + 1).every((key) => key === run.runDir));
  assert.deepEqual(phases, ['preparing', 'running', 'completed']);
  assert.equal(journal.filter((m) => m.type === 'batch-end').length, 0, 'the journal keeps no finished epoch\'s batches');
  assert.equal(journal.at(-1)?.type, 'done');
});

test('run store: run.json, history, best checkpoint', async () => {
  assert.equal(run.record.status, 'completed');
  assert.deepEqual(run.record.settings, SETTINGS);
  assert.equal(run.record.dataDir, dataDir);
  assert.equal(run.history?.epochs.length, 1);
  assert.equal(run.best?.epoch, 1);
  assert.equal(run.evaluation, null);
  assert.equal(await readRunFolder(dataDir), null, 'a data folder is not a run');
});

test('Checkpoints tree: one run node (best epoch and metrics), its best checkpoint below', async () => {
  const model = new CheckpointsModel(() => ({ workFolder: work, isActiveHere: () => false }));
  const [node] = await model.children(undefined);
  assert.equal(node.kind, 'run');
  const spec = checkpointsItemSpec(node);
  assert.equal(spec.label, basename(run.runDir));
  assert.match(spec.description, /^val_acc \d\.\d{2} · val_loss \d+\.\d{3} · epoch 1$/);
  assert.equal(spec.contextValue, CONTEXT_VALUES.run);
  assert.equal(spec.icon.id, 'pass');
  assert.match(spec.tooltip, /Settings: 1 epochs · 78 px · batch 4/);
  assert.ok(spec.collapsible);
  const [checkpoint] = await model.children(node);
  const checkpointSpec = checkpointsItemSpec(checkpoint);
  assert.equal(checkpointSpec.label, 'epoch-0001 (best)');
  assert.equal(checkpointSpec.contextValue, CONTEXT_VALUES.checkpoint);
  assert.ok(existsSync(join(checkpointSpec.path, 'model.json')));
  assert.deepEqual(await model.children(checkpoint), []);
  assert.equal(runDirOfArgument(checkpoint), run.runDir);
  assert.equal(revealPathOfArgument(checkpoint), checkpointSpec.path);
  assert.equal(revealPathOfArgument(node), run.runDir);
});

test('Checkpoints tree: a run training in this window, and one left "running" on disk', async () => {
  const training = new CheckpointsModel(() => ({ workFolder: work, isActiveHere: () => true }));
  const spec = checkpointsItemSpec((await training.children(undefined))[0]);
  assert.equal(spec.contextValue, CONTEXT_VALUES.runTraining);
  assert.equal(spec.icon.id, 'sync~spin');
  assert.match(spec.description, /· training$/);
  const interrupted = { ...run, record: { ...run.record, status: 'running' as const } };
  const model = new CheckpointsModel(() => ({ workFolder: work, isActiveHere: () => false }));
  const node = { kind: 'run' as const, run: interrupted, activeHere: false };
  assert.equal(checkpointsItemSpec(node).icon.id, 'warning');
  assert.match(checkpointsItemSpec(node).description, /interrupted$/);
  assert.equal((await model.children(undefined)).length, 1);
});

test('Checkpoints tree: a refresh names only the runs that changed, keeping their nodes; a new run refreshes all', async () => {
  let active = false;
  const model = new CheckpointsModel(() => ({ workFolder: work, isActiveHere: () => active }));
  assert.deepEqual(await model.changes(), { kind: 'all' }, 'before the tree listed anything');
  const [node] = await model.children(undefined);
  assert.deepEqual(await model.changes(), { kind: 'none' }, 'nothing changed on disk');
  active = true;
  const change = await model.changes();
  assert.equal(change.kind, 'runs');
  assert.ok(change.kind === 'runs' && change.nodes.length === 1 && change.nodes[0] === node, 'the same node object, updated in place');
  assert.equal(node.kind === 'run' && node.activeHere, true);
  assert.equal(checkpointsItemSpec(node).contextValue, CONTEXT_VALUES.runTraining);
  assert.deepEqual(await model.changes(), { kind: 'none' });

  const extra = join(work, 'runs', 'extra-run');
  mkdirSync(extra, { recursive: true });
  writeFileSync(join(extra, 'run.json'), JSON.stringify({ ...run.record, runId: 'extra-run', startedAt: '2000-01-01T00:00:00.000Z' }));
  try {
    assert.deepEqual(await model.changes(), { kind: 'all' }, 'a run more');
    const listed = await model.children(undefined);
    assert.equal(listed.length, 2);
    assert.equal(listed[0], node, 'a known run keeps its node object');
  } finally {
    rmSync(extra, { recursive: true, force: true });
  }
  assert.deepEqual(await model.changes(), { kind: 'all' }, 'a run less');
});

test('Subsets tree: changed() only when the prepared folders on disk differ from what the tree was given', async () => {
  const model = new SubsetsModel(() => ({ workFolder: work }));
  assert.equal(await model.changed(), true, 'before the tree listed anything');
  await model.children(undefined);
  assert.equal(await model.changed(), false);
  writeFileSync(join(dataDir, 'train', 'spots', 'spots.999.png'), '');
  try {
    assert.equal(await model.changed(), true, 'a class has an image more');
  } finally {
    rmSync(join(dataDir, 'train', 'spots', 'spots.999.png'));
  }
  assert.equal(await model.changed(), false);
});

test('Subsets tree: prepared folder -> train/validation/test -> class (count) -> images', async () => {
  const model = new SubsetsModel(() => ({ workFolder: work }));
  const [folder] = await model.children(undefined);
  assert.equal(folder.kind, 'folder');
  const folderSpec = subsetsItemSpec(folder);
  assert.equal(folderSpec.label, 'source-6-2-0');
  assert.equal(folderSpec.description, '6/2/0 per class · spots, stripes');
  assert.match(folderSpec.tooltip, /Copied from/);
  const subsets = await model.children(folder);
  assert.deepEqual(subsets.map((n) => subsetsItemSpec(n).label), ['train', 'validation', 'test']);
  assert.equal(subsetsItemSpec(subsets[0]).description, '12 images');
  assert.equal(subsetsItemSpec(subsets[2]).description, '0 images');
  const classes = await model.children(subsets[0]);
  assert.deepEqual(classes.map((n) => [subsetsItemSpec(n).label, subsetsItemSpec(n).description]), [['spots', '6 images'], ['stripes', '6 images']]);
  const images = await model.children(classes[0]);
  assert.equal(images.length, 6);
  const first = subsetsItemSpec(images[0]);
  assert.equal(first.label, 'spots.1.png');
  assert.equal(first.contextValue, CONTEXT_VALUES.subsetImage);
  assert.ok(existsSync(first.path));
});

test(`Subsets tree: a class with more than ${IMAGE_LIMIT} images lists the first ${IMAGE_LIMIT} and "… N more"`, async () => {
  const big = join(work, 'data', 'big');
  for (const subset of ['train', 'validation']) for (const name of ['a', 'b']) mkdirSync(join(big, subset, name), { recursive: true });
  for (let i = 1; i <= IMAGE_LIMIT + 5; i++) writeFileSync(join(big, 'train', 'a', `a.${i}.png`), '');
  writeFileSync(join(big, 'small-convnet-manifest.json'), '{}');
  const model = new SubsetsModel(() => ({ workFolder: work }));
  const folders = await model.children(undefined);
  const folder = folders.find((n): n is Extract<SubsetsNode, { kind: 'folder' }> => n.kind === 'folder' && n.folder.dir === big);
  assert.ok(folder);
  assert.match(subsetsItemSpec(folder).tooltip, /Prepared by hand/);
  const [train] = await model.children(folder);
  const [classA] = await model.children(train);
  const images = await model.children(classA);
  assert.equal(images.length, IMAGE_LIMIT + 1);
  assert.equal(subsetsItemSpec(images[1]).label, 'a.2.png', 'natural order');
  assert.equal(subsetsItemSpec(images[IMAGE_LIMIT]).label, '… 5 more');
  rmSync(big, { recursive: true });
});

test('evaluate through runTrainerJob: evaluation message, evaluation.json, shown in the tree', async () => {
  const result = await runTrainerJob({ launcher: realTrainerLauncher(), command: 'evaluate', args: evaluateArgs({ checkpoint: run.runDir, backend: 'auto' }) });
  assert.equal(result.outcome.kind, 'failed', 'this split has no test images');
  assert.match(result.outcome.summary, /test/i);
  const withData = await runTrainerJob({
    launcher: realTrainerLauncher(),
    command: 'evaluate',
    args: [...evaluateArgs({ checkpoint: run.runDir, backend: 'auto' }), '--data', join(dataDir, 'validation')],
  });
  assert.equal(withData.outcome.kind, 'completed', withData.outcome.summary);
  const [evaluation] = messagesOfType(withData.messages, 'evaluation');
  assert.equal(evaluation.count, 4);
  const reread = await readRunFolder(run.runDir);
  assert.ok(reread?.evaluation);
  assert.match(runPickSpec(reread).detail, /test acc \d\.\d{2}$/);
});

test('predict through runTrainerJob: one prediction per image', async () => {
  const image = join(source, 'spots.1.png');
  const result = await runTrainerJob({ launcher: realTrainerLauncher(), command: 'predict', args: predictArgs({ checkpoint: run.runDir, images: [image], backend: 'auto' }) });
  assert.equal(result.outcome.kind, 'completed', result.outcome.summary);
  const [prediction] = messagesOfType(result.messages, 'prediction');
  assert.equal(prediction.file, image);
  assert.deepEqual(prediction.classes, ['spots', 'stripes']);
  assert.ok(Math.abs(prediction.probabilities[0] + prediction.probabilities[1] - 1) < 1e-6);
  assert.deepEqual(imageFilesOfArguments({ scheme: 'file', fsPath: image }, undefined), [image]);
});

test('an aborted job stops its process', async () => {
  const abort = new AbortController();
  abort.abort();
  const result = await runTrainerJob({ launcher: realTrainerLauncher(), command: 'predict', args: predictArgs({ checkpoint: run.runDir, images: [source], backend: 'auto' }), signal: abort.signal });
  assert.ok(['cancelled', 'completed'].includes(result.outcome.kind), result.outcome.kind);
});

test('delete: refuses a folder that is not a run, deletes the run folder only', async () => {
  await assert.rejects(deleteRunFolder(dataDir), /not a Small Convnet run folder/);
  assert.ok(existsSync(dataDir));
  await deleteRunFolder(run.runDir);
  assert.equal(existsSync(run.runDir), false);
  assert.ok(existsSync(dataDir));
  assert.deepEqual(await listRuns(work), []);
});
