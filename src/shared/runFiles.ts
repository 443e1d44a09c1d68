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
import type { RecipeId, TrainSettings } from './recipes';
import type { BackendName, DoneStatus, EpochLogs, HistoryEntry } from './trainerProtocol';

export type { HistoryEntry };

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

export type RunStatus = 'running' | DoneStatus;

/**
 * True for a CheckpointMetadata `checkpoint` that names a folder directly under checkpoints/ (as the trainer
 * writes it: `checkpoints/epoch-0003`): never an absolute path, `..`, or a hidden (temporary) folder.
 */
export function isCheckpointPath(value: unknown): value is string {
  return typeof value === 'string' && new RegExp(`^${CHECKPOINTS_DIR}/[A-Za-z0-9][A-Za-z0-9_-]*$`).test(value);
}

export interface RunRecord {
  version: 1;
  runId: string;
  settings: TrainSettings;
  classes: string[];
  /** The prepared subsets folder (holds train/, validation/, test/). */
  dataDir: string;
  manifestId: string | null;
  backend: BackendName;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  /** Why the run ended early, for a person. */
  message: string | null;
  skippedFiles: number;
  /** Each time the run was resumed: when, and after which finished epoch. */
  resumes?: { at: string; fromEpoch: number }[];
  /** Images the run trains and validates on (absent in runs of older versions). */
  trainCount?: number;
  validationCount?: number;
  /** What runs the maths, as `run-started.engine` says it (e.g. "WebGPU: NVIDIA H100 80GB HBM3 (Vulkan)"). */
  engine?: string;
}

export interface HistoryFile {
  version: 1;
  /** Keras' History.history shape: one array per metric, index = epoch - 1. */
  history: Record<keyof EpochLogs, number[]>;
  epochs: HistoryEntry[];
}

/**
 * progress.json: where the epoch in progress is, for a window that follows a trainer it did not start (its
 * stdout goes to nobody). Advisory: written at most every 2 s and after the last batch of every epoch, never
 * read by the trainer. Same fields as the `batch-end` message.
 */
export interface ProgressFile {
  version: 1;
  runId: string;
  /** The epoch in progress (1-based) and its planned total. */
  epoch: number;
  epochs: number;
  /** The last finished batch of that epoch (1-based) of `batches`. */
  batch: number;
  batches: number;
  /** Running means over the epoch so far (null in the file when NaN, as JSON writes it). */
  loss: number;
  accuracy: number;
  msPerStep: number;
  /** ISO time of the write. */
  updatedAt: string;
}

/** trainer.lock: which process trains in the run folder. */
export interface TrainerLockOwner {
  pid: number;
  host: string;
  since: string;
}

/** trainer.lock's content, or null when it is not a lock (torn write, other file). */
export function parseLockOwner(text: string): TrainerLockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<TrainerLockOwner> | null;
    if (value === null || typeof value !== 'object') return null;
    const { pid, host, since } = value;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof host !== 'string') return null;
    return { pid, host, since: typeof since === 'string' ? since : '' };
  } catch {
    return null;
  }
}

export interface CheckpointMetadata {
  version: 1;
  runId: string;
  /** Folder name under checkpoints/, relative to the run folder. */
  checkpoint: string;
  epoch: number;
  monitor: 'val_loss';
  logs: EpochLogs;
  recipe: RecipeId;
  settings: TrainSettings;
  imageSize: number;
  classes: string[];
  manifestId: string | null;
  savedAt: string;
}
