/**
 * Parses a message from the extension host (untyped, from `window` message events) into a
 * HostToWebviewMessage with a typed switch; anything unknown or malformed gives undefined (ignored).
 */
import type { HostToWebviewMessage, RunPhase } from '../src/shared/webviewProtocol';
import type { EvaluationMessage } from '../src/shared/trainerProtocol';
import type { HistoryFile, RunRecord } from '../src/shared/runFiles';
import { isRecipeId } from '../src/shared/recipes';
import { isArrayOf, isMetric, isNullableString, isNumber, isRecord, isString, isStringArray, isStringRecord, type Json } from './guards';
import { parseTrainerEvent } from './trainerEvents';

const PHASES: ReadonlySet<string> = new Set<RunPhase>(['preparing', 'running', 'stopping', 'completed', 'stopped', 'failed', 'crashed']);
const RUN_STATUSES = new Set(['running', 'completed', 'cancelled', 'failed']);
const HOST_TYPES: ReadonlySet<string> = new Set<HostToWebviewMessage['type']>(['trainer-event', 'run-loaded', 'run-phase', 'image-uris', 'focus-run', 'run-removed']);

function isRunRecord(value: unknown): value is RunRecord {
  return (
    isRecord(value) &&
    isString(value.runId) &&
    isRecord(value.settings) &&
    isRecipeId(value.settings.recipe) &&
    isNumber(value.settings.epochs) &&
    isStringArray(value.classes) &&
    isString(value.backend) &&
    isString(value.status) &&
    RUN_STATUSES.has(value.status) &&
    isNullableString(value.message) &&
    (value.trainCount === undefined || isNumber(value.trainCount)) &&
    (value.validationCount === undefined || isNumber(value.validationCount)) &&
    (value.engine === undefined || isString(value.engine))
  );
}

function isHistoryEntry(value: unknown): boolean {
  return (
    isRecord(value) &&
    isNumber(value.epoch) &&
    isMetric(value.loss) &&
    isMetric(value.accuracy) &&
    isMetric(value.val_loss) &&
    isMetric(value.val_accuracy) &&
    isNumber(value.seconds)
  );
}

function isHistoryFile(value: unknown): value is HistoryFile {
  return isRecord(value) && Array.isArray(value.epochs) && value.epochs.every(isHistoryEntry);
}

function isEvaluation(value: unknown): value is EvaluationMessage {
  const parsed = parseTrainerEvent(value);
  return parsed !== undefined && parsed.type === 'evaluation';
}

function parseKnown(m: Json & { type: HostToWebviewMessage['type'] }): HostToWebviewMessage | undefined {
  switch (m.type) {
    case 'trainer-event': {
      const event = parseTrainerEvent(m.event);
      return isString(m.runKey) && event ? { type: 'trainer-event', runKey: m.runKey, event } : undefined;
    }
    case 'run-loaded': {
      if (!isString(m.runKey) || !isRunRecord(m.record)) return undefined;
      const history = isHistoryFile(m.history) ? m.history : null;
      const evaluation = isEvaluation(m.evaluation) ? m.evaluation : null;
      return { type: 'run-loaded', runKey: m.runKey, record: m.record, history, evaluation };
    }
    case 'run-phase':
      if (!isString(m.runKey) || !isString(m.phase) || !PHASES.has(m.phase)) return undefined;
      return {
        type: 'run-phase',
        runKey: m.runKey,
        phase: m.phase as RunPhase,
        detail: isString(m.detail) ? m.detail : null,
        logTail: isArrayOf(m.logTail, isString) ? m.logTail : [],
      };
    case 'image-uris':
      return isStringRecord(m.uris) ? { type: 'image-uris', uris: m.uris } : undefined;
    case 'focus-run':
      return isString(m.runKey) ? { type: 'focus-run', runKey: m.runKey } : undefined;
    case 'run-removed':
      return isString(m.runKey) ? { type: 'run-removed', runKey: m.runKey } : undefined;
  }
}

export function parseHostMessage(value: unknown): HostToWebviewMessage | undefined {
  if (!isRecord(value) || !isString(value.type) || !HOST_TYPES.has(value.type)) return undefined;
  return parseKnown(value as Json & { type: HostToWebviewMessage['type'] });
}
