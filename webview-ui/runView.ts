/**
 * What the panel knows about one run, and the pure functions that fold trainer messages and run files
 * into it. Plain JSON data only (it is saved with the webview's setState).
 */
import type { RecipeId, TrainSettings } from '../src/shared/recipes';
import type { HistoryEntry, HistoryFile, RunRecord } from '../src/shared/runFiles';
import type { ActivationsMessage, BackendName, BatchProgress, CommandName, EvaluationMessage, ExplanationMessage, ExportedMessage, LayerSummary, TrainerMessage } from '../src/shared/trainerProtocol';
import { phaseOfDoneStatus, phaseOfRunRecord } from '../src/shared/runPhase';
import { inEditorWords } from '../src/shared/settingWords';
import type { RunKey, RunPhase } from '../src/shared/webviewProtocol';

export interface EpochPoint {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
  /** Wall time of the whole epoch (training + validation). */
  seconds: number;
  /** Training part only (steps x ms per step of the last batch), when the batches were seen. */
  trainSeconds: number | null;
}

/** The last batch of the epoch in progress, as `batch-end` says it. */
export type LiveBatch = BatchProgress;

export interface ModelSummary {
  imageSize: number;
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
}

export interface AugmentationPreview {
  source: string;
  files: string[];
  gridFile: string | null;
}

export type EvaluationStatus = 'idle' | 'running' | 'failed';

export interface RunView {
  key: RunKey;
  runId: string | null;
  runDir: string | null;
  recipe: RecipeId | null;
  settings: TrainSettings | null;
  classes: string[];
  phase: RunPhase | null;
  phaseDetail: string | null;
  logTail: string[];
  backend: BackendName | null;
  backendDetail: string | null;
  engine: string | null;
  trainCount: number | null;
  validationCount: number | null;
  stepsPerEpoch: number | null;
  summary: ModelSummary | null;
  /** Copying the train/validation/test subsets, before the run starts. */
  prepare: { copied: number; total: number } | null;
  epochsPlanned: number | null;
  history: EpochPoint[];
  batch: LiveBatch | null;
  /** The best checkpoint so far (ModelCheckpoint on val_loss). */
  checkpoint: { epoch: number; dir: string | null } | null;
  augmentation: AugmentationPreview | null;
  evaluation: EvaluationMessage | null;
  /** What `export` wrote for this run in this panel (the last of each format), for "Use this model". */
  exports: ExportedMessage[];
  /** Grad-CAM of images of this run (the wrong test images), by image file. */
  explanations: Record<string, ExplanationMessage>;
  /** Feature maps of images of this run, by image file. */
  activations: Record<string, ActivationsMessage>;
  evaluationStatus: EvaluationStatus;
  evaluationError: string | null;
  /** The trainer command whose stream is in progress (between hello and done). */
  command: CommandName | null;
  error: { code: string; message: string } | null;
  warnings: string[];
  /** Came from disk (run-loaded) rather than from a live stream. */
  fromDisk: boolean;
}

const MAX_WARNINGS = 5;

export function emptyRun(key: RunKey): RunView {
  return {
    key,
    runId: null,
    runDir: null,
    recipe: null,
    settings: null,
    classes: [],
    phase: null,
    phaseDetail: null,
    logTail: [],
    backend: null,
    backendDetail: null,
    engine: null,
    trainCount: null,
    validationCount: null,
    stepsPerEpoch: null,
    summary: null,
    prepare: null,
    epochsPlanned: null,
    history: [],
    batch: null,
    checkpoint: null,
    augmentation: null,
    evaluation: null,
    exports: [],
    explanations: {},
    activations: {},
    evaluationStatus: 'idle',
    evaluationError: null,
    command: null,
    error: null,
    warnings: [],
    fromDisk: false,
  };
}

function pointOfHistoryEntry(e: HistoryEntry): EpochPoint {
  return {
    epoch: e.epoch,
    loss: e.loss,
    accuracy: e.accuracy,
    val_loss: e.val_loss,
    val_accuracy: e.val_accuracy,
    seconds: e.seconds,
    trainSeconds: null,
  };
}

