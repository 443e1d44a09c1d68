/** Step 4 of the guided flow: copy the subsets if needed, then start `train` (launchRun.ts). */
import type { TrainSettings } from '../../shared/recipes';
import { STATE_KEYS } from '../ids';
import type { Services } from '../services';
import type { TrainingRun } from '../session/trainingRun';
import { trainArgs } from '../trainer/trainerArgs';
import { describeDataPlan, type DataPlan } from './dataPlan';
import { checkNoRunActive, launchRun } from './launchRun';
import { prepareSubsets } from './prepareSubsets';
import { describeSettings } from './recipeInputs';

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
  const run = launchRun(services, { command: 'train', args, settings: request.settings, dataLabel });
  await services.workspaceState.update(STATE_KEYS.lastTrainingData, plan);
  return run;
}
