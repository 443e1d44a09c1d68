/** "Reveal in File Manager" on a run or checkpoint. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { revealPathOfArgument } from '../runs/commandArguments';
import type { Services } from '../services';
import { pickRun } from './pickRun';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.revealRun, async (arg: unknown) => {
    const target = revealPathOfArgument(arg) ?? (await pickRun({ workFolder: services.settings.workFolder(), title: 'Reveal a run folder', withCheckpoint: false }))?.runDir;
    if (target !== undefined) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(target));
  });
}
