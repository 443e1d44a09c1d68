/** "Make Subsets": copy train/validation/test per class out of a folder of images, like the seed's make_subset. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { Services } from '../services';
import { runPrepareFlow } from '../train/trainFlow';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.prepareData, () => runPrepareFlow(services));
}
