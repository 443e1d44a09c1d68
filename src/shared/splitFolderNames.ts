/**
 * Datasets often come already split into subsets, each holding the class folders: Keras' train/validation,
 * PyTorch's train/val (ImageFolder tutorials), Kaggle's training_set/test_set. Read as a folder of classes,
 * such a dataset gives the "classes" train and test, and a model that learns to tell them apart. Both the
 * trainer (`prepare`) and the extension (the folder picker) recognise the names declared here. Pure.
 */

const TRAIN_NAMES: ReadonlySet<string> = new Set(['train', 'training', 'train_set', 'training_set', 'trainset', 'trainingset']);
const HELD_OUT_NAMES: ReadonlySet<string> = new Set([
  'validation',
  'val',
  'valid',
  'validation_set',
  'val_set',
  'test',
  'testing',
  'test_set',
  'testset',
  'eval',
  'evaluation',
  'dev',
]);

/** "Training Set", "training-set" and "TRAINING_SET" are the same name. */
function normalized(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** "train", "Training Set", …: a name that says "the training images of a dataset", not what they show. */
export function isTrainingFolderName(name: string): boolean {
  return TRAIN_NAMES.has(normalized(name));
}

export interface SubsetLikeFolders {
  /** The folder that looks like the training subset, as named on disk. */
  train: string;
  /** The other subset-like folders (validation, test, …), as named on disk. */
  heldOut: string[];
}

/**
 * When the names of a folder's sub-folders include one training-like name and at least one validation- or
 * test-like name, those folders (the caller then checks the training one holds class folders); else null.
 */
export function subsetLikeFolders(names: readonly string[]): SubsetLikeFolders | null {
  const train = names.filter((name) => TRAIN_NAMES.has(normalized(name)));
  const heldOut = names.filter((name) => HELD_OUT_NAMES.has(normalized(name)));
  return train.length === 1 && heldOut.length > 0 ? { train: train[0], heldOut } : null;
}

/** "train/ and test/", "train/, val/ and test/" */
export function listFolders(names: readonly string[]): string {
  const shown = names.map((name) => `${name}/`);
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}
