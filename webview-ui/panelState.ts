/**
 * The panel's whole state and the pure reducer that builds it from host messages. Runs are keyed by
 * RunKey; the state is plain JSON, saved with setState after every change and restored on reload.
 */
import type { HostToWebviewMessage, RunKey } from '../src/shared/webviewProtocol';
import { applyRunLoaded, applyRunPhase, applyTrainerEvent, emptyRun, isTrainingCommand, type RunView } from './runView';

export const STATE_VERSION = 1;

export interface CompareSettings {
  /** Overlay the other runs on the charts. */
  show: boolean;
  /** Runs of the focused run's classes, switched off in the legend (they are overlaid unless switched off). */
  hidden: RunKey[];
  /** Runs of other classes (another dataset), switched on in the legend (they are not overlaid unless switched on). */
  shown: RunKey[];
}

export interface PanelState {
  version: typeof STATE_VERSION;
  runs: Record<RunKey, RunView>;
  /** Keys in the order the runs arrived. */
  order: RunKey[];
  /** Another key the host used for a run already known under a first key (same runId). */
  aliases: Record<RunKey, RunKey>;
  /** The run shown in front. */
  focus: RunKey | null;
  /** Local file path -> webview URI. */
  imageUris: Record<string, string>;
  compare: CompareSettings;
  /** "Show where the model looked": the wrong test images with their Grad-CAM heatmaps. */
  heatmaps: boolean;
  /** The wrong test image opened large under the gallery, and the layer whose feature maps it shows. */
  detail: { file: string; layer: string | null } | null;
}

export function initialState(): PanelState {
  return { version: STATE_VERSION, runs: {}, order: [], aliases: {}, focus: null, imageUris: {}, compare: { show: true, hidden: [], shown: [] }, heatmaps: false, detail: null };
}

function resolveKey(state: PanelState, key: RunKey): RunKey {
  return state.aliases[key] ?? key;
}

function withRun(state: PanelState, key: RunKey, update: (run: RunView) => RunView): PanelState {
  const existing = state.runs[key];
  const next = update(existing ?? emptyRun(key));
  if (next === existing) return state;
  return {
    ...state,
    runs: { ...state.runs, [key]: next },
    order: existing ? state.order : [...state.order, key],
  };
}

function isLive(run: RunView | undefined): boolean {
  return run !== undefined && (run.phase === 'running' || run.phase === 'preparing' || run.phase === 'stopping');
}

/** A new live run takes the front unless another live run is there; the first run of all does too. */
function focusAfter(state: PanelState, key: RunKey, startsLive: boolean): RunKey | null {
  if (state.focus === null || state.runs[state.focus] === undefined) return key;
  if (startsLive && state.focus !== key && !isLive(state.runs[state.focus])) return key;
  return state.focus;
}

/** The key a run-loaded message should merge into: its own, or a run already known with the same runId. */
function keyForLoaded(state: PanelState, key: RunKey, runId: string): RunKey {
  if (state.runs[key]) return key;
  const same = state.order.find((k) => state.runs[k]?.runId === runId);
  return same ?? key;
}

/**
 * A resumed run: the panel may show the run read from disk (stopped) under its folder's key while the live
 * `resume` stream arrived under a temporary key. The live entry wins; the stale one is dropped and its key
 * becomes an alias, so there is one tab per run.
 */
function dropStaleTwin(state: PanelState, key: RunKey, runId: string): PanelState {
  const stale = state.runs[key];
  if (stale === undefined || isLive(stale)) return state;
  const live = state.order.find((k) => k !== key && state.runs[k]?.runId === runId && isLive(state.runs[k]));
  if (live === undefined) return state;
  const runs = { ...state.runs };
  delete runs[key];
  const aliases = Object.fromEntries(Object.entries(state.aliases).map(([from, to]) => [from, to === key ? live : to]));
  return { ...state, runs, order: state.order.filter((k) => k !== key), aliases: { ...aliases, [key]: live }, focus: state.focus === key ? live : state.focus };
}

export function reduce(state: PanelState, message: HostToWebviewMessage): PanelState {
  switch (message.type) {
    case 'trainer-event': {
      const key = resolveKey(state, message.runKey);
      const next = withRun(state, key, (run) => applyTrainerEvent(run, message.event));
      const startsLive = message.event.type === 'hello' && isTrainingCommand(message.event.command);
      return next === state ? state : { ...next, focus: focusAfter(next, key, startsLive) };
    }
    case 'run-loaded': {
      state = dropStaleTwin(state, resolveKey(state, message.runKey), message.record.runId);
      const key = keyForLoaded(state, resolveKey(state, message.runKey), message.record.runId);
      const aliases = key === message.runKey ? state.aliases : { ...state.aliases, [message.runKey]: key };
      const next = withRun({ ...state, aliases }, key, (run) => applyRunLoaded(run, message.record, message.history, message.evaluation));
      return { ...next, focus: focusAfter(next, key, false) };
    }
    case 'run-phase': {
      const key = resolveKey(state, message.runKey);
      const startsLive = message.phase === 'preparing' || message.phase === 'running';
      // Only a run that starts may be new here: the end of a run the panel does not show (closed, deleted) is no tab.
      if (state.runs[key] === undefined && !startsLive) return state;
      const next = withRun(state, key, (run) => applyRunPhase(run, message.phase, message.detail, message.logTail));
      return { ...next, focus: focusAfter(next, key, startsLive && !isLive(state.runs[key])) };
    }
    case 'image-uris':
      return { ...state, imageUris: { ...state.imageUris, ...message.uris } };
    case 'focus-run': {
      const key = resolveKey(state, message.runKey);
      return state.runs[key] ? { ...state, focus: key } : withRunFocus(state, key);
    }
    case 'run-removed':
      return removeRun(state, message.runKey);
  }
}

/** Drops a run (deleted, or its tab closed): its keys, its overlay switch; the front goes to the newest run left. */
export function removeRun(state: PanelState, runKey: RunKey): PanelState {
  const key = resolveKey(state, runKey);
  if (state.runs[key] === undefined) return state;
  const runs = { ...state.runs };
  delete runs[key];
  const order = state.order.filter((k) => k !== key);
  const aliases = Object.fromEntries(Object.entries(state.aliases).filter(([from, to]) => to !== key && from !== key));
  const focus = state.focus === key ? (order.at(-1) ?? null) : state.focus;
  return { ...state, runs, order, aliases, focus, compare: { ...state.compare, hidden: state.compare.hidden.filter((k) => k !== key), shown: state.compare.shown.filter((k) => k !== key) } };
}

/** Focus on a run the panel has not heard of yet: an empty run that later messages fill. */
function withRunFocus(state: PanelState, key: RunKey): PanelState {
  return { ...withRun(state, key, (run) => run), focus: key };
}
