/**
 * The trainer's stdio protocol: one JSON object per line, discriminated on a string `type`.
 * stdout carries TrainerMessage lines only (logs go to stderr); stdin carries ControlMessage lines.
 * Imported by the trainer (writer) and by the extension host and webview (readers). See docs/protocol.md.
 */
import { BACKEND_NAMES } from './backends';
import { trainSettingsSchema } from './recipes';
import { ERROR_CODES } from './trainerErrors';
import { EXPORT_FORMAT_IDS } from './exportFormats';
import { array, boolean, count, extend, isPlainObject, literal, metric, nullable, number, object, oneOf, optional, parse, record, string, tagged, type Infer } from './schema';

export const PROTOCOL_VERSION = 1;

export const SUBSET_NAMES = ['train', 'validation', 'test'] as const;
export type SubsetName = (typeof SUBSET_NAMES)[number];
export type { BackendName } from './backends';
export const COMMAND_NAMES = ['prepare', 'train', 'resume', 'evaluate', 'predict', 'preview', 'export', 'explain', 'activations'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
export const DONE_STATUSES = ['completed', 'cancelled', 'failed'] as const;
export type DoneStatus = (typeof DONE_STATUSES)[number];
export type { ErrorCode } from './trainerErrors';

/**
 * Per-epoch metrics, named as Keras names them in `History.history` and `on_epoch_end(logs)`. A metric may be
 * NaN (a diverged run): JSON writes it as null and parsing turns that back into NaN (schema.ts `metric()`).
 */
export const epochLogsSchema = object({ loss: metric(), accuracy: metric(), val_loss: metric(), val_accuracy: metric() });
export type EpochLogs = Infer<typeof epochLogsSchema>;

/** One finished epoch as history.json keeps it. */
export const historyEntrySchema = extend(epochLogsSchema, { epoch: count(1), seconds: number() });
export type HistoryEntry = Infer<typeof historyEntrySchema>;

const skippedFileSchema = object({ file: string(), reason: string() });
export type SkippedFile = Infer<typeof skippedFileSchema>;

export const layerSummarySchema = object({
  name: string(),
  className: string(),
  /** Output shape without the batch dimension. */
  outputShape: array(number()),
  params: count(),
});
export type LayerSummary = Infer<typeof layerSummarySchema>;

const wrongPredictionSchema = object({ file: string(), label: string(), predicted: string(), confidence: number() });
export type WrongPrediction = Infer<typeof wrongPredictionSchema>;

const backendNameSchema = oneOf(BACKEND_NAMES);
const commandNameSchema = oneOf(COMMAND_NAMES);

// ---- trainer -> host -------------------------------------------------------------------------

/**
 * Where an epoch is: its last finished batch (1-based) of `batches`, and running means over the epoch so far
 * (the `batch-end` message; progress.json adds the run's id and total).
 */
export const batchProgressSchema = object({ epoch: count(1), batch: count(1), batches: count(1), loss: metric(), accuracy: metric(), msPerStep: number() });
/** Where an epoch is after a batch: running means over the epoch so far, and the mean time per step. */
export type BatchProgress = Infer<typeof batchProgressSchema>;

/** The `evaluation` message's fields; evaluation.json holds the same object. */
const evaluationFields = {
  checkpointDir: string(),
  dataDir: string(),
  classes: array(string()),
  count: count(),
  loss: metric(),
  accuracy: metric(),
  /** confusion[trueClass][predictedClass] = count. */
  confusion: array(array(count())),
  perClassAccuracy: array(metric()),
  mostConfidentlyWrong: array(wrongPredictionSchema),
  skipped: array(skippedFileSchema),
};

/** Every trainer -> host message, one variant per `type`. */
export const trainerMessageSchema = tagged('type', {
  /** First line of every command. */
  hello: object({ protocolVersion: number(), trainerVersion: string(), command: commandNameSchema, pid: count() }),
  /** Which backend runs the maths, and why each faster one was not taken. */
  backend: object({ backend: backendNameSchema, detail: string(), skipped: array(object({ backend: backendNameSchema, reason: string() })) }),
  'prepare-progress': object({ copied: count(), total: count() }),
  prepared: object({
    outDir: string(),
    manifestId: string(),
    classes: array(string()),
    counts: record(count(), SUBSET_NAMES),
    copied: count(),
    unchanged: boolean(),
    skipped: array(skippedFileSchema),
    warnings: array(string()),
  }),
  /** A subset was decoded into memory ("Found 2000 files belonging to 2 classes."). */
  'dataset-loaded': object({ subset: oneOf(SUBSET_NAMES), dir: string(), count: count(), classes: array(string()), skipped: array(skippedFileSchema), seconds: number() }),
  'model-summary': object({ recipe: trainSettingsSchema.shape.recipe, imageSize: count(1), layers: array(layerSummarySchema), totalParams: count(), trainableParams: count() }),
  'run-started': object({
    runId: string(),
    runDir: string(),
    settings: trainSettingsSchema,
    classes: array(string()),
    trainCount: count(),
    validationCount: count(),
    stepsPerEpoch: count(),
    manifestId: nullable(string()),
    /** Where the steps run, e.g. "WebAssembly (XNNPACK, SIMD) ..., 2 worker threads". */
    engine: string(),
    /** Set when this run continues an interrupted one: the epochs it had finished (their charts' points). */
    resumedFrom: optional(object({ epoch: count(), history: array(historyEntrySchema) })),
    /** Files left out of this run's data (not images, unreadable, undecodable), each named in a `warning`. */
    skippedFiles: optional(count()),
  }),
  'augmentation-preview': object({ source: string(), files: array(string()), gridFile: nullable(string()) }),
  /** After every training batch: running means over the epoch so far, like Keras' progress bar. */
  'batch-end': batchProgressSchema,
  /** One per finished epoch, with only that epoch's numbers. Epochs count from 1. */
  'epoch-end': object({ epoch: count(1), epochs: count(1), logs: epochLogsSchema, seconds: number() }),
  'checkpoint-saved': object({ epoch: count(1), dir: string(), monitor: literal('val_loss'), value: metric(), previous: nullable(metric()) }),
  evaluation: object(evaluationFields),
  prediction: object({ file: string(), classes: array(string()), probabilities: array(metric()), predicted: string() }),
  /**
   * `explain`, per image: the prediction and the Grad-CAM heatmap of the last conv layer for the `explained` class,
   * [rows][columns] of that layer's grid, 0..1; `overlayFile`: the image with it blended in (PNG).
   */
  explanation: object({
    file: string(),
    classes: array(string()),
    probabilities: array(metric()),
    predicted: string(),
    explained: string(),
    heatmap: array(array(number({ min: 0, max: 1 }))),
    overlayFile: string(),
  }),
  /** `activations`: a grid PNG of the first channels of each conv and pooling layer's output for one image. */
  activations: object({
    file: string(),
    layers: array(object({ name: string(), kind: string(), shape: array(count()), channels: count(), file: string() })),
  }),
  /** `export` wrote the model: `path` is the file (keras, h5, onnx) or folder (tfjs); `files` all it wrote. */
  exported: object({
    format: oneOf(EXPORT_FORMAT_IDS),
    path: string(),
    files: array(string()),
    checkpoint: string(),
    epoch: count(1),
    classes: array(string()),
    imageSize: count(1),
  }),
  warning: object({ message: string(), file: optional(string()) }),
  /** `code`: a UserError code, `diverged`, or `internal` for a bug. */
  error: object({ code: oneOf(ERROR_CODES), message: string() }),
  /** Last line of every command. */
  done: object({
    command: commandNameSchema,
    status: oneOf(DONE_STATUSES),
    exitCode: number({ integer: true }),
    runDir: optional(string()),
    bestCheckpointDir: optional(nullable(string())),
    historyFile: optional(string()),
    /** Files the command left out (not images, unreadable, undecodable); each was named in a `warning`. */
    skippedFiles: optional(count()),
    seconds: number(),
  }),
});

export type TrainerMessage = Infer<typeof trainerMessageSchema>;
export type TrainerMessageType = TrainerMessage['type'];
type MessageOf<T extends TrainerMessageType> = Extract<TrainerMessage, { type: T }>;

export type HelloMessage = MessageOf<'hello'>;
export type BackendMessage = MessageOf<'backend'>;
export type PrepareProgressMessage = MessageOf<'prepare-progress'>;
export type PreparedMessage = MessageOf<'prepared'>;
export type DatasetLoadedMessage = MessageOf<'dataset-loaded'>;
export type ModelSummaryMessage = MessageOf<'model-summary'>;
export type RunStartedMessage = MessageOf<'run-started'>;
export type AugmentationPreviewMessage = MessageOf<'augmentation-preview'>;
export type BatchEndMessage = MessageOf<'batch-end'>;
export type EpochEndMessage = MessageOf<'epoch-end'>;
export type CheckpointSavedMessage = MessageOf<'checkpoint-saved'>;
export type EvaluationMessage = MessageOf<'evaluation'>;
export type PredictionMessage = MessageOf<'prediction'>;
export type ExportedMessage = MessageOf<'exported'>;
export type ExplanationMessage = MessageOf<'explanation'>;
export type ActivationsMessage = MessageOf<'activations'>;
export type WarningMessage = MessageOf<'warning'>;
export type ErrorMessage = MessageOf<'error'>;
export type DoneMessage = MessageOf<'done'>;

/** evaluation.json: the last `evaluation` message for the run's best checkpoint. */
export const evaluationFileSchema = extend(object({ type: literal('evaluation') }), evaluationFields);

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

function parseJsonLine(line: string): unknown {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

/** An untyped value (parsed JSON) as a trainer message, or undefined when its type is unknown or a field is missing or wrong. */
export function parseTrainerMessageValue(value: unknown): TrainerMessage | undefined {
  return parse(trainerMessageSchema, value);
}

/** A trainer stdout line as a message, or undefined when it is not one (log it, do not act on it). */
export function parseTrainerMessage(line: string): TrainerMessage | undefined {
  return parseTrainerMessageValue(parseJsonLine(line));
}

/** A stdin line as a control message, or undefined when it is not one. */
export function parseControlMessage(line: string): ControlMessage | undefined {
  const value = parseJsonLine(line);
  return isPlainObject(value) && value.type === 'cancel' ? { type: 'cancel' } : undefined;
}
