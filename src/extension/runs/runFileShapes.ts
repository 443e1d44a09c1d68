/**
 * Shape checks for the files of a run folder (src/shared/runFiles.ts) and evaluation.json: the trees and the
 * panel read folders written by other processes (or by hand), so nothing is trusted before it is checked.
 * Pure.
 */
import { isMetric, isNumber, isNumberArray, isRecord, isStringArray } from '../../shared/jsonGuards';
import { isCheckpointPath, type CheckpointMetadata, type HistoryFile, type ProgressFile, type RunRecord } from '../../shared/runFiles';
import type { EvaluationMessage } from '../../shared/trainerProtocol';
import { isEpochLogs, isTrainSettings } from '../../shared/trainerMessageFields';

const RUN_STATUSES: ReadonlySet<unknown> = new Set(['running', 'completed', 'cancelled', 'failed']);

export function isRunRecord(value: unknown): value is RunRecord {
  return (
    isRecord(value) &&
    value.version === 1 &&
    typeof value.runId === 'string' &&
    isTrainSettings(value.settings) &&
    isStringArray(value.classes) &&
    typeof value.dataDir === 'string' &&
    typeof value.startedAt === 'string' &&
    RUN_STATUSES.has(value.status) &&
    (value.trainCount === undefined || isNumber(value.trainCount)) &&
    (value.validationCount === undefined || isNumber(value.validationCount)) &&
    (value.engine === undefined || typeof value.engine === 'string')
  );
}

export function isHistoryFile(value: unknown): value is HistoryFile {
  if (!isRecord(value) || value.version !== 1 || !isRecord(value.history) || !Array.isArray(value.epochs)) return false;
  const history = value.history;
  return ['loss', 'accuracy', 'val_loss', 'val_accuracy'].every((key) => Array.isArray(history[key])) && value.epochs.every((entry) => isRecord(entry) && isNumber(entry.epoch));
}

export function isCheckpointMetadata(value: unknown): value is CheckpointMetadata {
  return (
    isRecord(value) &&
    value.version === 1 &&
    isCheckpointPath(value.checkpoint) &&
    isNumber(value.epoch) &&
    isEpochLogs(value.logs) &&
    isStringArray(value.classes)
  );
}

export function isEvaluationMessage(value: unknown): value is EvaluationMessage {
  return (
    isRecord(value) &&
    value.type === 'evaluation' &&
    isNumber(value.loss) &&
    isNumber(value.accuracy) &&
    isNumber(value.count) &&
    isStringArray(value.classes) &&
    Array.isArray(value.confusion) &&
    value.confusion.every(isNumberArray) &&
    Array.isArray(value.mostConfidentlyWrong) &&
    value.mostConfidentlyWrong.every((wrong) => isRecord(wrong) && typeof wrong.file === 'string')
  );
}

function isCount(value: unknown): value is number {
  return isNumber(value) && Number.isInteger(value) && value >= 1;
}

/** progress.json: a batch within its epoch, an epoch within the run (metrics may be null: NaN in JSON). */
export function isProgressFile(value: unknown): value is ProgressFile {
  return (
    isRecord(value) &&
    value.version === 1 &&
    typeof value.runId === 'string' &&
    isCount(value.epoch) &&
    isCount(value.epochs) &&
    value.epoch <= value.epochs &&
    isCount(value.batch) &&
    isCount(value.batches) &&
    value.batch <= value.batches &&
    isMetric(value.loss) &&
    isMetric(value.accuracy) &&
    isNumber(value.msPerStep) &&
    typeof value.updatedAt === 'string'
  );
}
