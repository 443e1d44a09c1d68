/** "Train Small Convnet: Augmentation + Dropout (Model 2)": the guided flow with the seed's second recipe. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { Services } from '../services';
import { runTrainFlow } from '../train/trainFlow';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.trainWithAugmentation, () => runTrainFlow(services, { preset: 'augmented' }));
}
