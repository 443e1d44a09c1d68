/**
 * How a run and its best checkpoint read in the Checkpoints view: labels, descriptions, tooltips, icons and
 * context values, as plain data (views/checkpointsTree.ts maps them to TreeItems). Pure.
 */
import * as path from 'node:path';
import { RECIPES } from '../../shared/recipes';
import { inEditorWords } from '../../shared/settingWords';
import { CONTEXT_VALUES } from '../ids';
import { formatAccuracy, formatMetric, formatPercent } from '../util/format';
import { bestCheckpointDir, isResumable, type RunOnDisk } from './runStore';

/** What the view shows: run.json's status, except that a "running" run this window does not own is either
 * "background" (its trainer.lock names a live process: another window's, or one left running by a reload)
 * or "interrupted" (its trainer was killed or crashed). */
export type DisplayStatus = 'training' | 'background' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

export function displayStatus(run: RunOnDisk, isActiveHere: boolean): DisplayStatus {
  if (isActiveHere) return 'training';
  if (run.record.status !== 'running') return run.record.status;
  return run.trainer?.alive === true ? 'background' : 'interrupted';
}

/** Codicon ids and theme colour ids, by status. */
export const STATUS_ICONS: Record<DisplayStatus, { id: string; color: string | null }> = {
  training: { id: 'sync~spin', color: null },
  background: { id: 'sync~spin', color: null },
  completed: { id: 'pass', color: 'testing.iconPassed' },
  cancelled: { id: 'circle-slash', color: null },
  failed: { id: 'error', color: 'testing.iconFailed' },
  interrupted: { id: 'warning', color: 'list.warningForeground' },
};

const STATUS_WORDS: Record<DisplayStatus, string> = {
  training: 'training now',
  background: 'training in the background (another window, or left running by a reload)',
  completed: 'completed',
  cancelled: 'stopped',
  failed: 'failed',
  interrupted: 'interrupted (its trainer was killed or crashed): resume it from the context menu',
};

const SHORT_STATUS_WORDS: Record<DisplayStatus, string> = {
  training: 'training',
  background: 'training',
  completed: 'completed',
  cancelled: 'stopped',
  failed: 'failed',
  interrupted: 'interrupted',
};

export interface TreeItemSpec {
  id: string;
  label: string;
  description: string;
  /** Markdown. */
  tooltip: string;
  icon: { id: string; color: string | null };
  contextValue: string;
  collapsible: boolean;
  /** The folder the item stands for (run folder or checkpoint folder). */
  path: string;
}

/**
 * "val_acc 0.72 · val_loss 0.561 · epoch 7" (the best checkpoint's), or why there is no checkpoint. The metrics
 * come first: at the default sidebar width, after the run's name, the end of a description is cut off.
 */
export function runDescription(run: RunOnDisk, status: DisplayStatus): string {
  if (run.best === null) return status === 'training' || status === 'background' ? 'training · no checkpoint yet' : `${SHORT_STATUS_WORDS[status]} · no checkpoint`;
  const { epoch, logs } = run.best;
  const best = `val_acc ${formatAccuracy(logs.val_accuracy)} · val_loss ${formatMetric(logs.val_loss)} · epoch ${epoch}`;
  return status === 'completed' ? best : `${best} · ${SHORT_STATUS_WORDS[status]}`;
}

