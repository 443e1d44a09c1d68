/** Class probabilities of images with a run's best checkpoint (`predict`), shown as a notification or a list. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PredictionMessage } from '../../shared/trainerProtocol';
import type { RunOnDisk } from '../runs/runStore';
import type { Services } from '../services';
import { subsetThatSaw } from '../runs/seenImages';
import { MANIFEST_FILE } from '../subsets/subsetsStore';
import { explainArgs, predictArgs } from '../trainer/trainerArgs';
import { readJsonFile } from '../util/readJson';
import { messagesOfType, runTrainerJob } from '../trainer/runTrainerJob';
import { formatPercent } from '../util/format';
import { showOutcome } from './showOutcome';

/** "dog 87.1% · cat 12.9%", most likely first. */
export function describePrediction(prediction: PredictionMessage): string {
  return ranked(prediction)
    .map((c) => `${c.name} ${formatPercent(c.probability)}`)
    .join(' · ');
}

function ranked(prediction: PredictionMessage): { name: string; probability: number }[] {
  return prediction.classes
    .map((name, index) => ({ name, probability: prediction.probabilities[index] ?? 0 }))
    .sort((a, b) => b.probability - a.probability);
}

/** Two classes closer than this are a tie: the model cannot tell them apart for this image. */
export const TIE_MARGIN = 0.05;

/** The verdict for a person: "dog (87.1%)", or "undecided between shirt and cat" when the top two are within TIE_MARGIN. */
export function verdictOf(prediction: PredictionMessage): string {
  const [first, second] = ranked(prediction);
  if (first === undefined) return 'no prediction';
  if (second !== undefined && first.probability - second.probability < TIE_MARGIN) {
    return `undecided between ${first.name} and ${second.name} (${formatPercent(first.probability)} and ${formatPercent(second.probability)})`;
  }
  return `${first.name} (${formatPercent(first.probability)})`;
}

/** Explains one image with the run's checkpoint and opens the image with its Grad-CAM heatmap beside. */
async function showWhereItLooked(services: Services, run: RunOnDisk, image: string): Promise<void> {
  const result = await runTrainerJob({
    launcher: services.launcher,
    command: 'explain',
    args: explainArgs({ checkpoint: run.runDir, images: [image], backend: services.settings.current().backend }),
  });
  const [explanation] = messagesOfType(result.messages, 'explanation');
  if (result.outcome.kind !== 'completed' || explanation === undefined) {
    await showOutcome({ outcome: result.outcome, what: `Explaining ${path.basename(image)}`, log: services.log });
    return;
  }
  services.log.appendLine(`explain: ${image}: where it looked for "${explanation.explained}": ${explanation.overlayFile}`);
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(explanation.overlayFile), { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

/** One image's verdict, whether the run saw it, and its two actions: open it, or see where the model looked. */
async function showOnePrediction(services: Services, prediction: PredictionMessage, run: RunOnDisk): Promise<void> {
  const manifest = await readJsonFile(path.join(run.record.dataDir, MANIFEST_FILE));
  const seen = subsetThatSaw({ image: prediction.file, dataDir: run.record.dataDir, manifest });
  const note = seen === null ? '' : ` Note: the run ${seen === 'train' ? 'trained on' : 'validated on'} this image, so this says little about images it has not seen.`;
  const choice = await vscode.window.showInformationMessage(
    `${path.basename(prediction.file)}: ${verdictOf(prediction)}. All classes: ${describePrediction(prediction)} (${run.record.runId}).${note}`,
    'Open Image',
    'Where Did It Look?',
  );
  if (choice === 'Open Image') await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(prediction.file));
  else if (choice === 'Where Did It Look?') await showWhereItLooked(services, run, prediction.file);
}

/** One image: its message. Several: a list of verdicts; the image picked gets the one-image message. */
async function showPredictions(services: Services, predictions: PredictionMessage[], run: RunOnDisk): Promise<void> {
  const picked =
    predictions.length === 1
      ? { prediction: predictions[0] }
      : await vscode.window.showQuickPick(
          predictions.map((prediction) => ({ label: path.basename(prediction.file), description: verdictOf(prediction), detail: `${describePrediction(prediction)} · ${prediction.file}`, prediction })),
          { title: `Predictions of ${run.record.runId} (${predictions.length} images)`, placeHolder: 'Pick one to open it or see where the model looked', matchOnDescription: true },
        );
  if (picked !== undefined) await showOnePrediction(services, picked.prediction, run);
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
  await showPredictions(services, predictions, run);
}
