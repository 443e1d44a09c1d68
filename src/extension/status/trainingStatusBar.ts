/** The status bar item while a run trains ("$(pulse) Epoch 3/30 · val_acc 0.71"; click: the panel) and the `smallConvnet.training` context key. */
import * as vscode from 'vscode';
import { COMMANDS, CONTEXT_KEYS } from '../ids';
import type { TrainingRuns } from '../session/trainingRuns';
import { trainingStatusText } from './statusText';

export function registerTrainingStatusBar(runs: TrainingRuns): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('smallConvnet.training', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Small Convnet Training';
  item.command = COMMANDS.openPanel;
  let training = false;
  const update = () => {
    const run = runs.active().at(-1);
    if (run !== undefined) {
      const status = trainingStatusText({
        phase: run.phase,
        epochs: run.settings.epochs,
        lastEpoch: run.lastEpoch,
        lastBatch: run.lastBatch,
        dataLabel: run.dataLabel,
      });
      item.text = status.text;
      item.tooltip = status.tooltip;
      item.show();
    } else {
      item.hide();
    }
    if (training !== (run !== undefined)) {
      training = run !== undefined;
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.training, training);
    }
  };
  return vscode.Disposable.from(item, runs.onDidStart(update), runs.onDidChange(update));
}
