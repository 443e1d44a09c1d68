/** docs/results.json (issue 7): each model's test accuracy, best epoch and epochs, taken from its run folder. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../src/trainer/util/atomicWrite';
import type { RunData } from './runFolder';

export interface ModelResult {
  test_accuracy: number;
  best_epoch: number;
  epochs: number;
}

export interface ResultsJson {
  from_scratch: ModelResult;
  augmented: ModelResult;
}

/** One model's entry: evaluation.json's accuracy (unrounded), best.json's epoch, run.json's settings.epochs. */
export function modelResult(run: RunData): ModelResult {
  // Built key by key so the file's key order is always test_accuracy, best_epoch, epochs.
  return { test_accuracy: run.evaluation.accuracy, best_epoch: run.best.epoch, epochs: run.run.settings.epochs };
}

export function resultsJson(options: { scratch: RunData; augmented: RunData }): ResultsJson {
  return { from_scratch: modelResult(options.scratch), augmented: modelResult(options.augmented) };
}

/** The file's text: two-space indented JSON and a final newline. */
export function resultsJsonText(results: ResultsJson): string {
  return JSON.stringify(results, null, 2) + '\n';
}

/** Writes `results` to `file` via a temporary file and a rename. */
export function writeResultsJson(options: { file: string; results: ResultsJson }): void {
  mkdirSync(dirname(options.file), { recursive: true });
  writeFileAtomic(options.file, resultsJsonText(options.results));
}
