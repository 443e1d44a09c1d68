/** The status bar item's text while a run trains: "$(pulse) Epoch 3/30 · val_acc 0.71". Pure. */
import type { ProgressFile } from '../../shared/runFiles';
import type { BatchEndMessage, EpochEndMessage } from '../../shared/trainerProtocol';
import type { RunPhase } from '../../shared/webviewProtocol';
import { displayStatus } from '../runs/runPresentation';
import type { RunOnDisk } from '../runs/runStore';
import { formatAccuracy, formatMetric } from '../util/format';

export interface RunProgress {
  phase: RunPhase;
  epochs: number;
  lastEpoch: EpochEndMessage | null;
  lastBatch: BatchEndMessage | null;
  dataLabel: string;
  /** What runs the maths, from run-started (e.g. "WebGPU: NVIDIA H100 80GB HBM3 (Vulkan)"); null before it. */
  engine: string | null;
}

export interface StatusText {
  text: string;
  tooltip: string;
}

/** The epoch in progress (1-based), never above the planned epochs. */
export function currentEpoch(progress: Pick<RunProgress, 'epochs' | 'lastEpoch' | 'lastBatch'>): number {
  const ended = progress.lastEpoch?.epoch ?? 0;
  const inBatch = progress.lastBatch?.epoch ?? 0;
  return Math.min(progress.epochs, Math.max(inBatch, ended + 1));
}

/** Where a background run's epoch is, from its progress.json (backgroundProgress.ts). */
export type BackgroundBatch = Pick<ProgressFile, 'runId' | 'epoch' | 'batch' | 'batches'>;

/**
 * A run no trainer of this window runs, followed through its run folder: "$(sync~spin) Epoch 4/30 (background)".
 * The epoch is progress.json's when it is one history.json does not hold yet (else the one after the last finished).
 */
export function backgroundStatusText(options: { runId: string; epochsDone: number; epochs: number; pid: number; batch?: BackgroundBatch | null }): StatusText {
  const batch = options.batch?.runId === options.runId && options.batch.epoch > options.epochsDone ? options.batch : null;
  const epoch = Math.min(options.epochs, batch?.epoch ?? options.epochsDone + 1);
  const inEpoch = batch !== null ? `, batch ${batch.batch} of ${batch.batches}` : '';
  return {
    text: `$(sync~spin) Epoch ${epoch}/${options.epochs} (background)`,
    tooltip: `Small Convnet: ${options.runId} trains in the background (pid ${options.pid}: another window, or left running by a reload), epoch ${epoch} of ${options.epochs}${inEpoch}. Click to show the training panel.`,
  };
}

/**
 * The newest run (listed newest first) that trains in the background, as status text, with its batch progress
 * when `batches` (by run folder) has some. A run this window trains is not "background", although its
 * trainer.lock names a live trainer too (its own child): otherwise its last reading would show up as
 * "(background)" the moment it ends.
 */
export function backgroundRunStatus(
  runs: readonly RunOnDisk[],
  isActiveHere: (runDir: string) => boolean,
  batches: ReadonlyMap<string, BackgroundBatch> = new Map(),
): StatusText | null {
  const run = runs.find((r) => displayStatus(r, isActiveHere(r.runDir)) === 'background');
  if (run === undefined || run.trainer === null) return null;
  return backgroundStatusText({
    runId: run.record.runId,
    epochsDone: run.history?.epochs.length ?? 0,
    epochs: run.record.settings.epochs,
    pid: run.trainer.pid,
    batch: batches.get(run.runDir) ?? null,
  });
}

export function trainingStatusText(progress: RunProgress): StatusText {
  const click = 'Click to show the training panel.';
  if (progress.phase === 'preparing') {
    return { text: '$(sync~spin) Small Convnet: loading data…', tooltip: `Small Convnet: loading ${progress.dataLabel}. ${click}` };
  }
  if (progress.phase === 'stopping') {
    return { text: '$(debug-stop) Small Convnet: stopping…', tooltip: `Small Convnet stops after the current batch. ${click}` };
  }
  const epoch = currentEpoch(progress);
  const last = progress.lastEpoch;
  const batch = progress.lastBatch;
  const detail =
    last !== null
      ? `val_acc ${formatAccuracy(last.logs.val_accuracy)}`
      : batch !== null
        ? `batch ${batch.batch}/${batch.batches}`
        : 'starting';
  const tooltipLines = [`Small Convnet: training on ${progress.dataLabel}, epoch ${epoch} of ${progress.epochs}.`];
  if (last !== null) {
    tooltipLines.push(
      `Epoch ${last.epoch}: loss ${formatMetric(last.logs.loss)} · acc ${formatAccuracy(last.logs.accuracy)} · val_loss ${formatMetric(last.logs.val_loss)} · val_acc ${formatAccuracy(last.logs.val_accuracy)}`,
    );
  }
  if (batch !== null) tooltipLines.push(`Batch ${batch.batch}/${batch.batches}, ${Math.round(batch.msPerStep)} ms per step.`);
  if (progress.engine !== null) tooltipLines.push(`Backend: ${progress.engine}`);
  tooltipLines.push(click);
  return { text: `$(pulse) Epoch ${epoch}/${progress.epochs} · ${detail}`, tooltip: tooltipLines.join('\n') };
}
