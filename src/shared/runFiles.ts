/**
 * What a run folder holds on disk, written by the trainer and read by the extension's trees:
 *
 *   <runDir>/run.json                      RunRecord: settings, data, backend, status
 *   <runDir>/history.json                  HistoryFile: every finished epoch (rewritten atomically)
 *   <runDir>/best.json                     CheckpointMetadata of the best checkpoint (atomic pointer)
 *   <runDir>/checkpoints/epoch-NNNN/       model.json + weights.bin (tfjs layers format) + metadata.json
 *   <runDir>/augmentation/                 augmented versions of one training image (PNG)
 *   <runDir>/evaluation.json               the last EvaluationMessage for the best checkpoint
 *   <runDir>/resume-state.bin              weights + optimizer state after the last finished epoch
 *   <runDir>/trainer.lock                  while a trainer works in the folder: its pid and host
 *   <runDir>/progress.json                 ProgressFile: the last batch (rewritten atomically, at most every 2 s)
 *
 * A checkpoint folder is written under a temporary name and renamed when complete; best.json is
 * replaced only after that, so at every moment it names a complete checkpoint.
 */
import { BACKEND_NAMES } from './backends';
import { trainSettingsSchema } from './recipes';
import { array, count, extend, literal, metric, nullable, object, oneOf, optional, record, refine, string, type Infer } from './schema';
import { batchProgressSchema, DONE_STATUSES, epochLogsSchema, evaluationFileSchema, historyEntrySchema, type EpochLogs } from './trainerProtocol';

export type { HistoryEntry } from './trainerProtocol';

export const RUN_FILE = 'run.json';
export const HISTORY_FILE = 'history.json';
export const BEST_FILE = 'best.json';
export const CHECKPOINTS_DIR = 'checkpoints';
export const AUGMENTATION_DIR = 'augmentation';
export const EVALUATION_FILE = 'evaluation.json';
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const CHECKPOINT_METADATA_FILE = 'metadata.json';
export const RESUME_STATE_FILE = 'resume-state.bin';
export const LOCK_FILE = 'trainer.lock';
export const PROGRESS_FILE = 'progress.json';

export const RUN_STATUSES = ['running', ...DONE_STATUSES] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const CHECKPOINT_PATH = new RegExp(`^${CHECKPOINTS_DIR}/[A-Za-z0-9][A-Za-z0-9_-]*$`);

/**
 * True for a CheckpointMetadata `checkpoint` that names a folder directly under checkpoints/ (as the trainer
 * writes it: `checkpoints/epoch-0003`): never an absolute path, `..`, or a hidden (temporary) folder.
 */
export function isCheckpointPath(value: unknown): value is string {
  return typeof value === 'string' && CHECKPOINT_PATH.test(value);
}

export const runRecordSchema = object({
  version: literal(1),
  runId: string(),
  settings: trainSettingsSchema,
  classes: array(string()),
  /** The prepared subsets folder (holds train/, validation/, test/). */
  dataDir: string(),
  manifestId: nullable(string()),
  backend: oneOf(BACKEND_NAMES),
  startedAt: string(),
  finishedAt: nullable(string()),
  status: oneOf(RUN_STATUSES),
  /** Why the run ended early, for a person. */
  message: nullable(string()),
  skippedFiles: count(),
  /** Each time the run was resumed: when, after which finished epoch, and how when its resume state was lost. */
  resumes: optional(array(object({ at: string(), fromEpoch: count(), note: optional(string()) }))),
  /** Images the run trains and validates on (absent in runs of older versions). */
  trainCount: optional(count()),
  validationCount: optional(count()),
  /** What runs the maths, as `run-started.engine` says it (e.g. "WebGPU: NVIDIA H100 80GB HBM3 (Vulkan)"). */
  engine: optional(string()),
});
export type RunRecord = Infer<typeof runRecordSchema>;

export const historyFileSchema = object({
  version: literal(1),
  /** Keras' History.history shape: one array per metric, index = epoch - 1. */
  history: record(array(metric()), ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const satisfies readonly (keyof EpochLogs)[]),
  epochs: array(historyEntrySchema),
});
export type HistoryFile = Infer<typeof historyFileSchema>;

/**
 * progress.json: where the epoch in progress is, for a window that follows a trainer it did not start (its
 * stdout goes to nobody). Advisory: written at most every 2 s and after the last batch of every epoch, never
 * read by the trainer. Same fields as the `batch-end` message.
 */
export const progressFileSchema = refine(
  extend(batchProgressSchema, {
    version: literal(1),
    runId: string(),
    /** The planned total of epochs. */
    epochs: count(1),
    /** ISO time of the write. */
    updatedAt: string(),
  }),
  'an epoch within its run and a batch within its epoch',
  (p) => p.epoch <= p.epochs && p.batch <= p.batches,
);
export type ProgressFile = Infer<typeof progressFileSchema>;

/** trainer.lock: which process trains in the run folder. */
export const trainerLockSchema = object({ pid: count(1), host: string(), since: optional(string()) });
/** A lock's owner as readers use it: `since` is '' for a lock written without one (older versions). */
export type TrainerLockOwner = Required<Infer<typeof trainerLockSchema>>;

/** trainer.lock's content, or null when it is not a lock (torn write, other file). */
export function parseLockOwner(text: string): TrainerLockOwner | null {
  try {
    const parsed = trainerLockSchema.parse(JSON.parse(text), '');
    return parsed.ok ? { pid: parsed.value.pid, host: parsed.value.host, since: parsed.value.since ?? '' } : null;
  } catch {
    return null;
  }
}

export const checkpointMetadataSchema = object({
  version: literal(1),
  runId: string(),
  /** Folder name under checkpoints/, relative to the run folder. */
  checkpoint: refine(string(), `a folder under ${CHECKPOINTS_DIR}/ (e.g. "${CHECKPOINTS_DIR}/epoch-0003")`, isCheckpointPath),
  epoch: count(1),
  monitor: literal('val_loss'),
  logs: epochLogsSchema,
  recipe: trainSettingsSchema.shape.recipe,
  settings: trainSettingsSchema,
  imageSize: count(1),
  classes: array(string()),
  manifestId: nullable(string()),
  savedAt: string(),
});
export type CheckpointMetadata = Infer<typeof checkpointMetadataSchema>;

export { evaluationFileSchema };
export type EvaluationFile = Infer<typeof evaluationFileSchema>;
