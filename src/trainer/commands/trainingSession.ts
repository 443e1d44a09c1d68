/**
 * What `train` and `resume` share once the subsets are loaded (trainingSubsets.ts): the engine, and the fit loop with
 * the run's callbacks (train/callbacks/runCallbacks.ts: History, ModelCheckpoint(save_best_only, monitor val_loss),
 * the resume state, progress.json and the protocol messages, in their order); run.json's status at the end.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RECIPES } from '../../shared/recipes';
import { AUGMENTATION_DIR, type HistoryEntry, type RunRecord } from '../../shared/runFiles';
import type { BackendChoice } from '../backend/selectBackend';
import { SEED_AUGMENTATION } from '../data/augmentation';
import { writeAugmentationPreview } from '../data/augmentationPreview';
import { createEngine } from '../engine/createEngine';
import type { TrainingState } from '../engine/trainingEngine';
import { summarizeModel } from '../model/modelSummary';
import { readBestMetadata } from '../train/checkpointStore';
import { runCallbacks } from '../train/callbacks/runCallbacks';
import { fit } from '../train/fit';
import { resumeStateFile, type BestSoFar } from '../train/resumeState';
import { writeRunRecord } from '../train/runFolder';
import { describeError, isUserError, UserError } from '../util/errors';
import { EXIT } from '../../shared/trainerErrors';
import type { CommandContext, CommandResult } from './commandContext';
import type { TrainingSubsets } from './trainingSubsets';

/** Where a resumed run continues from. */
export interface ResumePoint {
  epoch: number;
  best: BestSoFar | null;
  history: HistoryEntry[];
  /** Weights and optimizer state; undefined: the run's initial weights (resumeRecovery.ts). */
  training: TrainingState | undefined;
}

export interface TrainingSessionOptions {
  context: CommandContext;
  backend: BackendChoice;
  workers?: number;
  subsets: TrainingSubsets;
  /** The run's record as written when it started (or resumed); settings and data come from it. */
  record: RunRecord;
  runDir: string;
  resume?: ResumePoint;
}

