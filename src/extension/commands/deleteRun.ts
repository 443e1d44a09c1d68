/** "Delete Run": after a modal confirmation, deletes the run folder (checkpoints, history) and nothing else. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { runDirOfArgument } from '../runs/commandArguments';
import { deleteRunFolder, readRunFolder } from '../runs/runStore';
import type { Services } from '../services';
import { pickRun } from './pickRun';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.deleteRun, async (arg: unknown) => {
    const runDir = runDirOfArgument(arg) ?? (await pickRun({ workFolder: services.settings.workFolder(), title: 'Delete a run', withCheckpoint: false }))?.runDir;
    if (runDir === undefined) return;
    if (services.runs.isActiveHere(runDir)) {
      void vscode.window.showWarningMessage('This run is training now: stop it before deleting it.');
      return;
    }
    const run = await readRunFolder(runDir);
    const name = run?.record.runId ?? runDir;
    const confirm = await vscode.window.showWarningMessage(
      `Delete the run ${name}?`,
      { modal: true, detail: `This deletes the folder ${runDir} with its checkpoints and history. The prepared images stay.` },
      'Delete',
    );
    if (confirm !== 'Delete') return;
    try {
      await deleteRunFolder(runDir);
      // The panel stops showing it (and offering to evaluate it).
      services.panel.session?.runRemoved(runDir);
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not delete ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    services.refreshViews();
  });
}
