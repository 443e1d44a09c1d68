/**
 * "Stop Training": the trainer stops after the current batch; the best checkpoint and history stay. On a run
 * of the Checkpoints view that trains in the background (another window, or left running by a reload), the
 * trainer named by its trainer.lock gets SIGINT, which it handles the same way.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { askBackgroundTrainerToStop } from '../runs/backgroundTrainer';
import { runDirOfArgument } from '../runs/commandArguments';
import type { Services } from '../services';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.stopTraining, async (arg: unknown) => {
    const runDir = runDirOfArgument(arg);
    if (runDir !== undefined && !services.runs.isActiveHere(runDir)) {
      const result = await askBackgroundTrainerToStop(runDir);
      void vscode.window.showInformationMessage(result.text);
      if (result.asked) services.panel.session?.noteBackgroundStop(runDir);
      services.refreshViews();
      return;
    }
    const active = services.runs.active();
    if (active.length === 0) {
      void vscode.window.showInformationMessage('No Small Convnet run is training in this window.');
      return;
    }
    await Promise.all(active.map((run) => run.stop()));
  });
}
