/**
 * Reads and checks the files of one run folder (src/shared/runFiles.ts): run.json, history.json, best.json and
 * evaluation.json. Nothing is trusted before it is checked; every error names the file and what is wrong.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isRecipeId, type RecipeId, type TrainSettings } from '../../src/shared/recipes';
import { BEST_FILE, EVALUATION_FILE, HISTORY_FILE, RUN_FILE } from '../../src/shared/runFiles';

/** A problem with the input the person can fix; main.ts prints its message without a stack. */
export class ResultsError extends Error {
  override name = 'ResultsError';
}

export interface RunInfo {
  runId: string;
  settings: TrainSettings;
  classes: string[];
  status: string;
}

/** history.json's curves, index = epoch - 1; null (a NaN or Infinity written by JSON.stringify) read as NaN. */
export interface RunHistory {
  loss: number[];
  accuracy: number[];
  val_loss: number[];
  val_accuracy: number[];
  /** Wall-clock seconds of each epoch. */
  seconds: number[];
}

export interface BestCheckpoint {
  epoch: number;
  checkpoint: string;
  valLoss: number;
}

export interface RunEvaluation {
  accuracy: number;
  loss: number;
  count: number;
  classes: string[];
  /** confusion[true][predicted]. */
  confusion: number[][];
  perClassAccuracy: number[];
  checkpointDir: string;
  /** Epoch of the evaluated checkpoint (written by the trainer next to the EvaluationMessage), if present. */
  epoch: number | null;
}

export interface RunData {
  dir: string;
  run: RunInfo;
  history: RunHistory;
  best: BestCheckpoint;
  evaluation: RunEvaluation;
}

