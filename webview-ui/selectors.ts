/** Derived facts the views need, computed from the state (pure). */
import { RECIPES } from '../src/shared/recipes';
import type { PanelState } from './panelState';
import { bestEpochOf, type RunView } from './runView';

export function focusedRun(state: PanelState): RunView | null {
  return state.focus !== null ? (state.runs[state.focus] ?? null) : null;
}

/** Every run but the focused one, in arrival order, with at least one epoch to draw. */
export function otherRuns(state: PanelState): RunView[] {
  return state.order.filter((k) => k !== state.focus).flatMap((k) => {
    const run = state.runs[k];
    return run && run.history.length > 0 ? [run] : [];
  });
}

/** Whether two runs classify the same classes (a run whose classes are not known yet counts as the same). */
export function sameClasses(a: RunView | null, b: RunView): boolean {
  if (a === null || a.classes.length === 0 || b.classes.length === 0) return true;
  return a.classes.join('\n') === b.classes.join('\n');
}

/**
 * Whether `run` is drawn over the focused run: runs of the same classes are, unless switched off in the legend;
 * runs of other classes (another dataset: their curves mean something else) only when switched on.
 */
export function isOverlaid(state: PanelState, run: RunView): boolean {
  return sameClasses(focusedRun(state), run) ? !state.compare.hidden.includes(run.key) : state.compare.shown.includes(run.key);
}

/** The runs drawn over the focused one (overlay on, each one switched on). */
export function comparedRuns(state: PanelState): RunView[] {
  if (!state.compare.show) return [];
  return otherRuns(state).filter((r) => isOverlaid(state, r));
}

/** A run's label beside the focused run: its recipe and time, and its classes when they differ. */
export function compareLabel(focused: RunView | null, run: RunView): string {
  return sameClasses(focused, run) ? shortRunLabel(run) : `${shortRunLabel(run)} · ${run.classes.join(', ')}`;
}

export function isRunning(run: RunView): boolean {
  return run.phase === 'running' || run.phase === 'preparing' || run.phase === 'stopping';
}

/** The epoch of the best checkpoint: the one the trainer saved, else the lowest val_loss. */
export function bestEpoch(run: RunView): number | null {
  return run.checkpoint?.epoch ?? bestEpochOf(run.history);
}

export function hasCheckpoint(run: RunView): boolean {
  return run.checkpoint !== null || (run.fromDisk && run.history.length > 0);
}

export function canEvaluate(run: RunView): boolean {
  return hasCheckpoint(run) && !isRunning(run) && run.evaluationStatus !== 'running' && run.command === null;
}

export function runLabel(run: RunView): string {
  return run.runId ?? (run.runDir ? (run.runDir.split(/[\\/]/).pop() ?? run.runDir) : 'New run');
}

export function epochsTotal(run: RunView): number | null {
  return run.epochsPlanned ?? run.settings?.epochs ?? null;
}

/**
 * "From scratch · 28 Nov 19:56:03" for tabs and legends (run ids start with yyyymmdd-hhmmss; the seconds
 * tell apart runs started in the same minute, and a "-2" suffix of the id is kept).
 */
export function shortRunLabel(run: RunView): string {
  const title = run.recipe ? RECIPES[run.recipe].title : 'Run';
  const match = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-[a-z]+(-\d+)?/.exec(run.runId ?? '');
  if (!match) return run.runId ? `${title} · ${run.runId}` : title;
  const month = MONTHS[Number(match[2]) - 1] ?? match[2];
  const again = match[7] !== undefined ? ` (${match[7].slice(1)})` : '';
  return `${title} · ${Number(match[3])} ${month} ${match[4]}:${match[5]}:${match[6]}${again}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
