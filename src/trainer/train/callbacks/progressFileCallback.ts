/**
 * Keeps the run folder's progress.json at the last batch, so a window that did not start this trainer (it was
 * reloaded, or is another window) can show the epoch's progress between two history.json writes. Throttled:
 * a write costs an fsync, and a window polls it every ~2 s anyway. Advisory: a failed write never stops
 * training (history, checkpoints and the resume state are what matter); it is logged once.
 */
import { join } from 'node:path';
import { PROGRESS_FILE, type ProgressFile } from '../../../shared/runFiles';
import { writeJsonAtomic } from '../../util/atomicWrite';
import { describeError } from '../../util/errors';
import type { BatchEndEvent } from './trainingCallback';
import type { TrainingCallback } from './trainingCallback';

/** Seconds between two writes inside an epoch: about as often as a window looks. */
export const PROGRESS_INTERVAL_MS = 2000;

export interface ProgressFileOptions {
  runDir: string;
  runId: string;
  epochs: number;
  /** A log line (stderr); only the first failed write says something. */
  log: (line: string) => void;
  intervalMs?: number;
  /** Milliseconds since the epoch (Date.now); tests pass their own clock. */
  now?: () => number;
}

export class ProgressFileCallback implements TrainingCallback {
  readonly name = 'progress-file';
  private lastWriteMs: number | null = null;
  private failed = false;

  constructor(private readonly options: ProgressFileOptions) {}

  get file(): string {
    return join(this.options.runDir, PROGRESS_FILE);
  }

  /** After every batch: writes when the interval has passed since the last write, and always after an epoch's last batch. */
  onBatchEnd(event: BatchEndEvent): void {
    const nowMs = (this.options.now ?? Date.now)();
    const intervalMs = this.options.intervalMs ?? PROGRESS_INTERVAL_MS;
    const due = this.lastWriteMs === null || nowMs - this.lastWriteMs >= intervalMs || event.batch >= event.batches;
    if (!due) return;
    // Counted as written even when the write fails: a failing disk is not retried on every batch.
    this.lastWriteMs = nowMs;
    const content: ProgressFile = {
      version: 1,
      runId: this.options.runId,
      epoch: event.epoch,
      epochs: this.options.epochs,
      batch: event.batch,
      batches: event.batches,
      loss: event.loss,
      accuracy: event.accuracy,
      msPerStep: event.msPerStep,
      updatedAt: new Date(nowMs).toISOString(),
    };
    try {
      writeJsonAtomic(this.file, content);
    } catch (error) {
      if (this.failed) return;
      this.failed = true;
      this.options.log(`Could not write ${PROGRESS_FILE} (batch progress for other windows; training goes on): ${describeError(error)}`);
    }
  }
}