/** Replaces (or appends) the entry of `point.epoch`, keeping epochs in order. */
function withEpoch(history: EpochPoint[], point: EpochPoint): EpochPoint[] {
  return [...history.filter((p) => p.epoch !== point.epoch), point].sort((a, b) => a.epoch - b.epoch);
}

/** A command whose stream trains a run (train, or resume): it owns the run's phases, epochs and batches. */
export function isTrainingCommand(command: CommandName | null): boolean {
  return command === 'train' || command === 'resume';
}

function onHello(run: RunView, command: CommandName): RunView {
  if (isTrainingCommand(command)) {
    const fresh = emptyRun(run.key);
    // A train (or resume) stream on a key that already has a run starts that run over (a new process);
    // a resumed run gets its finished epochs back from run-started.
    return { ...fresh, phase: 'running', command };
  }
  if (command === 'evaluate') return { ...run, command, evaluationStatus: 'running', evaluationError: null };
  return { ...run, command };
}

function onDone(run: RunView, event: Extract<TrainerMessage, { type: 'done' }>): RunView {
  if (event.command === 'evaluate') {
    const failed = event.status !== 'completed' || run.evaluationStatus === 'failed';
    return {
      ...run,
      command: null,
      evaluationStatus: failed ? 'failed' : 'idle',
      evaluationError: failed ? (run.evaluationError ?? (event.status === 'cancelled' ? 'Evaluation was cancelled.' : 'Evaluation failed.')) : null,
    };
  }
  if (event.command !== 'train' && event.command !== 'resume') return { ...run, command: null };
  const phase = phaseOfDoneStatus(event.status);
  const checkpointDir = event.bestCheckpointDir ?? null;
  const checkpoint = run.checkpoint ? { ...run.checkpoint, dir: checkpointDir ?? run.checkpoint.dir } : null;
  return {
    ...run,
    command: null,
    phase,
    // The trainer is done: "Stopping after the current batch…" is over (the host's run-phase may follow with its own words).
    phaseDetail: phase === 'failed' ? (run.error?.message ?? run.phaseDetail) : phase === 'stopped' ? 'Stopped.' : null,
    batch: null,
    runDir: event.runDir ?? run.runDir,
    checkpoint,
  };
}

function onError(run: RunView, code: string, message: string): RunView {
  if (run.command === 'evaluate') return { ...run, evaluationStatus: 'failed', evaluationError: message };
  return { ...run, error: { code, message }, phaseDetail: message };
}

/** Folds one trainer message into the run. */
export function applyTrainerEvent(run: RunView, event: TrainerMessage): RunView {
  switch (event.type) {
    case 'hello':
      return onHello(run, event.command);
    case 'backend':
      // The training backend is what the header names; an evaluation may load another one.
      if (run.command === 'evaluate' && run.backend !== null) return run;
      return { ...run, backend: event.backend, backendDetail: event.detail };
    case 'prepare-progress':
      return { ...run, prepare: { copied: event.copied, total: event.total } };
    case 'prepared':
    case 'dataset-loaded':
    case 'prediction':
      return run;
    case 'explanation':
      return { ...run, explanations: { ...run.explanations, [event.file]: event } };
    case 'activations':
      return { ...run, activations: { ...run.activations, [event.file]: event } };
    case 'exported':
      return { ...run, exports: [...run.exports.filter((e) => e.format !== event.format), event] };
    case 'model-summary':
      return {
        ...run,
        recipe: event.recipe,
        summary: { imageSize: event.imageSize, layers: event.layers, totalParams: event.totalParams, trainableParams: event.trainableParams },
      };
    case 'run-started':
      return {
        ...run,
        runId: event.runId,
        runDir: event.runDir,
        settings: event.settings,
        recipe: event.settings.recipe,
        classes: event.classes,
        trainCount: event.trainCount,
        validationCount: event.validationCount,
        stepsPerEpoch: event.stepsPerEpoch,
        epochsPlanned: event.settings.epochs,
        engine: event.engine,
        prepare: null,
        history: event.resumedFrom ? event.resumedFrom.history.map(pointOfHistoryEntry) : run.history,
      };
    case 'augmentation-preview':
      return { ...run, augmentation: { source: event.source, files: event.files, gridFile: event.gridFile } };
    case 'batch-end':
      return {
        ...run,
        batch: {
          epoch: event.epoch,
          batch: event.batch,
          batches: event.batches,
          loss: event.loss,
          accuracy: event.accuracy,
          msPerStep: event.msPerStep,
        },
      };
    case 'epoch-end': {
      const last = run.batch;
      const trainSeconds = last && last.epoch === event.epoch ? (last.batches * last.msPerStep) / 1000 : null;
      const point: EpochPoint = {
        epoch: event.epoch,
        loss: event.logs.loss,
        accuracy: event.logs.accuracy,
        val_loss: event.logs.val_loss,
        val_accuracy: event.logs.val_accuracy,
        seconds: event.seconds,
        trainSeconds,
      };
      return { ...run, history: withEpoch(run.history, point), epochsPlanned: event.epochs };
    }
    case 'checkpoint-saved':
      return { ...run, checkpoint: { epoch: event.epoch, dir: event.dir } };
    case 'evaluation':
      return { ...run, evaluation: event, evaluationStatus: 'idle', evaluationError: null };
    case 'warning':
      return { ...run, warnings: [...run.warnings, inEditorWords(event.message)].slice(-MAX_WARNINGS) };
    case 'error':
      return onError(run, event.code, inEditorWords(event.message));
    case 'done':
      return onDone(run, event);
  }
}


