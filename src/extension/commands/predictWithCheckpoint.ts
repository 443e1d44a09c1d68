/** "Predict with Small Convnet…" on image files in the Explorer: pick a checkpoint, see the class probabilities. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { imageFilesOfArguments } from '../runs/commandArguments';
import type { Services } from '../services';
import { pickRun } from './pickRun';
import { predictImages } from './predictImages';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.predictWithCheckpoint, async (clicked: unknown, selected: unknown) => {
    let images = imageFilesOfArguments(clicked, selected);
    if (images.length === 0) {
      const active = vscode.window.activeTextEditor?.document.uri;
      images = active?.scheme === 'file' ? [active.fsPath] : [];
    }
    if (images.length === 0) {
      void vscode.window.showInformationMessage('Right-click an image, or a folder of images, in the Explorer to predict its class.');
      return;
    }
    const run = await pickRun({ workFolder: services.settings.workFolder(), title: 'Predict with which checkpoint?', withCheckpoint: true });
    if (run !== undefined) await predictImages(services, { run, images });
  });
}
