/** "Stop Training": the trainer stops after the current batch; the best checkpoint and history stay. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { Services } from '../services';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.stopTraining, async () => {
    const active = services.runs.active();
    if (active.length === 0) {
      void vscode.window.showInformationMessage('No Small Convnet run is training in this window.');
      return;
    }
    await Promise.all(active.map((run) => run.stop()));
  });
}
