/** `small-convnet train`: resolve the data, make a run folder, and train (trainingSession.ts). */
import { join, resolve } from 'node:path';
import { DEMO, RECIPES, SEED_DEFAULTS, type TrainSettings } from '../../shared/recipes';
import type { RunRecord } from '../../shared/runFiles';
import { selectBackend } from '../backend/selectBackend';
import { replicaCount } from '../engine/createEngine';
import { checkImageSize } from '../model/buildModel';
import { acquireRunLock } from '../train/runLock';
import { createRunDir } from '../train/runFolder';
import { DEFAULT_WORK_DIR, type TrainArgs } from '../cli/args';
import type { CommandContext, CommandResult } from './commandContext';
import { resolveTrainingData } from './resolveTrainingData';
import { runTrainingSession } from './trainingSession';
import { loadTrainingSubsets } from './trainingSubsets';
import { markWorkFolder } from '../../shared/node/workFolders';

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

export async function trainCommand(args: TrainArgs, context: CommandContext): Promise<CommandResult> {
  const workDir = resolve(args.out ?? DEFAULT_WORK_DIR);
  if (args.imageSize !== undefined) checkImageSize(args.imageSize);
  const backend = await selectBackend(args.backend);
  context.emit({ type: 'backend', ...backend });
  const data = await resolveTrainingData({ context, data: args.data, workDir, split: args.split, replace: args.replace });
  const settings = trainSettingsFrom(args, data.isDemo);
  checkImageSize(settings.imageSize);
  const engine = { backend: backend.backend, replicas: replicaCount({ backend: backend.backend, workers: args.workers }) };
  const subsets = await loadTrainingSubsets({ context, dataDir: data.dir, settings, engine });

  markWorkFolder(workDir);
  const { runId, runDir } = createRunDir({ runsDir: join(workDir, 'runs'), recipe: settings.recipe });
  const lock = acquireRunLock(runDir);
  try {
    const record: RunRecord = {
      version: 1,
      runId,
      settings,
      classes: subsets.train.classNames,
      dataDir: data.dir,
      manifestId: data.manifestId,
      backend: backend.backend,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      status: 'running',
      message: null,
      skippedFiles: data.skipped.length + subsets.train.skipped.length + subsets.validation.skipped.length,
    };
    return await runTrainingSession({ context, backend, workers: args.workers, subsets, record, runDir });
  } finally {
    lock.release();
  }
}