/** The lowest val_loss epoch (the first of equals, as ModelCheckpoint keeps it), or null. */
export function bestEpochOf(history: readonly EpochPoint[]): number | null {
  let best: EpochPoint | null = null;
  for (const point of history) {
    if (Number.isFinite(point.val_loss) && (best === null || point.val_loss < best.val_loss)) best = point;
  }
  return best ? best.epoch : null;
}

/** Merges a run read from disk; what a live stream already said is kept where it is newer. */
export function applyRunLoaded(run: RunView, record: RunRecord, history: HistoryFile | null, evaluation: EvaluationMessage | null): RunView {
  const streaming = isTrainingCommand(run.command);
  const live = streaming || run.phase === 'running' || run.phase === 'stopping' || run.phase === 'preparing';
  const onDisk = phaseOfRunRecord({ record });
  const diskHistory: EpochPoint[] = (history?.epochs ?? []).map(pointOfHistoryEntry);
  const mergedHistory = diskHistory.length > run.history.length ? diskHistory : run.history;
  const best = bestEpochOf(mergedHistory);
  // A live stream says which checkpoint it saved; a run followed from its folder (trained in the background)
  // gains epochs from disk, and its best checkpoint moves with them.
  const checkpoint =
    streaming || best === null ? (run.checkpoint ?? (best !== null ? { epoch: best, dir: null } : null)) : run.checkpoint?.epoch === best ? run.checkpoint : { epoch: best, dir: null };
  return {
    ...run,
    fromDisk: run.command === null && run.history.length === 0,
    runId: record.runId,
    settings: record.settings,
    recipe: record.settings.recipe,
    classes: record.classes,
    backend: run.backend ?? record.backend,
    // A run reopened from its folder keeps what its stream said: its images and what trained it.
    engine: run.engine ?? record.engine ?? null,
    trainCount: run.trainCount ?? record.trainCount ?? null,
    validationCount: run.validationCount ?? record.validationCount ?? null,
    epochsPlanned: record.settings.epochs,
    history: mergedHistory,
    // Read from disk: the host's run-phase follows where it knows more (a live trainer, a stop it asked for).
    phase: live ? run.phase : onDisk.phase,
    phaseDetail: live ? run.phaseDetail : (onDisk.detail ?? run.phaseDetail),
    checkpoint,
    evaluation: evaluation ?? run.evaluation,
  };
}

/** A new phase without words of its own drops the old phase's ("Training in the background …" once it stopped). */
export function applyRunPhase(run: RunView, phase: RunPhase, detail: string | null, logTail: string[]): RunView {
  return { ...run, phase, phaseDetail: detail ?? (phase === run.phase ? run.phaseDetail : null), logTail: logTail.length > 0 ? logTail : run.logTail };
}
