/** "Predict Image…" on a run or checkpoint (Checkpoints view): pick images, see the class probabilities. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { IMAGE_EXTENSIONS } from '../../shared/imageNames';
import { runDirOfArgument } from '../runs/commandArguments';
import { readRunFolder } from '../runs/runStore';
import type { Services } from '../services';
import { pickRun } from './pickRun';
import { predictImages } from './predictImages';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.predictImage, async (arg: unknown) => {
    const given = runDirOfArgument(arg);
    const run = given !== undefined ? await readRunFolder(given) : await pickRun({ workFolder: services.settings.workFolder(), title: 'Predict with', withCheckpoint: true });
    if (run === undefined) return;
    if (run === null || run.best === null) {
      void vscode.window.showWarningMessage('That run has no saved checkpoint to predict with.');
      return;
    }
    const images = await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectMany: true,
      openLabel: 'Predict',
      title: `Images to classify with ${run.record.runId}`,
      filters: { Images: [...IMAGE_EXTENSIONS] },
    });
    if (images === undefined || images.length === 0) return;
    await predictImages(services, { run, images: images.map((uri) => uri.fsPath) });
  });
}
