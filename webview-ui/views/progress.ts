/**
 * "Epoch N of M", a bar for the batches of the current epoch, the running loss and accuracy (means over
 * the epoch so far, as Keras prints them) and the time left.
 */
import type { RunPhase } from '../../src/shared/webviewProtocol';
import { h } from '../dom';
import { estimateEta } from '../eta';
import { formatDuration, formatInt, formatLoss, formatPercent } from '../format';
import type { PanelState } from '../panelState';
import type { EpochPoint, LiveBatch } from '../runView';
import { epochsTotal, focusedRun, isRunning } from '../selectors';

export interface ProgressInput {
  phase: RunPhase | null;
  running: boolean;
  batch: LiveBatch | null;
  history: EpochPoint[];
  epochs: number | null;
  started: boolean;
  prepare: { copied: number; total: number } | null;
}

export function selectProgress(state: PanelState): ProgressInput | null {
  const run = focusedRun(state);
  if (!run) return null;
  const started = run.runId !== null || run.history.length > 0;
  if (!started && !isRunning(run)) return null;
  return { phase: run.phase, running: isRunning(run), batch: run.batch, history: run.history, epochs: epochsTotal(run), started, prepare: run.prepare };
}

function currentEpoch(input: ProgressInput): number {
  const finished = input.history.length > 0 ? input.history[input.history.length - 1].epoch : 0;
  if (input.running && input.batch) return Math.max(input.batch.epoch, finished);
  return finished;
}

function epochCounter(input: ProgressInput): string {
  const epoch = currentEpoch(input);
  if (epoch === 0) {
    if (!input.running) return 'No epoch finished';
    if (input.started) return 'Starting epoch 1…';
    const p = input.prepare;
    return p && p.copied < p.total ? `Preparing data: ${formatInt(p.copied)} of ${formatInt(p.total)} images copied` : 'Loading images…';
  }
  return `Epoch ${epoch} of ${input.epochs ?? '?'}`;
}

function bar(input: ProgressInput): HTMLElement | null {
  if (!input.running) return null;
  const el = h('vscode-progress-bar', { class: 'epoch-bar', attrs: { 'aria-label': 'Batches of the current epoch', 'data-testid': 'batch-bar' } });
  const batch = input.batch;
  if (batch) {
    el.max = batch.batches;
    el.value = batch.batch;
  } else if (!input.started && input.prepare && input.prepare.copied < input.prepare.total) {
    el.max = input.prepare.total;
    el.value = input.prepare.copied;
  }
  return el;
}

function liveLine(input: ProgressInput): HTMLElement | null {
  const batch = input.batch;
  if (!input.running || !batch) return null;
  const validating = batch.batch >= batch.batches && !input.history.some((p) => p.epoch === batch.epoch);
  const eta = estimateEta({ batch, history: input.history, epochs: input.epochs });
  return h(
    'div',
    { class: 'live-line' },
    h('span', { attrs: { 'data-testid': 'batch-count' } }, validating ? 'Validating…' : `Batch ${batch.batch} of ${batch.batches}`),
    h('span', {}, `loss ${formatLoss(batch.loss)}`),
    h('span', {}, `accuracy ${formatPercent(batch.accuracy)}`),
    h('span', { class: 'muted' }, `${Math.round(batch.msPerStep)} ms/step`),
    eta
      ? h('span', { class: 'eta', attrs: { 'data-testid': 'eta', title: eta.includesValidation ? '' : 'Validation time is not known before the first epoch ends' } },
          `about ${formatDuration(eta.seconds)} left${eta.includesValidation ? '' : ' + validation'}`)
      : null,
  );
}

function finishedLine(input: ProgressInput): HTMLElement | null {
  if (input.running || input.history.length === 0) return null;
  const total = input.history.reduce((sum, p) => sum + p.seconds, 0);
  const each = total / input.history.length;
  const what = input.phase === 'completed' ? 'Trained' : 'Ran';
  return h('div', { class: 'live-line muted' }, `${what} ${input.history.length} epoch${input.history.length === 1 ? '' : 's'} in ${formatDuration(total)} (${each.toFixed(1)} s per epoch)`);
}

export function renderProgress(input: ProgressInput): HTMLElement[] {
  return [
    h('div', { class: 'progress-head' }, h('span', { class: 'epoch-counter', attrs: { 'data-testid': 'epoch-counter', role: 'status' } }, epochCounter(input))),
    bar(input),
    liveLine(input),
    finishedLine(input),
  ].filter((el): el is HTMLElement => el !== null);
}
