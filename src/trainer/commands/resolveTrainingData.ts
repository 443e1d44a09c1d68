/**
 * Turns what the user passed to `train` into a prepared subsets folder (train/, validation/, test/):
 * nothing -> the built-in demo data (generated, then prepared); a prepared folder -> itself;
 * a source folder (Kaggle-style flat, or one sub-folder per class) -> prepared into the work folder.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultSubsetsFolder } from '../../shared/node/subsetsFolder';
import { DEMO } from '../../shared/recipes';
import type { PreparedMessage, SkippedFile, SubsetName } from '../../shared/trainerProtocol';
import { generateDemoSource } from '../data/demoData';
import { readManifest } from '../data/manifest';
import { PREPARING_MARKER, prepareSubsets, type PrepareResult } from '../data/prepare';
import { parseSplit, SEED_SPLIT, type SplitCounts } from '../data/splitPlan';
import { UserError } from '../util/errors';
import type { CommandContext } from './commandContext';
import { emitSkippedWarnings } from './skippedWarnings';


export interface TrainingData {
  dir: string;
  manifestId: string | null;
  isDemo: boolean;
  /** Source entries the prepare step left out (none when DATA was already prepared). */
  skipped: SkippedFile[];
}


function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** A folder that already holds the subsets (made by `prepare`, or by hand like cats_vs_dogs_small). */
export function isPreparedDir(dir: string): boolean {
  return isDirectory(join(dir, 'train')) && isDirectory(join(dir, 'validation'));
}

export function preparedMessage(result: PrepareResult): PreparedMessage {
  const files = result.manifest.files;
  const total = (subset: SubsetName) => Object.values(files[subset]).reduce((sum, list) => sum + list.length, 0);
  return {
    type: 'prepared',
    outDir: result.outDir,
    manifestId: result.manifest.id,
    classes: result.manifest.classes,
    counts: { train: total('train'), validation: total('validation'), test: total('test') },
    copied: result.copied,
    unchanged: result.unchanged,
    skipped: result.skipped,
    warnings: result.warnings,
  };
}

export async function prepareWithProgress(options: {
  context: CommandContext;
  source: string;
  out: string;
  counts: SplitCounts;
  replace: boolean;
}): Promise<PrepareResult> {
  const { context } = options;
  const result = await prepareSubsets({
    source: options.source,
    out: options.out,
    counts: options.counts,
    replace: options.replace,
    signal: context.cancel.signal,
    onProgress: ({ copied, total }) => {
      if (copied === total || copied % 100 === 0) context.emit({ type: 'prepare-progress', copied, total });
    },
  });
  context.emit(preparedMessage(result));
  emitSkippedWarnings({ context, skipped: result.skipped, where: options.source });
  for (const warning of result.warnings) context.emit({ type: 'warning', message: warning });
  return result;
}

export async function resolveTrainingData(options: {
  context: CommandContext;
  data: string | undefined;
  workDir: string;
  split: string | undefined;
  replace: boolean;
}): Promise<TrainingData> {
  const { context, workDir } = options;
  if (options.data === undefined) {
    const sourceDir = resolve(workDir, 'demo', 'source');
    context.log(`No data folder given: using the built-in demo data (generated in ${sourceDir}).`);
    await generateDemoSource({ dir: sourceDir, perClass: DEMO.perClass, size: DEMO.sourceImageSize, seed: DEMO.seed });
    const prepared = await prepareWithProgress({
      context,
      source: sourceDir,
      out: resolve(workDir, 'demo', 'subsets'),
      counts: options.split ? parseSplit(options.split) : { ...DEMO.split },
      replace: true,
    });
    return { dir: prepared.outDir, manifestId: prepared.manifest.id, isDemo: true, skipped: prepared.skipped };
  }
  const data = resolve(options.data);
  if (!existsSync(data)) {
    throw new UserError('not-found', `The data folder ${data} does not exist. Pass a folder of images (e.g. the Kaggle dogs-vs-cats train folder) or prepared subsets.`);
  }
  if (!isDirectory(data)) {
    throw new UserError('bad-data', `${data} is a file, not a folder. Pass the folder that holds the images (or the class sub-folders, or the prepared train/ and validation/).`);
  }
  if (isPreparedDir(data)) {
    if (existsSync(join(data, PREPARING_MARKER))) {
      throw new UserError(
        'bad-data',
        `${data} is an unfinished split: copying the images into it stopped before the end (disk full, or the prepare was stopped). Prepare it again with --replace (small-convnet prepare SOURCE --out ${data} --replace), or train on another folder.`,
      );
    }
    if (options.split) context.log(`${data} already holds train/ and validation/: --split is ignored.`);
    const manifest = await readManifest(data);
    return { dir: data, manifestId: manifest?.id ?? null, isDemo: false, skipped: [] };
  }
  const counts = options.split ? parseSplit(options.split) : { ...SEED_SPLIT };
  const out = defaultSubsetsFolder({ workFolder: workDir, source: data, counts });
  const prepared = await prepareWithProgress({ context, source: data, out, counts, replace: options.replace });
  return { dir: prepared.outDir, manifestId: prepared.manifest.id, isDemo: false, skipped: prepared.skipped };
}
