/**
 * Every id the extension shares with package.json, declared once: commands, views, settings,
 * context values and the panel's view type. test/extension/manifest.test.ts checks package.json
 * declares exactly these.
 */

export const EXTENSION_ID = 'small-convnet.small-convnet';

export const COMMANDS = {
  train: 'smallConvnet.train',
  trainFromScratch: 'smallConvnet.trainFromScratch',
  trainWithAugmentation: 'smallConvnet.trainWithAugmentation',
  prepareData: 'smallConvnet.prepareData',
  openPanel: 'smallConvnet.openPanel',
  stopTraining: 'smallConvnet.stopTraining',
  showRun: 'smallConvnet.showRun',
  evaluateCheckpoint: 'smallConvnet.evaluateCheckpoint',
  predictImage: 'smallConvnet.predictImage',
  predictWithCheckpoint: 'smallConvnet.predictWithCheckpoint',
  revealRun: 'smallConvnet.revealRun',
  deleteRun: 'smallConvnet.deleteRun',
  deleteSubsets: 'smallConvnet.deleteSubsets',
  refreshViews: 'smallConvnet.refreshViews',
  showLog: 'smallConvnet.showLog',
  resumeRun: 'smallConvnet.resumeRun',
  exportModel: 'smallConvnet.exportModel',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

export const VIEW_CONTAINER = 'smallConvnet';

export const VIEWS = {
  subsets: 'smallConvnet.subsets',
  checkpoints: 'smallConvnet.checkpoints',
} as const;

/** Section of every setting; the keys below are relative to it. */
export const SETTINGS_SECTION = 'smallConvnet';

export const SETTINGS = {
  backend: 'backend',
  outputFolder: 'outputFolder',
  trainerNodePath: 'trainerNodePath',
  workers: 'workers',
} as const;

/** `viewItem` context values of the Checkpoints and Subsets trees (matched in package.json menus). */
export const CONTEXT_VALUES = {
  run: 'smallConvnetRun',
  runTraining: 'smallConvnetRunTraining',
  /** A stopped, failed or interrupted run with a resume state and epochs left. */
  runResumable: 'smallConvnetRunResumable',
  checkpoint: 'smallConvnetCheckpoint',
  subsetImage: 'smallConvnetSubsetImage',
  subsetsFolder: 'smallConvnetSubsetsFolder',
} as const;

/** A `when`-clause context key set while a training run is active in this window. */
export const CONTEXT_KEYS = {
  /** A trainer of this window trains. */
  training: 'smallConvnet.training',
  /** A run trains in the background (its trainer is not this window's: another window, or left running by a reload). */
  trainingInBackground: 'smallConvnet.trainingInBackground',
} as const;

/**
 * Context keys the walkthrough's steps complete on (`onContext:` in package.json): set when the step really
 * succeeded (subsets copied, a Model 1 or Model 2 run completed, however started; an evaluation done), not when
 * its command was merely invoked.
 */
export const WALKTHROUGH_KEYS = {
  subsetsMade: 'smallConvnet.walkthrough.subsetsMade',
  model1Trained: 'smallConvnet.walkthrough.model1Trained',
  model2Trained: 'smallConvnet.walkthrough.model2Trained',
  evaluated: 'smallConvnet.walkthrough.evaluated',
} as const;

/** When "Stop Training" applies: a run of this window or one in the background trains. */
export const STOP_TRAINING_WHEN = `${CONTEXT_KEYS.training} || ${CONTEXT_KEYS.trainingInBackground}`;

export const PANEL_VIEW_TYPE = 'smallConvnet.trainingPanel';
export const PANEL_TITLE = 'Small Convnet Training';
export const OUTPUT_CHANNEL_NAME = 'Small Convnet';
export const WALKTHROUGH_ID = 'smallConvnet.gettingStarted';

/** Folder created in the first workspace folder (or global storage) when `outputFolder` is empty. */
export { DEFAULT_WORK_FOLDER_NAME } from '../shared/workFolder';

/** Keys of workspaceState entries. */
export const STATE_KEYS = {
  lastTrainingData: 'smallConvnet.lastTrainingData',
} as const;
