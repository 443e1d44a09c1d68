/** "Show Training Panel". */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { Services } from '../services';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.openPanel, () => {
    services.panel.show();
  });
}