export interface ReadRunOptions {
  dir: string;
  /** The recipe the run must have been trained with (--scratch: 'scratch'). */
  recipe?: RecipeId;
  /** How to run the trainer, for the message that asks for an evaluation. */
  trainerCommand?: string;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isCount(value: unknown): value is number {
  return isFiniteNumber(value) && Number.isInteger(value) && value >= 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function readJsonFile(file: string, missing: string): unknown {
  if (!existsSync(file)) throw new ResultsError(missing);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ResultsError(`${file} cannot be read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ResultsError(`${file} is not valid JSON (${(error as Error).message}).`);
  }
}

function invalid(file: string, what: string): ResultsError {
  return new ResultsError(`${file} is not a valid ${basename(file)}: ${what}.`);
}

function readRunInfo(dir: string): RunInfo {
  const file = join(dir, RUN_FILE);
  const value = readJsonFile(file, `${file} not found: ${dir} is not a training run folder (one holds run.json, history.json, best.json).`);
  if (!isRecord(value) || value.version !== 1) throw invalid(file, 'expected an object with "version": 1');
  if (typeof value.runId !== 'string') throw invalid(file, '"runId" must be a string');
  const settings = value.settings;
  if (!isRecord(settings) || !isRecipeId(settings.recipe)) throw invalid(file, '"settings.recipe" must be "scratch" or "augmented"');
  if (!isCount(settings.epochs) || settings.epochs < 1) throw invalid(file, '"settings.epochs" must be a whole number of epochs, at least 1');
  if (!isStringArray(value.classes) || value.classes.length < 2) throw invalid(file, '"classes" must list the class names');
  if (typeof value.status !== 'string') throw invalid(file, '"status" must be a string');
  return { runId: value.runId, settings: settings as unknown as TrainSettings, classes: value.classes, status: value.status };
}

const CURVES = ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const;

function readHistory(dir: string): RunHistory {
  const file = join(dir, HISTORY_FILE);
  const value = readJsonFile(file, `${file} not found: the run has not finished an epoch yet, or ${dir} is not a run folder.`);
  if (!isRecord(value) || value.version !== 1) throw invalid(file, 'expected an object with "version": 1');
  const history = value.history;
  if (!isRecord(history)) throw invalid(file, '"history" must be an object of arrays');
  if (!Array.isArray(value.epochs)) throw invalid(file, '"epochs" must be an array');
  const epochs = value.epochs;
  const curves = {} as Record<(typeof CURVES)[number], number[]>;
  for (const key of CURVES) {
    const values = history[key];
    if (!Array.isArray(values) || !values.every((item) => typeof item === 'number' || item === null)) {
      throw invalid(file, `"history.${key}" must be an array of numbers (or null)`);
    }
    if (values.length !== epochs.length) {
      throw invalid(file, `"history.${key}" has ${values.length} values but "epochs" has ${epochs.length} entries`);
    }
    curves[key] = values.map((item) => (item === null ? Number.NaN : (item as number)));
  }
  if (epochs.length === 0) throw invalid(file, 'it holds no finished epoch');
  const seconds = epochs.map((entry, index) => {
    if (!isRecord(entry) || entry.epoch !== index + 1) throw invalid(file, `"epochs[${index}]" must be the entry of epoch ${index + 1}`);
    if (!isFiniteNumber(entry.seconds) || entry.seconds < 0) throw invalid(file, `"epochs[${index}].seconds" must be a number of seconds`);
    return entry.seconds;
  });
  return { ...curves, seconds };
}

function readBest(dir: string, epochs: number): BestCheckpoint {
  const file = join(dir, BEST_FILE);
  const value = readJsonFile(file, `${file} not found: the run has saved no checkpoint yet.`);
  if (!isRecord(value) || value.version !== 1) throw invalid(file, 'expected an object with "version": 1');
  if (!isCount(value.epoch) || value.epoch < 1 || value.epoch > epochs) {
    throw invalid(file, `"epoch" must be an epoch of the history (1 to ${epochs}), not ${JSON.stringify(value.epoch)}`);
  }
  if (typeof value.checkpoint !== 'string') throw invalid(file, '"checkpoint" must be a string');
  const logs = value.logs;
  const valLoss = isRecord(logs) && typeof logs.val_loss === 'number' ? logs.val_loss : Number.NaN;
  return { epoch: value.epoch, checkpoint: value.checkpoint, valLoss };
}

function readEvaluation(dir: string, trainerCommand: string): RunEvaluation {
  const file = join(dir, EVALUATION_FILE);
  const value = readJsonFile(
    file,
    `${file} not found: the run's best checkpoint has not been evaluated on the test set. Run \`${trainerCommand} evaluate ${dir}\` first.`,
  );
  if (!isRecord(value) || value.type !== 'evaluation') throw invalid(file, 'expected the trainer\'s evaluation message ("type": "evaluation")');
  if (!isFiniteNumber(value.accuracy) || value.accuracy < 0 || value.accuracy > 1) throw invalid(file, '"accuracy" must be a number from 0 to 1');
  if (!isFiniteNumber(value.loss)) throw invalid(file, '"loss" must be a number');
  if (!isCount(value.count) || value.count < 1) throw invalid(file, '"count" must be the number of test images');
  if (!isStringArray(value.classes) || value.classes.length < 2) throw invalid(file, '"classes" must list the class names');
  const classes = value.classes;
  const confusion = value.confusion;
  if (!Array.isArray(confusion) || confusion.length !== classes.length || !confusion.every((row) => Array.isArray(row) && row.length === classes.length && row.every(isCount))) {
    throw invalid(file, `"confusion" must be a ${classes.length}x${classes.length} matrix of counts (rows: true class, columns: predicted)`);
  }
  const matrix = confusion as number[][];
  const total = matrix.flat().reduce((sum, n) => sum + n, 0);
  if (total !== value.count) throw invalid(file, `the confusion matrix counts ${total} images but "count" is ${value.count}`);
  const perClass = value.perClassAccuracy;
  if (!Array.isArray(perClass) || perClass.length !== classes.length || !perClass.every((item) => typeof item === 'number' || item === null)) {
    throw invalid(file, `"perClassAccuracy" must hold ${classes.length} numbers`);
  }
  if (!Array.isArray(value.mostConfidentlyWrong)) throw invalid(file, '"mostConfidentlyWrong" must be an array');
  if (typeof value.checkpointDir !== 'string') throw invalid(file, '"checkpointDir" must be a string');
  return {
    accuracy: value.accuracy,
    loss: value.loss,
    count: value.count,
    classes,
    confusion: matrix,
    perClassAccuracy: perClass.map((item) => (item === null ? Number.NaN : (item as number))),
    checkpointDir: value.checkpointDir,
    epoch: isCount(value.epoch) ? value.epoch : null,
  };
}

/** The evaluated checkpoint must be the one best.json names, or test_accuracy would not be the best checkpoint's. */
function checkEvaluationIsOfBest(dir: string, best: BestCheckpoint, evaluation: RunEvaluation, trainerCommand: string): void {
  const evaluated = evaluation.epoch !== null ? `epoch ${evaluation.epoch}` : basename(evaluation.checkpointDir);
  const same = evaluation.epoch !== null ? evaluation.epoch === best.epoch : basename(evaluation.checkpointDir) === basename(best.checkpoint);
  if (!same) {
    throw new ResultsError(
      `${join(dir, EVALUATION_FILE)} is the evaluation of the checkpoint of ${evaluated}, but ${join(dir, BEST_FILE)} names epoch ${best.epoch} ` +
        `(the run went on after it was evaluated?). Run \`${trainerCommand} evaluate ${dir}\` again.`,
    );
  }
}

/** Everything the results page needs from one run folder, checked. */
export function readRunFolder(options: ReadRunOptions): RunData {
  const { dir } = options;
  const trainerCommand = options.trainerCommand ?? 'node dist/trainer/main.js';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ResultsError(`${dir} is not a folder: pass a training run folder (one holds run.json, history.json, best.json).`);
  const run = readRunInfo(dir);
  if (options.recipe !== undefined && run.settings.recipe !== options.recipe) {
    throw new ResultsError(`${join(dir, RUN_FILE)} is a run of the "${run.settings.recipe}" recipe, not "${options.recipe}": check which folder goes with --${options.recipe}.`);
  }
  const history = readHistory(dir);
  const best = readBest(dir, history.loss.length);
  const evaluation = readEvaluation(dir, trainerCommand);
  checkEvaluationIsOfBest(dir, best, evaluation, trainerCommand);
  return { dir, run, history, best, evaluation };
}
