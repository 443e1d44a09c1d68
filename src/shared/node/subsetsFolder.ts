/**
 * Where prepared subsets of a source folder go by default, for the trainer's `prepare`/`train` and the
 * extension alike: <work>/data/<source name>-<train>-<validation>-<test>. A source named for a subset rather
 * than for what it shows (Kaggle's dogs-vs-cats/train, or the train/ of a dataset that came split) takes its
 * parent's name in front: dogs-vs-cats-train-1000-500-1000, not train-1000-500-1000 (which then holds train/,
 * validation/ and test/ of its own).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { isTrainingFolderName } from '../splitFolderNames';

export interface SplitCountsLike {
  train: number;
  validation: number;
  test: number;
}

export function subsetsFolderName(options: { source: string; counts: SplitCountsLike }): string {
  const source = resolve(options.source);
  const parent = basename(dirname(source));
  const name = isTrainingFolderName(basename(source)) && parent !== '' ? `${parent}-${basename(source)}` : basename(source);
  const { train, validation, test } = options.counts;
  return `${name}-${train}-${validation}-${test}`;
}

export function defaultSubsetsFolder(options: { workFolder: string; source: string; counts: SplitCountsLike }): string {
  return join(resolve(options.workFolder), 'data', subsetsFolderName(options));
}
