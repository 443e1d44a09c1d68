/**
 * Restoring the state saved with setState (untyped after a reload): every field is checked and anything
 * that does not fit (an older panel version, a damaged value) falls back to its empty value.
 */
import { BACKEND_NAMES } from '../src/shared/backends';
import { isRecipeId, trainSettingsSchema } from '../src/shared/recipes';
import { array, parse } from '../src/shared/schema';
import { evaluationFileSchema, type EvaluationFile } from '../src/shared/runFiles';
import { batchProgressSchema, COMMAND_NAMES, historyEntrySchema, layerSummarySchema, trainerMessageSchema, type BackendName, type CommandName, type TrainerMessage } from '../src/shared/trainerProtocol';
import { RUN_PHASES, type RunPhase } from '../src/shared/webviewProtocol';
import { isArrayOf, isNumber, isRecord, isString, isStringArray, isStringRecord } from './guards';
import { initialState, STATE_VERSION, type PanelState } from './panelState';
import { emptyRun, isTrainingCommand, type AugmentationPreview, type EpochPoint, type EvaluationStatus, type LiveBatch, type ModelSummary, type RunView } from './runView';

const PHASES = new Set<string>(RUN_PHASES);
const BACKENDS = new Set<string>(BACKEND_NAMES);
const COMMANDS = new Set<string>(COMMAND_NAMES);
const EVAL_STATUSES = new Set<string>(['idle', 'running', 'failed']);

function str(value: unknown): string | null {
  return isString(value) ? value : null;
}

function num(value: unknown): number | null {
  return isNumber(value) ? value : null;
}

function epochPoint(value: unknown): EpochPoint | null {
  const entry = parse(historyEntrySchema, value);
  if (entry === undefined || !isRecord(value)) return null;
  return { ...entry, trainSeconds: num(value.trainSeconds) };
}

function modelSummary(value: unknown): ModelSummary | null {
  if (!isRecord(value) || !isNumber(value.imageSize) || !isNumber(value.totalParams) || !isNumber(value.trainableParams)) return null;
  const layers = parse(array(layerSummarySchema), value.layers);
  if (layers === undefined) return null;
  return { imageSize: value.imageSize, layers, totalParams: value.totalParams, trainableParams: value.trainableParams };
}

function liveBatch(value: unknown): LiveBatch | null {
  return parse(batchProgressSchema, value) ?? null;
}

function augmentationPreview(value: unknown): AugmentationPreview | null {
  if (!isRecord(value) || !isString(value.source) || !isStringArray(value.files)) return null;
  return { source: value.source, files: value.files, gridFile: str(value.gridFile) };
}

type MessageOf<T extends TrainerMessage['type']> = Extract<TrainerMessage, { type: T }>;

/** A saved trainer message of `type`, checked with the protocol's schema, or null. */
function messageOf<T extends TrainerMessage['type']>(value: unknown, type: T): MessageOf<T> | null {
  const message = parse(trainerMessageSchema, value);
  return message?.type === type ? (message as MessageOf<T>) : null;
}

/** Saved messages about images (explanations, feature maps), by the image file each names. */
function messagesByFile<T extends 'explanation' | 'activations'>(value: unknown, type: T): Record<string, MessageOf<T>> {
  if (!isRecord(value)) return {};
  const out: Record<string, MessageOf<T>> = {};
  for (const [file, saved] of Object.entries(value)) {
    const message: MessageOf<T> | null = messageOf(saved, type);
    if (message !== null && (message as MessageOf<'explanation' | 'activations'>).file === file) out[file] = message;
  }
  return out;
}

function evaluationOf(value: unknown): EvaluationFile | null {
  return parse(evaluationFileSchema, value) ?? null;
}

function checkpointOf(value: unknown): RunView['checkpoint'] {
  return isRecord(value) && isNumber(value.epoch) ? { epoch: value.epoch, dir: str(value.dir) } : null;
}

function errorOf(value: unknown): RunView['error'] {
  return isRecord(value) && isString(value.code) && isString(value.message) ? { code: value.code, message: value.message } : null;
}