export async function runTrainingSession(options: TrainingSessionOptions): Promise<CommandResult> {
  const { context, runDir, resume } = options;
  const { train, validation } = options.subsets;
  const settings = options.record.settings;
  const numClasses = train.classNames.length;
  const started = await createEngine({
    choice: options.backend,
    workers: options.workers,
    model: { recipe: settings.recipe, imageSize: settings.imageSize, numClasses, seed: settings.seed },
    optimizer: { learningRate: settings.learningRate },
    initialState: resume?.training,
  });
  const { engine, choice, hostModel: model } = started;
  context.emit(summarizeModel({ model, recipe: settings.recipe, imageSize: settings.imageSize }));
  // What a panel needs to show the run later from its folder alone: its images and what trained it (this time).
  const record: RunRecord = { ...options.record, trainCount: train.count, validationCount: validation.count, engine: choice.detail };
  writeRunRecord(runDir, record);
  context.emit({
    type: 'run-started',
    runId: record.runId,
    runDir,
    settings,
    classes: train.classNames,
    trainCount: train.count,
    validationCount: validation.count,
    stepsPerEpoch: Math.ceil(train.count / settings.batchSize),
    manifestId: record.manifestId,
    engine: choice.detail,
    skippedFiles: record.skippedFiles,
    ...(resume ? { resumedFrom: { epoch: resume.epoch, history: resume.history } } : {}),
  });

  const augmentation = RECIPES[settings.recipe].augmentation ? SEED_AUGMENTATION : undefined;
  if (augmentation) {
    const pixels = settings.imageSize * settings.imageSize * 3;
    const preview = await writeAugmentationPreview({
      image: train.images.subarray(0, pixels),
      height: settings.imageSize,
      width: settings.imageSize,
      count: 9,
      config: augmentation,
      seed: settings.seed,
      outDir: join(runDir, AUGMENTATION_DIR),
      grid: true,
    });
    context.emit({ type: 'augmentation-preview', source: train.files[0], files: preview.files, gridFile: preview.gridFile ?? null });
  }

  const { callbacks, history } = runCallbacks({
    runDir,
    runId: record.runId,
    epochs: settings.epochs,
    model,
    checkpointMetadata: {
      runId: record.runId,
      recipe: settings.recipe,
      settings,
      imageSize: settings.imageSize,
      classes: train.classNames,
      manifestId: record.manifestId,
    },
    resumed: resume ? { history: resume.history, best: resume.best } : undefined,
    emit: (message) => context.emit(message),
    log: (line) => context.log(line),
    debugMemoryOf: context.debugMemory ? engine : undefined,
  });
  let currentEpoch = (resume?.epoch ?? 0) + 1;
  // SIGTERM exits at once: run.json says so (what was saved stays valid, the run can be resumed). From the end
  // of fit until run.json has its final status, a SIGTERM writes the status the run reached instead (issue 15, item 5).
  let ending: RunRecord | null = null;
  const stopRecordingTermination = context.cancel.onTerminate(() =>
    writeRunRecord(
      runDir,
      ending ?? {
        ...record,
        status: 'cancelled',
        message: `Terminated (SIGTERM) during epoch ${currentEpoch} of ${settings.epochs}. What it saved stays valid: resume the run to continue.`,
        finishedAt: new Date().toISOString(),
      },
    ),
  );
  const outcome = await fit({
    engine,
    train,
    validation,
    numClasses,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed: settings.seed,
    augmentation,
    initialEpoch: resume?.epoch ?? 0,
    cancel: context.cancel,
    callbacks: [{ name: 'current-epoch', onBatchEnd: (event) => (currentEpoch = event.epoch) }, ...callbacks],
  }).catch((error: unknown) => {
    stopRecordingTermination();
    throw failedRun({ error, runDir, record });
  });
  const status = outcome.status === 'completed' ? 'completed' : outcome.status === 'cancelled' ? 'cancelled' : 'failed';
  ending = { ...record, status, message: outcome.status === 'completed' ? null : outcome.reason, finishedAt: new Date().toISOString() };
  try {
    await started.dispose();
  } catch (error) {
    stopRecordingTermination();
    throw error;
  }
  const saved = readBestMetadata(runDir);
  const bestDir = saved ? join(runDir, saved.checkpoint) : null;
  let message = outcome.status === 'completed' ? null : outcome.reason;
  if (outcome.status === 'diverged') {
    const kept = saved
      ? `the best checkpoint so far (epoch ${saved.epoch}, val_loss ${saved.logs.val_loss.toFixed(4)}) is kept: ${bestDir}.`
      : 'no checkpoint was saved, as it diverged before the end of its first epoch.';
    message = `${outcome.reason} This run used a learning rate of ${settings.learningRate}. Training stopped; ${kept}`;
    context.emit({ type: 'error', code: 'diverged', message });
  }
  ending = { ...ending, message };
  writeRunRecord(runDir, ending);
  stopRecordingTermination();
  const exitCode = outcome.status === 'completed' ? EXIT.ok : outcome.status === 'cancelled' ? EXIT.cancelled : EXIT.diverged;
  return { status, exitCode, runDir, bestCheckpointDir: bestDir, historyFile: history.file, skippedFiles: record.skippedFiles };
}

/**
 * The error to report when training stopped on an exception: run.json says `failed` (when it can still be
 * written), and a failed write says that the run can be resumed once the disk can take it.
 */
function failedRun(options: { error: unknown; runDir: string; record: RunRecord }): unknown {
  const { error, runDir, record } = options;
  try {
    writeRunRecord(runDir, { ...record, status: 'failed', message: describeError(error), finishedAt: new Date().toISOString() });
  } catch {
    // The disk is full or read-only: run.json keeps saying "running"; the error below says what happened.
  }
  if (!isUserError(error) || error.code !== 'cannot-write' || !existsSync(resumeStateFile(runDir))) return error;
  return new UserError(
    'cannot-write',
    `${error.message} Training stopped; what the run saved up to its last finished epoch stays valid: once it can write again, continue it with \`small-convnet resume ${runDir}\`.`,
  );
}
