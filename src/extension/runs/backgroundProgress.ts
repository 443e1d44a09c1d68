/**
 * Follows the batch progress of runs training in the background (no trainer of this window runs them, so no
 * stdout reaches us) through their progress.json, which the trainer rewrites at most every 2 s. The work
 * folder watcher ignores that file (views/watchedFiles.ts), so that a run does not refresh every tree every
 * 2 s; this poller reads it instead, and only while there is a background run to follow. No `vscode`.
 */
import * as path from 'node:path';
import { PROGRESS_FILE, progressFileSchema, type ProgressFile } from '../../shared/runFiles';
import { parse } from '../../shared/schema';
import type { BatchEndMessage } from '../../shared/trainerProtocol';
import type { Disposable } from '../util/disposable';
import { readJsonFile } from '../util/readJson';
import { displayStatus } from './runPresentation';
import type { RunOnDisk } from './runStore';

export const PROGRESS_POLL_MS = 2000;

/** A run to follow: its folder, the runId its progress.json must carry, and the epochs history.json holds. */
export interface ProgressTarget {
  runDir: string;
  runId: string;
  epochsDone: number;
}

export interface BackgroundProgressUpdate {
  runDir: string;
  progress: ProgressFile;
}

export interface BackgroundProgressOptions {
  onProgress: (update: BackgroundProgressUpdate) => void;
  intervalMs?: number;
}

/** The runs of a listing that train in the background (not in this window), as targets. */
export function backgroundTargets(runs: readonly RunOnDisk[], isActiveHere: (runDir: string) => boolean): ProgressTarget[] {
  return runs
    .filter((run) => displayStatus(run, isActiveHere(run.runDir)) === 'background')
    .map((run) => ({ runDir: run.runDir, runId: run.record.runId, epochsDone: run.history?.epochs.length ?? 0 }));
}

/** The `batch-end` message a trainer would have sent for this progress.json. */
export function batchEndOfProgress(progress: ProgressFile): BatchEndMessage {
  const { epoch, batch, batches, loss, accuracy, msPerStep } = progress;
  return { type: 'batch-end', epoch, batch, batches, loss, accuracy, msPerStep };
}

/**
 * progress.json of `target` when it says something new: same run (a resumed or a reused folder may hold an
 * older trainer's file), an epoch history.json does not hold yet (otherwise it is the end of a finished
 * epoch), and not what was reported last (`lastSeen`, its updatedAt and position).
 */
export function newProgress(target: ProgressTarget, value: unknown, lastSeen: string | undefined): ProgressFile | null {
  const progress = parse(progressFileSchema, value);
  if (progress === undefined || progress.runId !== target.runId || progress.epoch <= target.epochsDone) return null;
  return seenKey(progress) === lastSeen ? null : progress;
}

function seenKey(progress: ProgressFile): string {
  return `${progress.updatedAt} ${progress.epoch}/${progress.batch}`;
}

export class BackgroundProgress implements Disposable {
  private targets: ProgressTarget[] = [];
  /** What was last reported, by run folder. */
  private readonly lastSeen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private disposed = false;

  constructor(private readonly options: BackgroundProgressOptions) {}

  /** The runs to follow now (after the run folders were read again); an empty list stops the polling. */
  follow(targets: readonly ProgressTarget[]): void {
    if (this.disposed) return;
    this.targets = targets.map((t) => ({ ...t, runDir: path.resolve(t.runDir) }));
    const followed = new Set(this.targets.map((t) => t.runDir));
    for (const runDir of [...this.lastSeen.keys()]) if (!followed.has(runDir)) this.lastSeen.delete(runDir);
    if (this.targets.length === 0) this.stop();
    // A run to follow appeared: read its progress at once (a reloaded window shows it without waiting).
    else if (this.timer === undefined) this.schedule(0);
  }

  /** Reads each followed run's progress.json once and reports what changed. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const target of this.targets) {
        const value = await readJsonFile(path.join(target.runDir, PROGRESS_FILE));
        const progress = newProgress(target, value, this.lastSeen.get(target.runDir));
        // follow() may have dropped the run while the file was read.
        if (progress === null || this.disposed || !this.targets.includes(target)) continue;
        this.lastSeen.set(target.runDir, seenKey(progress));
        this.options.onProgress({ runDir: target.runDir, progress });
      }
    } finally {
      this.polling = false;
    }
  }

  /** Whether a next reading is scheduled (false with no run to follow, and once disposed). */
  get isScheduled(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    this.targets = [];
    this.lastSeen.clear();
  }

  /** One poll after the delay, then the next after the interval: polls never overlap, however slow the disk. */
  private schedule(delayMs = this.options.intervalMs ?? PROGRESS_POLL_MS): void {
    const handle = setTimeout(() => {
      void this.poll().finally(() => {
        // Not if stopped meanwhile, nor if stopped and started again (that start scheduled its own).
        if (this.timer === handle && !this.disposed) this.schedule();
      });
    }, delayMs);
    this.timer = handle;
  }

  private stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
