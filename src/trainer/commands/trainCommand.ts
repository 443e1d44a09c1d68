/**
 * `small-convnet train`: data -> backend -> model -> fit with ModelCheckpoint(save_best_only, val_loss)
 * and a History on disk. Maps every step to protocol messages through the context.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join, resolve } from 'node:path';
import { DEMO, RECIPES, SEED_DEFAULTS, type TrainSettings } from '../../shared/recipes';
import { AUGMENTATION_DIR, type RunRecord } from '../../shared/runFiles';
import type { SubsetName } from '../../shared/trainerProtocol';
import { selectBackend } from '../backend/selectBackend';
import { createEngine } from '../engine/createEngine';
import { SEED_AUGMENTATION } from '../data/augmentation';
import { writeAugmentationPreview } from '../data/augmentationPreview';
import { loadImageFolder, type ImageFolderDataset } from '../data/imageFolder';
import { checkImageSize } from '../model/buildModel';
import { summarizeModel } from '../model/modelSummary';
import { saveBestCheckpoint } from '../train/checkpointStore';
import { fit } from '../train/fit';
import { createRunDir, HistoryRecorder, writeRunRecord } from '../train/runFolder';
import { UserError } from '../util/errors';
import { DEFAULT_WORK_DIR, type TrainArgs } from '../cli/args';
import { EXIT } from '../cli/exitCodes';
import type { CommandContext, CommandResult } from './commandContext';
import { resolveTrainingData } from './resolveTrainingData';


export function trainSettingsFrom(args: TrainArgs, isDemo: boolean): TrainSettings {
  const recipe = args.recipe ?? (isDemo ? DEMO.recipe : 'scratch');
  return {
    recipe,
    epochs: args.epochs ?? (isDemo ? DEMO.epochs : RECIPES[recipe].epochs),
    imageSize: args.imageSize ?? (isDemo ? DEMO.imageSize : SEED_DEFAULTS.imageSize),
    batchSize: args.batchSize ?? SEED_DEFAULTS.batchSize,
    learningRate: args.learningRate ?? SEED_DEFAULTS.learningRate,
    seed: args.seed ?? SEED_DEFAULTS.seed,
  };
}

async function loadSubset(options: { context: CommandContext; dataDir: string; subset: SubsetName; imageSize: number }): Promise<ImageFolderDataset> {
  const { context, dataDir, subset, imageSize } = options;
  const started = performance.now();
  const dir = join(dataDir, subset);
  const dataset = await loadImageFolder({ dir, height: imageSize, width: imageSize });
  context.emit({
    type: 'dataset-loaded',
    subset,
    dir,
    count: dataset.count,
    classes: dataset.classNames,
    skipped: dataset.skipped,
    seconds: (performance.now() - started) / 1000,
  });
  for (const s of dataset.skipped) context.emit({ type: 'warning', message: `Skipped ${s.file}: ${s.reason}`, file: s.file });
  return dataset;
}

export async function trainCommand(args: TrainArgs, context: CommandContext): Promise<CommandResult> {
  const workDir = resolve(args.out ?? DEFAULT_WORK_DIR);
  if (args.imageSize !== undefined) checkImageSize(args.imageSize);
  const backend = await selectBackend(args.backend);
  context.emit({ type: 'backend', ...backend });
  const data = await resolveTrainingData({ context, data: args.data, workDir, split: args.split, replace: args.replace });
  const settings = trainSettingsFrom(args, data.isDemo);
  checkImageSize(settings.imageSize);

  const train = await loadSubset({ context, dataDir: data.dir, subset: 'train', imageSize: settings.imageSize });
  const validation = await loadSubset({ context, dataDir: data.dir, subset: 'validation', imageSize: settings.imageSize });
  if (validation.classNames.join('\n') !== train.classNames.join('\n')) {
    throw new UserError(
      'bad-data',
      `${join(data.dir, 'validation')} has the classes ${validation.classNames.join(', ')} but ${join(data.dir, 'train')} has ${train.classNames.join(', ')}. Both need the same class folders.`,
    );
  }
  if (settings.batchSize > train.count) {
    throw new UserError('bad-setting', `--batch-size ${settings.batchSize} is larger than the training set (${train.count} images). Use ${Math.min(32, train.count)} or less.`);
  }

  const numClasses = train.classNames.length;
  const { engine, choice, hostModel: model } = await createEngine({
    choice: backend,
    workers: args.workers,
    model: { recipe: settings.recipe, imageSize: settings.imageSize, numClasses, seed: settings.seed },
    optimizer: { learningRate: settings.learningRate },
  });
  context.emit(summarizeModel({ model, recipe: settings.recipe, imageSize: settings.imageSize }));

  const { runId, runDir } = createRunDir({ runsDir: join(workDir, 'runs'), recipe: settings.recipe });
  const record: RunRecord = {
    version: 1,
    runId,
    settings,
    classes: train.classNames,
    dataDir: data.dir,
    manifestId: data.manifestId,
    backend: choice.backend,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    status: 'running',
    message: null,
    skippedFiles: train.skipped.length + validation.skipped.length,
  };
  writeRunRecord(runDir, record);
  const stepsPerEpoch = Math.ceil(train.count / settings.batchSize);
  context.emit({
    type: 'run-started',
    runId,
    runDir,
    settings,
    classes: train.classNames,
    trainCount: train.count,
    validationCount: validation.count,
    stepsPerEpoch,
    manifestId: data.manifestId,
    engine: choice.detail,
  });

  if (RECIPES[settings.recipe].augmentation) {
    const pixels = settings.imageSize * settings.imageSize * 3;
    const preview = await writeAugmentationPreview({
      image: train.images.subarray(0, pixels),
      height: settings.imageSize,
      width: settings.imageSize,
      count: 9,
      config: SEED_AUGMENTATION,
      seed: settings.seed,
      outDir: join(runDir, AUGMENTATION_DIR),
      grid: true,
    });
    context.emit({ type: 'augmentation-preview', source: train.files[0], files: preview.files, gridFile: preview.gridFile ?? null });
  }

  const history = new HistoryRecorder(runDir);
  let best: { value: number; dir: string } | null = null;
  const outcome = await fit({
    engine,
    train,
    validation,
    numClasses,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed: settings.seed,
    augmentation: RECIPES[settings.recipe].augmentation ? SEED_AUGMENTATION : undefined,
    cancel: context.cancel,
    callbacks: {
      onBatchEnd: (event) => context.emit({ type: 'batch-end', ...event }),
      onEpochEnd: async (event) => {
        history.record({ epoch: event.epoch, ...event.logs, seconds: event.seconds });
        context.emit({ type: 'epoch-end', ...event });
        const value = event.logs.val_loss;
        if (Number.isFinite(value) && (best === null || value < best.value)) {
          const weights = await engine.getWeights();
          tf.tidy(() => model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape))));
          const dir = await saveBestCheckpoint({
            model,
            runDir,
            metadata: {
              runId,
              epoch: event.epoch,
              monitor: 'val_loss',
              logs: event.logs,
              recipe: settings.recipe,
              settings,
              imageSize: settings.imageSize,
              classes: train.classNames,
              manifestId: data.manifestId,
            },
          });
          context.emit({ type: 'checkpoint-saved', epoch: event.epoch, dir, monitor: 'val_loss', value, previous: best?.value ?? null });
          best = { value, dir };
        }
      },
    },
  });
  await engine.dispose();
  model.dispose();

  const status = outcome.status === 'completed' ? 'completed' : outcome.status === 'cancelled' ? 'cancelled' : 'failed';
  const message = outcome.status === 'completed' ? null : outcome.reason;
  if (outcome.status === 'diverged') context.emit({ type: 'error', code: 'diverged', message: outcome.reason });
  writeRunRecord(runDir, { ...record, status, message, finishedAt: new Date().toISOString() });
  const exitCode = outcome.status === 'completed' ? EXIT.ok : outcome.status === 'cancelled' ? EXIT.cancelled : EXIT.diverged;
  const bestDir = (best as { dir: string } | null)?.dir ?? null;
  return { status, exitCode, runDir, bestCheckpointDir: bestDir, historyFile: history.file };
}
