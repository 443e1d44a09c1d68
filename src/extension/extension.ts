/**
 * Small Convnet's entry point: activate() only wires. Each command, view and the panel lives in its own
 * file; every Disposable goes to context.subscriptions.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as deleteRun from './commands/deleteRun';
import * as deleteSubsets from './commands/deleteSubsets';
import * as evaluateCheckpoint from './commands/evaluateCheckpoint';
import * as exportModel from './commands/exportModel';
import { evaluateRun } from './commands/evaluateRun';
import { activationsOfImage, explainImages } from './commands/explainImages';
import * as openPanel from './commands/openPanel';
import { pickRun } from './commands/pickRun';
import * as predictImage from './commands/predictImage';
import * as predictWithCheckpoint from './commands/predictWithCheckpoint';
import * as prepareData from './commands/prepareData';
import * as refreshViews from './commands/refreshViews';
import * as resumeRun from './commands/resumeRun';
import * as revealRun from './commands/revealRun';
import * as showLog from './commands/showLog';
import * as showRun from './commands/showRun';
import * as stopTraining from './commands/stopTraining';
import * as train from './commands/train';
import * as trainFromScratch from './commands/trainFromScratch';
import * as trainWithAugmentation from './commands/trainWithAugmentation';
import * as registerPanel from './panel/registerPanel';
import { TrainingPanel } from './panel/trainingPanel';
import { BackgroundProgress, backgroundTargets, batchEndOfProgress } from './runs/backgroundProgress';
import type { Services } from './services';
import { TrainingRuns } from './session/trainingRuns';
import { WorkspaceSettings } from './settings/workspaceSettings';
import { registerTrainingStatusBar } from './status/trainingStatusBar';
import { startRecipe } from './train/trainFlow';
import { createTrainerLauncher } from './trainer/trainerLauncher';
import { ExtensionLog } from './util/log';
import { registerViews } from './views/registerViews';

export function activate(context: vscode.ExtensionContext): void {
  const log = new ExtensionLog();
  const settings = new WorkspaceSettings(context.globalStorageUri);
  const launcher = createTrainerLauncher({
    runtime: () => ({
      extensionPath: context.extensionPath,
      hostExecPath: process.execPath,
      nodePath: settings.current().trainerNodePath,
      hostEnv: process.env,
      cwd: context.extensionPath,
    }),
    log: log.appendLine,
  });
  const runs = new TrainingRuns(launcher);
  const statusBar = registerTrainingStatusBar(runs, () => settings.workFolder());
  // Runs training in the background send no stream here: their progress.json says where their epoch is.
  const backgroundProgress = new BackgroundProgress({
    onProgress: ({ runDir, progress }) => {
      statusBar.showBackgroundBatch(runDir, progress);
      panel.session?.showBackgroundBatch(runDir, batchEndOfProgress(progress));
    },
  });
  const followRunsOnDisk = async () => {
    const onDisk = await statusBar.refreshFromDisk();
    backgroundProgress.follow(backgroundTargets(onDisk, (runDir) => runs.isActiveHere(runDir)));
  };
  const views = registerViews({
    settings,
    runs,
    onFilesChanged: () => {
      void panel.session?.refreshFromDisk();
      void followRunsOnDisk();
    },
    log: log.appendLine,
  });
  const panel = new TrainingPanel({
    extensionUri: context.extensionUri,
    runs,
    log,
    workFolder: () => settings.workFolder(),
    actions: {
      evaluateRun: (runDir) => void evaluateRun(services, runDir),
      exportRun: (runDir) => void exportModel.exportModel(services, { runDir }),
      explainImages: (runDir, files) => void explainImages(services, { runDir, files }),
      activationsOfImage: (runDir, file) => void activationsOfImage(services, { runDir, file }),
      startRecipe: (recipe) => void startRecipe(services, recipe),
      pickRunToCompare: async (shown) =>
        (
          await pickRun({
            workFolder: settings.workFolder(),
            title: 'Compare with a run',
            withCheckpoint: false,
            only: { accept: (run) => !shown.includes(path.resolve(run.runDir)), noneText: 'Every run of the work folder is in the panel already: switch each one on or off in the legend under the charts.' },
          })
        )?.runDir,
    },
  });
  const services: Services = {
    extensionUri: context.extensionUri,
    settings,
    log,
    launcher,
    runs,
    panel,
    refreshViews: views.refresh,
    workspaceState: context.workspaceState,
  };

  void followRunsOnDisk();

  context.subscriptions.push(
    log,
    settings,
    runs,
    views.disposable,
    registerPanel.register(panel),
    statusBar.disposable,
    backgroundProgress,
    ...[
      train,
      trainFromScratch,
      trainWithAugmentation,
      prepareData,
      openPanel,
      stopTraining,
      showRun,
      evaluateCheckpoint,
      predictImage,
      predictWithCheckpoint,
      revealRun,
      deleteRun,
      deleteSubsets,
      refreshViews,
      showLog,
      resumeRun,
      exportModel,
    ].map((command) => command.register(services)),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions. A run that is training keeps going on its own
  // (TrainingRuns.dispose): a reloaded window follows it through its run folder.
}
