/** Step 4 of the guided flow: copy the subsets if needed, start `train`, show the panel, report the end. */
import * as vscode from 'vscode';
import type { TrainSettings } from '../../shared/recipes';
import { showOutcome } from '../commands/showOutcome';
import { COMMANDS, STATE_KEYS } from '../ids';
import type { Services } from '../services';
import type { TrainingRun } from '../session/trainingRun';
import { trainArgs } from '../trainer/trainerArgs';
import { formatAccuracy, formatMetric } from '../util/format';
import { describeDataPlan, type DataPlan } from './dataPlan';
import { prepareSubsets } from './prepareSubsets';
import { describeSettings } from './recipeInputs';

/** Only one run trains at a time: says so and returns false when one is running. */
async function checkNoRunActive(services: Services): Promise<boolean> {
  if (services.runs.active().length === 0) return true;
  const choice = await vscode.window.showWarningMessage('A Small Convnet run is training already. Stop it first, or wait until it ends.', 'Show Panel', 'Stop It');
  if (choice === 'Show Panel') services.panel.show();
  if (choice === 'Stop It') for (const run of services.runs.active()) void run.stop();
  return false;
}

async function reportEnd(services: Services, run: TrainingRun): Promise<void> {
  const outcome = await run.finished;
  services.refreshViews();
  if (outcome.kind !== 'completed') {
    await showOutcome({ outcome, what: 'Training', log: services.log });
    return;
  }
  const best = run.lastEpoch;
  const text = best !== null
    ? `Training finished: ${best.epoch} epochs, last val_loss ${formatMetric(best.logs.val_loss)}, val_acc ${formatAccuracy(best.logs.val_accuracy)}. The best checkpoint is kept.`
    : 'Training finished.';
  const choice = await vscode.window.showInformationMessage(text, 'Evaluate on Test Set', 'Show Panel');
  if (choice === 'Evaluate on Test Set' && run.runDir !== null) void vscode.commands.executeCommand(COMMANDS.evaluateCheckpoint, run.runDir);
  if (choice === 'Show Panel') services.panel.show();
}

export async function startTraining(services: Services, request: { plan: DataPlan; settings: TrainSettings }): Promise<TrainingRun | undefined> {
  if (!(await checkNoRunActive(services))) return undefined;
  let plan = request.plan;
  if (plan.kind === 'source') {
    const dir = await prepareSubsets(services, plan);
    if (dir === undefined) return undefined;
    plan = { kind: 'prepared', dir };
  }
  if (!(await checkNoRunActive(services))) return undefined;
  const settings = services.settings.current();
  const args = trainArgs({
    data: plan.kind === 'prepared' ? plan.dir : undefined,
    workFolder: services.settings.workFolder(),
    settings: request.settings,
    demoSplit: plan.kind === 'demo' ? plan.split : undefined,
    backend: settings.backend,
    workers: settings.workers,
  });
  const dataLabel = describeDataPlan(plan);
  services.log.appendLine(`Training ${describeSettings(request.settings)} on ${dataLabel}`);
  const run = services.runs.start({ args, settings: request.settings, dataLabel });
  await services.workspaceState.update(STATE_KEYS.lastTrainingData, plan);
  // The panel's resource roots grow to the images it shows, not to the whole data folder (docs/reliability.md).
  services.panel.show();
  void reportEnd(services, run);
  return run;
}
