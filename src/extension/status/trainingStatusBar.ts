/**
 * The status bar item while a run trains ("$(pulse) Epoch 3/30 · val_acc 0.71"; click: the panel) and the
 * `smallConvnet.training` context key. When no run of this window trains but one trains in the background
 * (after a reload), the item follows that run's folder instead: its epochs, and its batches through progress.json.
 * Also sets `smallConvnet.trainingInBackground` while some run trains in the background.
 */
import * as vscode from 'vscode';
import { COMMANDS, CONTEXT_KEYS } from '../ids';
import { backgroundTargets } from '../runs/backgroundProgress';
import { listRuns, type RunOnDisk } from '../runs/runStore';
import type { TrainingRuns } from '../session/trainingRuns';
import { backgroundRunStatus, trainingStatusText, type BackgroundBatch } from './statusText';

export interface TrainingStatusBar {
  disposable: vscode.Disposable;
  /** Files changed in the work folder: look for runs training in the background again. Resolves to the runs read. */
  refreshFromDisk(): Promise<readonly RunOnDisk[]>;
  /** A background run's progress.json moved on (backgroundProgress.ts). */
  showBackgroundBatch(runDir: string, batch: BackgroundBatch): void;
}

export function registerTrainingStatusBar(runs: TrainingRuns, workFolder: () => string): TrainingStatusBar {
  const item = vscode.window.createStatusBarItem('smallConvnet.training', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Small Convnet Training';
  item.command = COMMANDS.openPanel;
  let training = false;
  let inBackground = false;
  let onDisk: readonly RunOnDisk[] = [];
  /** The last progress.json read of each background run (stale ones are ignored by backgroundStatusText). */
  const batches = new Map<string, BackgroundBatch>();
  const update = () => {
    const run = runs.active().at(-1);
    const background = run === undefined ? backgroundRunStatus(onDisk, (runDir) => runs.isActiveHere(runDir), batches) : null;
    if (run !== undefined) {
      const status = trainingStatusText({
        phase: run.phase,
        epochs: run.settings.epochs,
        lastEpoch: run.lastEpoch,
        lastBatch: run.lastBatch,
        dataLabel: run.dataLabel,
        engine: run.runStarted?.engine ?? null,
      });
      item.text = status.text;
      item.tooltip = status.tooltip;
      item.show();
    } else if (background !== null) {
      item.text = background.text;
      item.tooltip = background.tooltip;
      item.show();
    } else {
      item.hide();
    }
    if (training !== (run !== undefined)) {
      training = run !== undefined;
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.training, training);
    }
    // "Stop Training" is enabled by either key (ids.ts STOP_TRAINING_WHEN): a background run can be stopped too.
    const anyInBackground = backgroundTargets(onDisk, (runDir) => runs.isActiveHere(runDir)).length > 0;
    if (inBackground !== anyInBackground) {
      inBackground = anyInBackground;
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.trainingInBackground, inBackground);
    }
  };
  const refreshFromDisk = async () => {
    onDisk = await listRuns(workFolder());
    for (const runDir of [...batches.keys()]) if (!onDisk.some((r) => r.runDir === runDir)) batches.delete(runDir);
    update();
    return onDisk;
  };
  const showBackgroundBatch = (runDir: string, batch: BackgroundBatch) => {
    batches.set(runDir, batch);
    update();
  };
  return { disposable: vscode.Disposable.from(item, runs.onDidStart(update), runs.onDidChange(update)), refreshFromDisk, showBackgroundBatch };
}
