/** "Refresh" in the Subsets and Checkpoints views' title bars. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { Services } from '../services';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.refreshViews, () => services.refreshViews());
}
