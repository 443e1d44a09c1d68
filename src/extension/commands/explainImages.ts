/**
 * Grad-CAM heatmaps and feature maps for the panel ("Show where the model looked" on the most confidently wrong test
 * images): one trainer call (`explain` for all the images, `activations` for one), each answer forwarded to the
 * panel under the run's key.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../services';
import { activationsArgs, explainArgs } from '../trainer/trainerArgs';
import { messagesOfType, runTrainerJob } from '../trainer/runTrainerJob';
import { showOutcome } from './showOutcome';

/** Runs `command`, forwards its `forward` messages to the panel, logs its warnings, and says how it failed. */
async function runForPanel(
  services: Services,
  options: { runDir: string; command: 'explain' | 'activations'; args: string[]; forward: 'explanation' | 'activations'; what: string },
): Promise<void> {
  const { runDir, command, what } = options;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Small Convnet: ${what}` }, async () =>
    runTrainerJob({
      launcher: services.launcher,
      command,
      args: options.args,
      onMessage: (message) => {
        if (message.type === options.forward) services.panel.session?.forwardRunMessage(runDir, message);
      },
    }),
  );
  for (const warning of messagesOfType(result.messages, 'warning')) services.log.appendLine(`${command}: ${warning.message}`);
  if (result.outcome.kind !== 'completed') await showOutcome({ outcome: result.outcome, what: what[0].toUpperCase() + what.slice(1), log: services.log });
}

export async function explainImages(services: Services, options: { runDir: string; files: readonly string[] }): Promise<void> {
  const { runDir, files } = options;
  await runForPanel(services, {
    runDir,
    command: 'explain',
    args: explainArgs({ checkpoint: runDir, images: files, backend: services.settings.current().backend }),
    forward: 'explanation',
    what: `heatmaps of ${files.length} image${files.length === 1 ? '' : 's'} of ${path.basename(runDir)}`,
  });
}

/** The feature maps of one image (`small-convnet activations`). */
export async function activationsOfImage(services: Services, options: { runDir: string; file: string }): Promise<void> {
  const { runDir, file } = options;
  await runForPanel(services, {
    runDir,
    command: 'activations',
    args: activationsArgs({ checkpoint: runDir, image: file, backend: services.settings.current().backend }),
    forward: 'activations',
    what: `feature maps of ${path.basename(file)}`,
  });
}
