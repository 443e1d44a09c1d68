/**
 * Which train/validation/test split (images per class) to offer for a source folder: the seed's
 * 1000/500/1000 when it fits, else the largest split with the same proportions. Like the trainer, train and
 * validation must be complete and test may come out short (the trainer keeps it with a warning). Pure.
 */
import { DEMO } from '../../shared/recipes';
import { formatSplit, type SplitCounts } from '../trainer/trainerArgs';

export const SEED_SPLIT: Readonly<SplitCounts> = Object.freeze({ train: 1000, validation: 500, test: 1000 });
/** The trainer's demo split and size (src/shared/recipes.ts). */
export const DEMO_SPLIT: Readonly<SplitCounts> = Object.freeze({ ...DEMO.split });
export const DEMO_IMAGES_PER_CLASS = DEMO.perClass;

/** Images per class a split needs: all of train and validation, and at least one test image if test > 0. */
export function imagesNeeded(counts: SplitCounts): number {
  return counts.train + counts.validation + Math.min(1, counts.test);
}

/** Test images per class the split will actually get from `perClass` images. */
export function testImagesGot(counts: SplitCounts, perClass: number): number {
  return Math.max(0, Math.min(counts.test, perClass - counts.train - counts.validation));
}

export function splitFits(counts: SplitCounts, perClass: number): boolean {
  return perClass >= imagesNeeded(counts);
}

/** The largest split with (about) the proportions of `counts` that fits in `perClass` images, or null. */
export function largestFittingSplit(counts: SplitCounts, perClass: number): SplitCounts | null {
  const total = counts.train + counts.validation + counts.test;
  if (total === 0) return null;
  const scale = Math.min(1, perClass / total);
  const fitted = { train: Math.floor(counts.train * scale), validation: Math.floor(counts.validation * scale), test: Math.floor(counts.test * scale) };
  return fitted.train >= 1 && fitted.validation >= 1 ? fitted : null;
}

export interface SplitOption {
  counts: SplitCounts;
  /** Why it is offered, for the QuickPick item. */
  note: string;
}

/** The seed's split if it fits, plus a smaller complete one when the seed's would be short or does not fit. */
export function splitOptions(perClass: number): SplitOption[] {
  const options: SplitOption[] = [];
  if (splitFits(SEED_SPLIT, perClass)) {
    const test = testImagesGot(SEED_SPLIT, perClass);
    const note = test < SEED_SPLIT.test ? `the seed's split; test keeps only ${test} per class (the trainer warns)` : "the seed's split";
    options.push({ counts: { ...SEED_SPLIT }, note });
  }
  const fitted = largestFittingSplit(SEED_SPLIT, perClass);
  if (fitted !== null && (fitted.train !== SEED_SPLIT.train || fitted.validation !== SEED_SPLIT.validation || fitted.test !== SEED_SPLIT.test)) {
    options.push({ counts: fitted, note: `suggested: the seed's proportions in the ${perClass} images of the smallest class` });
  }
  return options;
}

/** Parses "1000/500/1000"; returns the counts or a message saying what is wrong (for an InputBox). */
export function parseSplitInput(text: string, perClass: number): { counts: SplitCounts } | { error: string } {
  const parts = text.trim().split('/').map((part) => part.trim());
  if (parts.length !== 3 || parts.some((part) => !/^\d+$/.test(part))) {
    return { error: 'Write three whole numbers of images per class as TRAIN/VALIDATION/TEST, e.g. 1000/500/1000.' };
  }
  const [train, validation, test] = parts.map(Number);
  const counts = { train, validation, test };
  if (train < 1 || validation < 1) return { error: 'Train and validation need at least one image per class (only test may be 0).' };
  // A split typed by hand must fit whole: train + validation + test images of every class. (Only the seed's own
  // split is offered with a short test subset, saying so, for sources a few images short of it.)
  const total = train + validation + test;
  if (Number.isFinite(perClass) && total > perClass) {
    const fitted = largestFittingSplit(counts, perClass);
    const advice = fitted === null ? 'Add images.' : `${formatSplit(fitted)} fits.`;
    return { error: `${formatSplit(counts)} needs ${total} images per class (${train} + ${validation} + ${test}); the smallest class has ${perClass}. ${advice}` };
  }
  return { counts };
}

export function validateSplitInput(text: string, perClass: number): string | undefined {
  const parsed = parseSplitInput(text, perClass);
  return 'error' in parsed ? parsed.error : undefined;
}