function oneOf<T extends string>(value: unknown, allowed: ReadonlySet<string>): T | null {
  return isString(value) && allowed.has(value) ? (value as T) : null;
}

function restoreRun(key: string, value: unknown): RunView | null {
  if (!isRecord(value)) return null;
  const command = oneOf<CommandName>(value.command, COMMANDS);
  // A training stream does not survive the webview: the host replays a run it still trains, or reports it from disk.
  const stream = isTrainingCommand(command);
  return {
    ...emptyRun(key),
    runId: str(value.runId),
    runDir: str(value.runDir),
    recipe: isRecipeId(value.recipe) ? value.recipe : null,
    settings: parse(trainSettingsSchema, value.settings) ?? null,
    classes: isStringArray(value.classes) ? value.classes : [],
    phase: oneOf<RunPhase>(value.phase, PHASES),
    phaseDetail: str(value.phaseDetail),
    logTail: isStringArray(value.logTail) ? value.logTail : [],
    backend: oneOf<BackendName>(value.backend, BACKENDS),
    backendDetail: str(value.backendDetail),
    engine: str(value.engine),
    trainCount: num(value.trainCount),
    validationCount: num(value.validationCount),
    stepsPerEpoch: num(value.stepsPerEpoch),
    summary: modelSummary(value.summary),
    prepare: isRecord(value.prepare) && isNumber(value.prepare.copied) && isNumber(value.prepare.total) ? { copied: value.prepare.copied, total: value.prepare.total } : null,
    epochsPlanned: num(value.epochsPlanned),
    history: Array.isArray(value.history) ? value.history.flatMap((p) => epochPoint(p) ?? []) : [],
    batch: stream ? null : liveBatch(value.batch),
    checkpoint: checkpointOf(value.checkpoint),
    augmentation: augmentationPreview(value.augmentation),
    evaluation: evaluationOf(value.evaluation),
    evaluationStatus: oneOf<EvaluationStatus>(value.evaluationStatus, EVAL_STATUSES) ?? 'idle',
    evaluationError: str(value.evaluationError),
    exports: Array.isArray(value.exports) ? value.exports.flatMap((e) => messageOf(e, 'exported') ?? []) : [],
    explanations: messagesByFile(value.explanations, 'explanation'),
    activations: messagesByFile(value.activations, 'activations'),
    command: stream ? null : command,
    error: errorOf(value.error),
    warnings: isStringArray(value.warnings) ? value.warnings : [],
    fromDisk: value.fromDisk === true,
  };
}

/** The saved state, or a fresh one when there is none or it cannot be read. */
export function restoreState(saved: unknown): PanelState {
  const fresh = initialState();
  if (!isRecord(saved) || saved.version !== STATE_VERSION || !isRecord(saved.runs) || !isStringArray(saved.order)) return fresh;
  const runs: PanelState['runs'] = {};
  const order: string[] = [];
  for (const key of saved.order) {
    const run = restoreRun(key, saved.runs[key]);
    if (run && !(key in runs)) {
      runs[key] = run;
      order.push(key);
    }
  }
  const focus = isString(saved.focus) && saved.focus in runs ? saved.focus : (order[0] ?? null);
  const compare = isRecord(saved.compare) ? saved.compare : {};
  return {
    version: STATE_VERSION,
    runs,
    order,
    aliases: isStringRecord(saved.aliases) ? saved.aliases : {},
    focus,
    imageUris: isStringRecord(saved.imageUris) ? saved.imageUris : {},
    heatmaps: saved.heatmaps === true,
    detail: isRecord(saved.detail) && isString(saved.detail.file) ? { file: saved.detail.file, layer: isString(saved.detail.layer) ? saved.detail.layer : null } : null,
    compare: {
      show: compare.show !== false,
      hidden: isArrayOf(compare.hidden, isString) ? compare.hidden : [],
      shown: isArrayOf(compare.shown, isString) ? compare.shown : [],
    },
  };
}
