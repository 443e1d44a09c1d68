/** The guided "Train Small Convnet" flow: images -> split -> recipe -> start; and "Make Subsets" alone. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecipeId } from '../../shared/recipes';
import { DEMO_SPLIT } from '../data/splitChoice';
import { STATE_KEYS } from '../ids';
import type { Services } from '../services';
import { describeDataPlan, readDataPlan, type DataPlan } from './dataPlan';
import { pickDataPlan } from './pickDataPlan';
import { pickSettings } from './pickSettings';
import { prepareSubsets } from './prepareSubsets';
import { checkNoRunActive } from './launchRun';
import { defaultSettings, recipeLabel } from './recipeInputs';
import { startTraining } from './startTraining';

const TRAIN_TITLE = 'Train Small Convnet';

export async function runTrainFlow(services: Services, options: { preset?: RecipeId; demo?: boolean } = {}): Promise<void> {
  // Before the first prompt: a second run is refused (or the first one stopped) now, not after all the answers.
  if (!(await checkNoRunActive(services))) return;
  const plan: DataPlan | undefined = options.demo === true ? { kind: 'demo', split: { ...DEMO_SPLIT } } : await pickDataPlan({ workFolder: services.settings.workFolder(), title: TRAIN_TITLE });
  if (plan === undefined) return;
  const settings = await pickSettings({ title: TRAIN_TITLE, isDemo: plan.kind === 'demo', preset: options.preset });
  if (settings === undefined) return;
  await startTraining(services, { plan, settings });
}

/** The panel's "train with this recipe" button: the last images again, after a confirmation; else the flow. */
export async function startRecipe(services: Services, recipe: RecipeId): Promise<void> {
  if (!(await checkNoRunActive(services))) return;
  const plan = readDataPlan(services.workspaceState.get<unknown>(STATE_KEYS.lastTrainingData));
  if (plan === undefined) return runTrainFlow(services, { preset: recipe });
  const choice = await vscode.window.showInformationMessage(
    `Train "${recipeLabel(recipe)}" on ${describeDataPlan(plan)}?`,
    { modal: true, detail: 'The same images as the last run; the seed\'s settings for this recipe.' },
    'Train',
    'Choose Other Images…',
  );
  if (choice === 'Train') await startTraining(services, { plan, settings: defaultSettings({ recipe, isDemo: plan.kind === 'demo' }) });
  if (choice === 'Choose Other Images…') await runTrainFlow(services, { preset: recipe });
}

/** "Make Subsets": copy train/validation/test out of a source folder, without training. */
export async function runPrepareFlow(services: Services): Promise<void> {
  const title = 'Make Subsets';
  const plan = await pickDataPlan({ workFolder: services.settings.workFolder(), title });
  if (plan === undefined) return;
  if (plan.kind === 'demo') {
    const choice = await vscode.window.showInformationMessage('The demo images are generated and split when a run trains on them.', 'Train on the Demo Data');
    if (choice !== undefined) await runTrainFlowWith(services, plan);
    return;
  }
  const dir = plan.kind === 'prepared' ? plan.dir : await prepareSubsets(services, plan);
  if (dir === undefined) return;
  const choice = await vscode.window.showInformationMessage(
    plan.kind === 'prepared' ? `${path.basename(dir)} already holds train/validation/test subsets.` : `The subsets are ready in ${dir}.`,
    'Train on Them',
  );
  if (choice !== undefined) await runTrainFlowWith(services, { kind: 'prepared', dir });
}

async function runTrainFlowWith(services: Services, plan: DataPlan): Promise<void> {
  if (!(await checkNoRunActive(services))) return;
  const settings = await pickSettings({ title: TRAIN_TITLE, isDemo: plan.kind === 'demo' });
  if (settings !== undefined) await startTraining(services, { plan, settings });
}