function markdownEscape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function runTooltip(run: RunOnDisk, status: DisplayStatus): string {
  const { record, history, best, evaluation } = run;
  const { settings } = record;
  const lines = [
    `**${markdownEscape(record.runId)}** — ${markdownEscape(RECIPES[settings.recipe].title)}`,
    '',
    `Status: ${STATUS_WORDS[status]}${record.message ? ` — ${markdownEscape(inEditorWords(record.message))}` : ''}`,
    `Settings: ${settings.epochs} epochs · ${settings.imageSize} px · batch ${settings.batchSize} · lr ${settings.learningRate} · seed ${settings.seed}`,
    `Classes: ${markdownEscape(record.classes.join(', '))} · backend ${record.backend}`,
    `Data: ${markdownEscape(record.dataDir)}`,
    `Epochs done: ${history?.epochs.length ?? 0} of ${settings.epochs}`,
  ];
  const last = history?.epochs.at(-1);
  if (last !== undefined) {
    lines.push(
      `Last epoch ${last.epoch}: loss ${formatMetric(last.loss)} · acc ${formatAccuracy(last.accuracy)} · val_loss ${formatMetric(last.val_loss)} · val_acc ${formatAccuracy(last.val_accuracy)}`,
    );
  }
  if (best !== null) lines.push(`Best (lowest val_loss): epoch ${best.epoch}, val_loss ${formatMetric(best.logs.val_loss)}, val_acc ${formatAccuracy(best.logs.val_accuracy)}`);
  if (evaluation !== null) lines.push(`Test set: accuracy ${formatPercent(evaluation.accuracy)} · loss ${formatMetric(evaluation.loss)} (${evaluation.count} images)`);
  lines.push(`Started ${record.startedAt}${record.finishedAt ? ` · finished ${record.finishedAt}` : ''}`);
  return lines.join('  \n');
}

function runContextValue(run: RunOnDisk, status: DisplayStatus): string {
  if (status === 'training' || status === 'background') return CONTEXT_VALUES.runTraining;
  return isResumable(run) ? CONTEXT_VALUES.runResumable : CONTEXT_VALUES.run;
}

export function runItemSpec(run: RunOnDisk, isActiveHere: boolean): TreeItemSpec {
  const status = displayStatus(run, isActiveHere);
  return {
    id: `run:${run.runDir}`,
    label: run.record.runId,
    description: runDescription(run, status),
    tooltip: runTooltip(run, status),
    icon: STATUS_ICONS[status],
    contextValue: runContextValue(run, status),
    collapsible: run.best !== null,
    path: run.runDir,
  };
}

/** The run's best checkpoint, or null when none was saved. */
export function checkpointItemSpec(run: RunOnDisk): TreeItemSpec | null {
  const dir = bestCheckpointDir(run);
  if (dir === null || run.best === null) return null;
  const { epoch, logs } = run.best;
  const test = run.evaluation !== null ? ` · test acc ${formatAccuracy(run.evaluation.accuracy)}` : '';
  return {
    id: `checkpoint:${dir}`,
    label: `${path.basename(dir)} (best)`,
    description: `val_loss ${formatMetric(logs.val_loss)} · val_acc ${formatAccuracy(logs.val_accuracy)}${test}`,
    tooltip: [
      `Best checkpoint of **${markdownEscape(run.record.runId)}**: epoch ${epoch}, the lowest val_loss (ModelCheckpoint, save_best_only)`,
      `loss ${formatMetric(logs.loss)} · acc ${formatAccuracy(logs.accuracy)} · val_loss ${formatMetric(logs.val_loss)} · val_acc ${formatAccuracy(logs.val_accuracy)}`,
      `Saved ${run.best.savedAt}`,
      markdownEscape(dir),
    ].join('  \n'),
    icon: { id: 'package', color: null },
    contextValue: CONTEXT_VALUES.checkpoint,
    collapsible: false,
    path: dir,
  };
}

/** One line per run for QuickPicks: label, description, detail. */
export function runPickSpec(run: RunOnDisk): { label: string; description: string; detail: string } {
  const best = run.best;
  return {
    label: run.record.runId,
    description: RECIPES[run.record.settings.recipe].title,
    detail:
      best === null
        ? `no checkpoint · ${run.record.status}`
        : `best epoch ${best.epoch} · val_loss ${formatMetric(best.logs.val_loss)} · val_acc ${formatAccuracy(best.logs.val_accuracy)}` +
          (run.evaluation !== null ? ` · test acc ${formatAccuracy(run.evaluation.accuracy)}` : ''),
  };
}
