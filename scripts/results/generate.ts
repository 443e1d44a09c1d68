/**
 * The whole job: read the run folders, then write each run's two charts, results.json (when both runs are given)
 * and return the markdown fragment. Every folder is read and checked before anything is written.
 */
import { join } from 'node:path';
import type { LearningCurveChart } from './chartSvg';
import { learningCurveSvg } from './chartSvg';
import { lowestValLossEpoch } from './curves';
import { resultsMarkdown, type RunsByModel } from './markdown';
import { chartPath, MODEL_KEYS, type Metric, type ModelKey } from './models';
import { writeSvgAsPng } from './png';
import { resultsJson, writeResultsJson } from './resultsJson';
import { readRunFolder, type RunData } from './runFolder';

export interface GenerateOptions {
  /** Run folders by model; at least one. */
  runs: Partial<Record<ModelKey, string>>;
  /** Where images/ and results.json go (docs/). */
  outDir: string;
  /** How to run the trainer, for messages (default: node dist/trainer/main.js). */
  trainerCommand?: string;
}

export interface GenerateResult {
  /** The PNG files written. */
  images: string[];
  /** results.json, or null when it was not written (it needs both runs). */
  resultsFile: string | null;
  /** The fragment for docs/results.md. */
  markdown: string;
  /** Things the person should know (incomplete runs, why results.json was not written). */
  notes: string[];
}

const CHART_TEXT: Record<Metric, { title: string; yLabel: string; training: string; validation: string }> = {
  accuracy: { title: 'Training and validation accuracy', yLabel: 'Accuracy', training: 'Training accuracy', validation: 'Validation accuracy' },
  loss: { title: 'Training and validation loss', yLabel: 'Loss', training: 'Training loss', validation: 'Validation loss' },
};

/** The chart of one metric of a run, the best checkpoint's epoch marked. */
export function runChart(run: RunData, metric: Metric): LearningCurveChart {
  const text = CHART_TEXT[metric];
  const validation = metric === 'accuracy' ? run.history.val_accuracy : run.history.val_loss;
  return {
    title: text.title,
    yLabel: text.yLabel,
    training: { label: text.training, values: run.history[metric] },
    validation: { label: text.validation, values: validation },
    bestEpoch: run.best.epoch,
  };
}

function notesOn(key: ModelKey, run: RunData): string[] {
  const notes: string[] = [];
  const done = run.history.loss.length;
  const planned = run.run.settings.epochs;
  if (run.run.status !== 'completed' || done !== planned) {
    notes.push(`--${key} ${run.dir}: the run is ${run.run.status} with ${done} of ${planned} epochs in history.json; the figures show those.`);
  }
  const lowest = lowestValLossEpoch(run.history.val_loss);
  if (lowest !== null && lowest !== run.best.epoch) {
    notes.push(`--${key} ${run.dir}: best.json names epoch ${run.best.epoch} but history.json's lowest val_loss is at epoch ${lowest}.`);
  }
  return notes;
}

export async function generateResults(options: GenerateOptions): Promise<GenerateResult> {
  const keys = MODEL_KEYS.filter((key) => options.runs[key] !== undefined);
  if (keys.length === 0) throw new Error('generateResults: no run folder given');
  const runs: RunsByModel = {};
  for (const key of keys) runs[key] = readRunFolder({ dir: options.runs[key] as string, recipe: key, trainerCommand: options.trainerCommand });

  const images: string[] = [];
  const notes: string[] = [];
  for (const key of keys) {
    const run = runs[key] as RunData;
    notes.push(...notesOn(key, run));
    for (const metric of ['accuracy', 'loss'] as const) {
      const file = join(options.outDir, chartPath(key, metric));
      await writeSvgAsPng({ svg: learningCurveSvg(runChart(run, metric)), file });
      images.push(file);
    }
  }

  let resultsFile: string | null = null;
  if (runs.scratch !== undefined && runs.augmented !== undefined) {
    resultsFile = join(options.outDir, 'results.json');
    writeResultsJson({ file: resultsFile, results: resultsJson({ scratch: runs.scratch, augmented: runs.augmented }) });
  } else {
    const missing = runs.scratch === undefined ? '--scratch' : '--augmented';
    notes.push(`results.json was not written: it holds both models, so it needs --scratch and --augmented (${missing} is missing).`);
  }
  return { images, resultsFile, markdown: resultsMarkdown(runs), notes };
}
