/**
 * The trainer's stdio protocol: one JSON object per line, discriminated on a string `type`.
 * stdout carries TrainerMessage lines only (logs go to stderr); stdin carries ControlMessage lines.
 * Imported by the trainer (writer) and by the extension host and webview (readers). See docs/protocol.md.
 */
import type { BackendName } from './backends';
import { isRecord, type Json } from './jsonGuards';
import type { TrainSettings } from './recipes';
import { hasTrainerMessageFields } from './trainerMessageFields';

export const PROTOCOL_VERSION = 1;

export type SubsetName = 'train' | 'validation' | 'test';
export type { BackendName } from './backends';
export type CommandName = 'prepare' | 'train' | 'resume' | 'evaluate' | 'predict' | 'preview';

/** Per-epoch metrics, named as Keras names them in `History.history` and `on_epoch_end(logs)`. */
export interface EpochLogs {
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
}

/** One finished epoch as history.json keeps it. */
export interface HistoryEntry extends EpochLogs {
  epoch: number;
  seconds: number;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

// ---- trainer -> host -------------------------------------------------------------------------

/** First line of every command. */
export interface HelloMessage {
  type: 'hello';
  protocolVersion: number;
  trainerVersion: string;
  command: CommandName;
  pid: number;
}

/** Which backend runs the maths, and why each faster one was not taken. */
export interface BackendMessage {
  type: 'backend';
  backend: BackendName;
  detail: string;
  skipped: { backend: BackendName; reason: string }[];
}

export interface PrepareProgressMessage {
  type: 'prepare-progress';
  copied: number;
  total: number;
}

export interface PreparedMessage {
  type: 'prepared';
  outDir: string;
  manifestId: string;
  classes: string[];
  counts: Record<SubsetName, number>;
  copied: number;
  unchanged: boolean;
  skipped: SkippedFile[];
  warnings: string[];
}

/** A subset was decoded into memory ("Found 2000 files belonging to 2 classes."). */
export interface DatasetLoadedMessage {
  type: 'dataset-loaded';
  subset: SubsetName;
  dir: string;
  count: number;
  classes: string[];
  skipped: SkippedFile[];
  seconds: number;
}

export interface LayerSummary {
  name: string;
  className: string;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  params: number;
}

export interface ModelSummaryMessage {
  type: 'model-summary';
  recipe: TrainSettings['recipe'];
  imageSize: number;
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
}

export interface RunStartedMessage {
  type: 'run-started';
  runId: string;
  runDir: string;
  settings: TrainSettings;
  classes: string[];
  trainCount: number;
  validationCount: number;
  stepsPerEpoch: number;
  manifestId: string | null;
  /** Where the steps run, e.g. "WebAssembly (XNNPACK, SIMD) ..., 2 worker threads". */
  engine: string;
  /** Set when this run continues an interrupted one: the epochs it had finished (their charts' points). */
  resumedFrom?: { epoch: number; history: HistoryEntry[] };
  /** Files left out of this run's data (not images, unreadable, undecodable), each named in a `warning`. */
  skippedFiles?: number;
}

export interface AugmentationPreviewMessage {
  type: 'augmentation-preview';
  source: string;
  files: string[];
  gridFile: string | null;
}

/** After every training batch: running means over the epoch so far, like Keras' progress bar. */
export interface BatchEndMessage {
  type: 'batch-end';
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  msPerStep: number;
}

/** One per finished epoch, with only that epoch's numbers. Epochs count from 1. */
export interface EpochEndMessage {
  type: 'epoch-end';
  epoch: number;
  epochs: number;
  logs: EpochLogs;
  seconds: number;
}

export interface CheckpointSavedMessage {
  type: 'checkpoint-saved';
  epoch: number;
  dir: string;
  monitor: 'val_loss';
  value: number;
  previous: number | null;
}

export interface WrongPrediction {
  file: string;
  label: string;
  predicted: string;
  confidence: number;
}

export interface EvaluationMessage {
  type: 'evaluation';
  checkpointDir: string;
  dataDir: string;
  classes: string[];
  count: number;
  loss: number;
  accuracy: number;
  /** confusion[trueClass][predictedClass] = count. */
  confusion: number[][];
  perClassAccuracy: number[];
  mostConfidentlyWrong: WrongPrediction[];
  skipped: SkippedFile[];
}

export interface PredictionMessage {
  type: 'prediction';
  file: string;
  classes: string[];
  probabilities: number[];
  predicted: string;
}

export interface WarningMessage {
  type: 'warning';
  message: string;
  file?: string;
}

export interface ErrorMessage {
  type: 'error';
  /** A UserError code, or 'internal' for a bug. */
  code: string;
  message: string;
}

export type DoneStatus = 'completed' | 'cancelled' | 'failed';

/** Last line of every command. */
export interface DoneMessage {
  type: 'done';
  command: CommandName;
  status: DoneStatus;
  exitCode: number;
  runDir?: string;
  bestCheckpointDir?: string | null;
  historyFile?: string;
  /** Files the command left out (not images, unreadable, undecodable); each was named in a `warning`. */
  skippedFiles?: number;
  seconds: number;
}

export type TrainerMessage =
  | HelloMessage
  | BackendMessage
  | PrepareProgressMessage
  | PreparedMessage
  | DatasetLoadedMessage
  | ModelSummaryMessage
  | RunStartedMessage
  | AugmentationPreviewMessage
  | BatchEndMessage
  | EpochEndMessage
  | CheckpointSavedMessage
  | EvaluationMessage
  | PredictionMessage
  | WarningMessage
  | ErrorMessage
  | DoneMessage;

export type TrainerMessageType = TrainerMessage['type'];

/** Every `type` a trainer message may have (for validating untrusted input). */
export const TRAINER_MESSAGE_TYPES: ReadonlySet<string> = new Set<TrainerMessageType>([
  'hello',
  'backend',
  'prepare-progress',
  'prepared',
  'dataset-loaded',
  'model-summary',
  'run-started',
  'augmentation-preview',
  'batch-end',
  'epoch-end',
  'checkpoint-saved',
  'evaluation',
  'prediction',
  'warning',
  'error',
  'done',
]);

// ---- host -> trainer -------------------------------------------------------------------------

/** Stop after the current batch, save what is due, exit with status 'cancelled'. */
export interface CancelMessage {
  type: 'cancel';
}

export type ControlMessage = CancelMessage;

// ---- encoding --------------------------------------------------------------------------------

export function encodeMessage(message: TrainerMessage | ControlMessage): string {
  return JSON.stringify(message) + '\n';
}

function parseObjectWithType(line: string): { type: string } | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  return isRecord(value) && typeof value.type === 'string' ? (value as { type: string }) : undefined;
}

/** An untyped value (parsed JSON) as a trainer message, or undefined when its type is unknown or a field it must have is missing or wrong. */
export function parseTrainerMessageValue(value: unknown): TrainerMessage | undefined {
  if (!isRecord(value) || typeof value.type !== 'string' || !TRAINER_MESSAGE_TYPES.has(value.type)) return undefined;
  return hasTrainerMessageFields(value as Json & { type: TrainerMessageType }) ? (value as unknown as TrainerMessage) : undefined;
}

/** A trainer stdout line as a message, or undefined when it is not one (log it, do not act on it). */
export function parseTrainerMessage(line: string): TrainerMessage | undefined {
  const value = parseObjectWithType(line);
  return value === undefined ? undefined : parseTrainerMessageValue(value);
}

/** A stdin line as a control message, or undefined when it is not one. */
export function parseControlMessage(line: string): ControlMessage | undefined {
  const value = parseObjectWithType(line);
  return value?.type === 'cancel' ? { type: 'cancel' } : undefined;
}
