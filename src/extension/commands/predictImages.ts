/** Class probabilities of images with a run's best checkpoint (`predict`), shown as a notification or a list. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PredictionMessage } from '../../shared/trainerProtocol';
import type { RunOnDisk } from '../runs/runStore';
import type { Services } from '../services';
import { predictArgs } from '../trainer/trainerArgs';
import { messagesOfType, runTrainerJob } from '../trainer/runTrainerJob';
import { formatPercent } from '../util/format';
import { showOutcome } from './showOutcome';

/** "dog 87.1% · cat 12.9%", most likely first. */
export function describePrediction(prediction: PredictionMessage): string {
  return prediction.classes
    .map((name, index) => ({ name, probability: prediction.probabilities[index] ?? 0 }))
    .sort((a, b) => b.probability - a.probability)
    .map((c) => `${c.name} ${formatPercent(c.probability)}`)
    .join(' · ');
}

async function showPredictions(predictions: PredictionMessage[], runId: string): Promise<void> {
  if (predictions.length === 1) {
    const [prediction] = predictions;
    const choice = await vscode.window.showInformationMessage(`${path.basename(prediction.file)}: ${describePrediction(prediction)} (${runId})`, 'Open Image');
    if (choice !== undefined) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(prediction.file));
    return;
  }
  const picked = await vscode.window.showQuickPick(
    predictions.map((prediction) => ({ label: path.basename(prediction.file), description: describePrediction(prediction), detail: prediction.file, prediction })),
    { title: `Predictions of ${runId} (${predictions.length} images)`, placeHolder: 'Pick one to open it', matchOnDescription: true },
  );
  if (picked !== undefined) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(picked.prediction.file));
}

export async function predictImages(services: Services, options: { run: RunOnDisk; images: readonly string[] }): Promise<void> {
  const { run, images } = options;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Small Convnet: predicting ${images.length === 1 ? path.basename(images[0]) : `${images.length} images`}`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        return await runTrainerJob({
          launcher: services.launcher,
          command: 'predict',
          args: predictArgs({ checkpoint: run.runDir, images, backend: services.settings.current().backend }),
          signal: abort.signal,
        });
      } finally {
        cancel.dispose();
      }
    },
  );
  const predictions = messagesOfType(result.messages, 'prediction');
  if (result.outcome.kind !== 'completed' || predictions.length === 0) {
    await showOutcome({ outcome: result.outcome, what: `Predicting with ${run.record.runId}`, log: services.log });
    if (result.outcome.kind === 'completed') void vscode.window.showWarningMessage('The trainer found no image to predict there.');
    return;
  }
  for (const warning of messagesOfType(result.messages, 'warning')) services.log.appendLine(`predict: ${warning.message}`);
  await showPredictions(predictions, run.record.runId);
}
