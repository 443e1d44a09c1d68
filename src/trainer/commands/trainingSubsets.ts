/**
 * The training data of a run: train/ and validation/ of a prepared folder, decoded once into memory,
 * after the checks that need only the file counts (class balance, the memory estimate). A batch size larger than
 * the training set is no error: as in Keras, each epoch is then one batch of every training image.
 */
import { freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import type { TrainSettings } from '../../shared/recipes';
import type { BackendName, SubsetName } from '../../shared/trainerProtocol';
import { countPerClass, describeImbalance } from '../data/classBalance';
import { loadImageFolder, type ImageFolderDataset } from '../data/imageFolder';
import { scanClassFolders, type ClassFolderScan } from '../data/sourceScan';
import { checkTrainingMemory, formatGigabytes, type MachineMemory } from '../train/memoryEstimate';
import { UserError } from '../util/errors';
import type { CommandContext } from './commandContext';
import { emitSkippedWarnings } from './skippedWarnings';

export interface TrainingSubsets {
  train: ImageFolderDataset;
  validation: ImageFolderDataset;
}

async function loadSubset(options: { context: CommandContext; dir: string; scan: ClassFolderScan; subset: SubsetName; imageSize: number }): Promise<ImageFolderDataset> {
  const { context, dir, scan, subset, imageSize } = options;
  const started = performance.now();
  const dataset = await loadImageFolder({ dir, scan, height: imageSize, width: imageSize, signal: context.cancel.signal });
  context.emit({
    type: 'dataset-loaded',
    subset,
    dir,
    count: dataset.count,
    classes: dataset.classNames,
    skipped: dataset.skipped,
    seconds: (performance.now() - started) / 1000,
  });
  emitSkippedWarnings({ context, skipped: dataset.skipped, where: dir });
  return dataset;
}

function imageCount(scan: ClassFolderScan): number {
  return scan.classes.reduce((sum, c) => sum + c.files.length, 0);
}

/** Where the steps will run: how many model replicas train (one per worker thread for wasm and cpu). */
export interface EnginePlan {
  backend: BackendName;
  replicas: number;
}

export interface LoadTrainingSubsetsOptions {
  context: CommandContext;
  dataDir: string;
  settings: TrainSettings;
  engine: EnginePlan;
  /** Default: this machine's (os.totalmem, os.freemem). */
  machine?: MachineMemory;
}

/**
 * Decodes train/ and validation/ of a prepared folder and checks they fit the settings: the memory estimate is
 * checked on the file counts, before anything is decoded.
 */
export async function loadTrainingSubsets(options: LoadTrainingSubsetsOptions): Promise<TrainingSubsets> {
  const { context, dataDir, settings, engine } = options;
  const trainDir = join(dataDir, 'train');
  const validationDir = join(dataDir, 'validation');
  const trainScan = await scanClassFolders({ dir: trainDir });
  const validationScan = await scanClassFolders({ dir: validationDir });
  const trainCount = imageCount(trainScan);
  if (trainCount > 0) {
    const memory = checkTrainingMemory({
      input: {
        imageSize: settings.imageSize,
        batchSize: settings.batchSize,
        trainCount,
        validationCount: imageCount(validationScan),
        numClasses: Math.max(2, trainScan.classes.length),
        replicas: engine.replicas,
      },
      machine: options.machine ?? { totalBytes: totalmem(), freeBytes: freemem() },
      wasm: engine.backend === 'wasm',
    });
    if (memory.error) throw memory.error;
    if (memory.warning) context.emit({ type: 'warning', message: memory.warning });
    context.log(`Memory estimate: about ${formatGigabytes(memory.estimate.total)} for this run.`);
  }

  const train = await loadSubset({ context, dir: trainDir, scan: trainScan, subset: 'train', imageSize: settings.imageSize });
  const validation = await loadSubset({ context, dir: validationDir, scan: validationScan, subset: 'validation', imageSize: settings.imageSize });
  if (validation.classNames.join('\n') !== train.classNames.join('\n')) {
    throw new UserError(
      'bad-data',
      `${validationDir} has the classes ${validation.classNames.join(', ')} but ${trainDir} has ${train.classNames.join(', ')}. Both need the same class folders.`,
    );
  }
  const numClasses = train.classNames.length;
  const imbalance = describeImbalance({
    classes: train.classNames,
    subsets: [
      { subset: 'train', counts: countPerClass(train.labels, numClasses) },
      { subset: 'validation', counts: countPerClass(validation.labels, numClasses) },
    ],
  });
  if (imbalance) context.emit({ type: 'warning', message: imbalance });
  return { train, validation };
}
