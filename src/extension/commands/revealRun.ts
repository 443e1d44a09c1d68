/** "Reveal in File Manager" on a run or checkpoint (the Explorer view, or the path, where there is no file manager). */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { revealPathOfArgument } from '../runs/commandArguments';
import { revealAction } from '../runs/revealTarget';
import type { Services } from '../services';
import { pickRun } from './pickRun';

async function reveal(target: string): Promise<void> {
  const uri = vscode.Uri.file(target);
  const action = revealAction({
    inBrowser: vscode.env.uiKind === vscode.UIKind.Web,
    remote: vscode.env.remoteName !== undefined,
    inWorkspace: vscode.workspace.getWorkspaceFolder(uri) !== undefined,
  });
  switch (action) {
    case 'os':
      await vscode.commands.executeCommand('revealFileInOS', uri);
      return;
    case 'explorer':
      await vscode.commands.executeCommand('revealInExplorer', uri);
      return;
    case 'copy-path':
      await vscode.env.clipboard.writeText(target);
      void vscode.window.showInformationMessage(`This window has no file manager to open; the folder's path was copied: ${target}`);
      return;
  }
}

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.revealRun, async (arg: unknown) => {
    const target = revealPathOfArgument(arg) ?? (await pickRun({ workFolder: services.settings.workFolder(), title: 'Reveal a run folder', withCheckpoint: false }))?.runDir;
    if (target !== undefined) await reveal(target);
  });
}
