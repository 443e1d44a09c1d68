/**
 * The fields each trainer message must have, checked on untrusted input (a trainer's stdout line in the
 * host, a forwarded event in the panel): a typed switch on `type`, checking the fields readers use.
 * Shared by the extension host (parseTrainerMessage) and the webview. Pure.
 */
import { isBackendName } from './backends';
import { isRecipeId, type TrainSettings } from './recipes';
import { isArrayOf, isMetric, isNullableString, isNumber, isNumberArray, isRecord as isRec, isString, isStringArray, type Json } from './jsonGuards';
import type { CommandName, EpochLogs, HistoryEntry, LayerSummary, TrainerMessage, WrongPrediction } from './trainerProtocol';

const COMMANDS: ReadonlySet<string> = new Set<CommandName>(['prepare', 'train', 'resume', 'evaluate', 'predict', 'preview']);
const DONE_STATUSES = new Set(['completed', 'cancelled', 'failed']);
const SUBSETS = new Set(['train', 'validation', 'test']);

export function isLayer(value: unknown): value is LayerSummary {
  return isRec(value) && isString(value.name) && isString(value.className) && isNumberArray(value.outputShape) && isNumber(value.params);
}

function isWrong(value: unknown): value is WrongPrediction {
  return isRec(value) && isString(value.file) && isString(value.label) && isString(value.predicted) && isNumber(value.confidence);
}

export function isTrainSettings(value: unknown): value is TrainSettings {
  return (
    isRec(value) &&
    isRecipeId(value.recipe) &&
    isNumber(value.epochs) &&
    isNumber(value.imageSize) &&
    isNumber(value.batchSize) &&
    isNumber(value.learningRate) &&
    isNumber(value.seed)
  );
}

/** loss, accuracy, val_loss, val_accuracy: numbers, or null where JSON wrote NaN. */
export function isEpochLogs(value: unknown): value is EpochLogs {
  return isRec(value) && isMetric(value.loss) && isMetric(value.accuracy) && isMetric(value.val_loss) && isMetric(value.val_accuracy);
}

function isHistoryEntry(value: unknown): value is HistoryEntry {
  return isEpochLogs(value) && isRec(value) && isNumber(value.epoch) && isNumber(value.seconds);
}

function isResumedFrom(value: unknown): boolean {
  return isRec(value) && isNumber(value.epoch) && isArrayOf(value.history, isHistoryEntry);
}

function isNumberMatrix(value: unknown): value is number[][] {
  return isArrayOf(value, isNumberArray);
}

/** True when the message's fields are what its `type` promises (for the fields the host and the panel read). */
export function hasTrainerMessageFields(m: Json & { type: TrainerMessage['type'] }): boolean {
  switch (m.type) {
    case 'hello':
      return isString(m.command) && COMMANDS.has(m.command);
    case 'backend':
      return isBackendName(m.backend) && isString(m.detail);
    case 'prepare-progress':
      return isNumber(m.copied) && isNumber(m.total);
    case 'prepared':
      return isString(m.outDir) && isStringArray(m.classes) && isRec(m.counts) && isNumber(m.copied);
    case 'dataset-loaded':
      return isString(m.subset) && SUBSETS.has(m.subset) && isString(m.dir) && isNumber(m.count) && isStringArray(m.classes);
    case 'model-summary':
      return isRecipeId(m.recipe) && isNumber(m.imageSize) && isArrayOf(m.layers, isLayer) && isNumber(m.totalParams) && isNumber(m.trainableParams);
    case 'run-started':
      return (
        isString(m.runId) &&
        isString(m.runDir) &&
        isTrainSettings(m.settings) &&
        isStringArray(m.classes) &&
        isNumber(m.trainCount) &&
        isNumber(m.validationCount) &&
        isNumber(m.stepsPerEpoch) &&
        isString(m.engine) &&
        (m.resumedFrom === undefined || isResumedFrom(m.resumedFrom))
      );
    case 'augmentation-preview':
      return isString(m.source) && isStringArray(m.files) && isNullableString(m.gridFile);
    case 'batch-end':
      return isNumber(m.epoch) && isNumber(m.batch) && isNumber(m.batches) && isMetric(m.loss) && isMetric(m.accuracy) && isNumber(m.msPerStep);
    case 'epoch-end':
      return isNumber(m.epoch) && isNumber(m.epochs) && isEpochLogs(m.logs) && isNumber(m.seconds);
    case 'checkpoint-saved':
      return isNumber(m.epoch) && isString(m.dir) && isMetric(m.value);
    case 'evaluation':
      return (
        isString(m.checkpointDir) &&
        isString(m.dataDir) &&
        isStringArray(m.classes) &&
        isNumber(m.count) &&
        isMetric(m.loss) &&
        isMetric(m.accuracy) &&
        isNumberMatrix(m.confusion) &&
        isNumberArray(m.perClassAccuracy) &&
        isArrayOf(m.mostConfidentlyWrong, isWrong)
      );
    case 'prediction':
      return isString(m.file) && isStringArray(m.classes) && isNumberArray(m.probabilities) && isString(m.predicted);
    case 'warning':
      return isString(m.message);
    case 'error':
      return isString(m.code) && isString(m.message);
    case 'done':
      return (
        isString(m.command) &&
        COMMANDS.has(m.command) &&
        isString(m.status) &&
        DONE_STATUSES.has(m.status) &&
        (m.bestCheckpointDir === undefined || isNullableString(m.bestCheckpointDir))
      );
  }
}
