/** The sidebar's two views and what keeps them current: the work folder watcher, settings and training runs. */
import * as vscode from 'vscode';
import type { TrainingRuns } from '../session/trainingRuns';
import type { WorkspaceSettings } from '../settings/workspaceSettings';
import { Debouncer } from '../util/debounce';
import { registerCheckpointsTree } from './checkpointsTree';
import { registerSubsetsTree } from './subsetsTree';
import { WorkFolderWatcher } from './workFolderWatcher';

export function registerViews(options: {
  settings: WorkspaceSettings;
  runs: TrainingRuns;
  /** Called (debounced) when files change in the work folder. */
  onFilesChanged: () => void;
  log: (line: string) => void;
}): { disposable: vscode.Disposable; refresh: () => void } {
  const { settings, runs, log } = options;
  const workFolder = () => settings.workFolder();
  const subsets = registerSubsetsTree({ source: () => ({ workFolder: workFolder() }), log });
  const checkpoints = registerCheckpointsTree({ source: () => ({ workFolder: workFolder(), isActiveHere: (runDir) => runs.isActiveHere(runDir) }), log });
  const refresh = () => {
    watcher.update();
    subsets.refresh();
    checkpoints.refresh();
  };
  const watcher = new WorkFolderWatcher({
    workFolder,
    onChange: () => {
      refresh();
      options.onFilesChanged();
    },
  });
  const soon = new Debouncer({ delayMs: 300, action: refresh });
  const disposable = vscode.Disposable.from(
    subsets.disposable,
    checkpoints.disposable,
    watcher,
    soon,
    settings.onDidChange(() => soon.trigger()),
    runs.onDidStart(() => soon.trigger()),
    runs.onDidChange(() => soon.trigger()),
  );
  return { disposable, refresh: () => soon.trigger() };
}
