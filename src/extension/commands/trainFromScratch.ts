/** "Train Small Convnet: From Scratch (Model 1)": the guided flow with the seed's first recipe. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { Services } from '../services';
import { runTrainFlow } from '../train/trainFlow';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.trainFromScratch, () => runTrainFlow(services, { preset: 'scratch' }));
}
