/**
 * "Train Small Convnet": the guided flow. Optional argument (a walkthrough link, the panel): `{ recipe }` skips
 * the recipe step, `{ demo: true }` takes the built-in demo data without asking for images.
 */
import * as vscode from 'vscode';
import { isRecipeId } from '../../shared/recipes';
import { COMMANDS } from '../ids';
import type { Services } from '../services';
import { runTrainFlow } from '../train/trainFlow';
import { isRecord } from '../util/readJson';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.train, (arg: unknown) => {
    const preset = isRecord(arg) && isRecipeId(arg.recipe) ? arg.recipe : undefined;
    const demo = isRecord(arg) && arg.demo === true;
    return runTrainFlow(services, { preset, demo });
  });
}
