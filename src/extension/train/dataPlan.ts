/** Which images a training run uses, as the guided flow decided it. Pure. */
import * as path from 'node:path';
import { defaultSubsetsFolder } from '../../shared/node/subsetsFolder';
import { formatSplit, type SplitCounts } from '../trainer/trainerArgs';
import { isRecord } from '../util/readJson';

export type DataPlan =
  /** The trainer generates the demo images and prepares them itself. */
  | { kind: 'demo'; split: SplitCounts }
  /** A folder with train/ and validation/ (and test/), used as it is. */
  | { kind: 'prepared'; dir: string }
  /** A source folder to copy subsets out of first (`prepare`). */
  | { kind: 'source'; dir: string; split: SplitCounts };

export function describeDataPlan(plan: DataPlan): string {
  switch (plan.kind) {
    case 'demo':
      return `the built-in demo data (${formatSplit(plan.split)} per class)`;
    case 'prepared':
      return path.basename(plan.dir);
    case 'source':
      return `${path.basename(plan.dir)} (${formatSplit(plan.split)} per class)`;
  }
}

/** Where `prepare` copies a source's subsets: the trainer's default (../../shared/node/subsetsFolder.ts). */
export function subsetsFolderFor(options: { workFolder: string; source: string; split: SplitCounts }): string {
  return defaultSubsetsFolder({ workFolder: options.workFolder, source: options.source, counts: options.split });
}

function isSplit(value: unknown): value is SplitCounts {
  return isRecord(value) && [value.train, value.validation, value.test].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
}

/** A DataPlan read back from workspace state (untrusted), or undefined. */
export function readDataPlan(value: unknown): DataPlan | undefined {
  if (!isRecord(value)) return undefined;
  if (value.kind === 'demo' && isSplit(value.split)) return { kind: 'demo', split: value.split };
  if (value.kind === 'prepared' && typeof value.dir === 'string' && path.isAbsolute(value.dir)) return { kind: 'prepared', dir: value.dir };
  if (value.kind === 'source' && typeof value.dir === 'string' && path.isAbsolute(value.dir) && isSplit(value.split)) {
    return { kind: 'source', dir: value.dir, split: value.split };
  }
  return undefined;
}
