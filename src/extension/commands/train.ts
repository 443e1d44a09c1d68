/** "Train Small Convnet": the guided flow (an optional `{ recipe }` argument skips the recipe step). */
import * as vscode from 'vscode';
import { isRecipeId } from '../../shared/recipes';
import { COMMANDS } from '../ids';
import type { Services } from '../services';
import { runTrainFlow } from '../train/trainFlow';
import { isRecord } from '../util/readJson';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.train, (arg: unknown) => {
    const preset = isRecord(arg) && isRecipeId(arg.recipe) ? arg.recipe : undefined;
    return runTrainFlow(services, { preset });
  });
}
