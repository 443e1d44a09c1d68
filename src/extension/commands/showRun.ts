/** Clicking a run in the Checkpoints view: the run, read from disk, in front in the training panel. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { runDirOfArgument } from '../runs/commandArguments';
import type { Services } from '../services';
import { pickRun } from './pickRun';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.showRun, async (arg: unknown) => {
    const runDir =
      runDirOfArgument(arg) ?? (await pickRun({ workFolder: services.settings.workFolder(), title: 'Show a run in the training panel', withCheckpoint: false }))?.runDir;
    if (runDir === undefined) return;
    const session = services.panel.show({ preserveFocus: true, extraRoots: [runDir] });
    await session.showRun(runDir, { focus: true });
  });
}
