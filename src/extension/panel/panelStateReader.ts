/**
 * What the host needs from the panel's saved state (webview-ui/panelState.ts, handed to the serializer after
 * a reload): which run folders it showed, which keys stand for which folder, and which run was in front.
 * The state is untrusted JSON: anything unexpected is skipped. Pure.
 */
import * as path from 'node:path';
import { isRecord } from '../util/readJson';

export interface PanelStateSummary {
  /** Run folders the panel showed, in its order. */
  runDirs: string[];
  /** Panel key -> run folder, for keys that are not the folder itself (temporary keys). */
  keyToRunDir: Record<string, string>;
  focusRunDir: string | null;
}

export function readPanelState(state: unknown): PanelStateSummary {
  const summary: PanelStateSummary = { runDirs: [], keyToRunDir: {}, focusRunDir: null };
  if (!isRecord(state) || !isRecord(state.runs)) return summary;
  const order = Array.isArray(state.order) ? state.order.filter((key): key is string => typeof key === 'string') : Object.keys(state.runs);
  for (const key of order) {
    const run = state.runs[key];
    const runDir = isRecord(run) && typeof run.runDir === 'string' && path.isAbsolute(run.runDir) ? run.runDir : path.isAbsolute(key) ? key : null;
    if (runDir === null) continue;
    if (!summary.runDirs.includes(runDir)) summary.runDirs.push(runDir);
    if (key !== runDir) summary.keyToRunDir[key] = runDir;
  }
  if (typeof state.focus === 'string') summary.focusRunDir = summary.keyToRunDir[state.focus] ?? (summary.runDirs.includes(state.focus) ? state.focus : null);
  return summary;
}

/** The summary with only the run folders `isRunFolder` confirms (the state is untrusted: it must not name any folder). */
export async function keepRunFolders(summary: PanelStateSummary, isRunFolder: (dir: string) => Promise<boolean>): Promise<PanelStateSummary> {
  const runDirs: string[] = [];
  for (const dir of summary.runDirs) if (await isRunFolder(dir)) runDirs.push(dir);
  const keyToRunDir = Object.fromEntries(Object.entries(summary.keyToRunDir).filter(([, dir]) => runDirs.includes(dir)));
  const focusRunDir = summary.focusRunDir !== null && runDirs.includes(summary.focusRunDir) ? summary.focusRunDir : null;
  return { runDirs, keyToRunDir, focusRunDir };
}
