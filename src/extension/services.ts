/** What commands, views and the panel share, made once in activate() and passed down (no globals). */
import type * as vscode from 'vscode';
import type { TrainingPanel } from './panel/trainingPanel';
import type { TrainingRuns } from './session/trainingRuns';
import type { WorkspaceSettings } from './settings/workspaceSettings';
import type { TrainerLauncher } from './trainer/trainerLauncher';
import type { ExtensionLog } from './util/log';

export interface Services {
  extensionUri: vscode.Uri;
  settings: WorkspaceSettings;
  log: ExtensionLog;
  launcher: TrainerLauncher;
  runs: TrainingRuns;
  panel: TrainingPanel;
  /** Refresh the Subsets and Checkpoints views. */
  refreshViews: () => void;
  workspaceState: vscode.Memento;
}
