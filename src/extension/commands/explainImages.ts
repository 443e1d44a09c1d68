/**
 * Grad-CAM heatmaps and feature maps for the panel ("Show where the model looked" on the most confidently wrong test images): one
 * `small-convnet explain` call for all the images, each `explanation` forwarded to the panel under the run's key.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../services';
import { activationsArgs, explainArgs } from '../trainer/trainerArgs';
import { messagesOfType, runTrainerJob } from '../trainer/runTrainerJob';
import { showOutcome } from './showOutcome';

export async function explainImages(services: Services, options: { runDir: string; files: readonly string[] }): Promise<void> {
  const { runDir, files } = options;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Small Convnet: heatmaps of ${files.length} image${files.length === 1 ? '' : 's'}` },
    async () =>
      runTrainerJob({
        launcher: services.launcher,
        command: 'explain',
        args: explainArgs({ checkpoint: runDir, images: files, backend: services.settings.current().backend }),
        onMessage: (message) => {
          if (message.type === 'explanation') services.panel.session?.forwardRunMessage(runDir, message);
        },
      }),
  );
  for (const warning of messagesOfType(result.messages, 'warning')) services.log.appendLine(`explain: ${warning.message}`);
  if (result.outcome.kind !== 'completed') await showOutcome({ outcome: result.outcome, what: `Heatmaps for ${path.basename(runDir)}`, log: services.log });
}

/** The feature maps of one image (`small-convnet activations`), forwarded to the panel under the run's key. */
export async function activationsOfImage(services: Services, options: { runDir: string; file: string }): Promise<void> {
  const { runDir, file } = options;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Small Convnet: feature maps of ${path.basename(file)}` }, async () =>
    runTrainerJob({
      launcher: services.launcher,
      command: 'activations',
      args: activationsArgs({ checkpoint: runDir, image: file, backend: services.settings.current().backend }),
      onMessage: (message) => {
        if (message.type === 'activations') services.panel.session?.forwardRunMessage(runDir, message);
      },
    }),
  );
  if (result.outcome.kind !== 'completed') await showOutcome({ outcome: result.outcome, what: `Feature maps of ${path.basename(file)}`, log: services.log });
}
