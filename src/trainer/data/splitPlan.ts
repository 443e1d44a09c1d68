/**
 * Which source files go to train / validation / test, per class: the first `train` files in split order,
 * the next `validation`, the next `test` (the seed's make_subset). Pure: no file system access.
 * Train and validation must be complete; a class that runs out of images in its test subset keeps the
 * test images it has and the plan says so (`shortTest`), so that a source with a few missing files
 * (like the dogs-vs-cats copy with indices 1..2500 and gaps) still gives the seed's train/validation.
 */
import * as path from 'node:path';
import { flagNote } from '../../shared/settingWords';
import { UserError } from '../util/errors';
import { unreadImagesNote, type SourceScan } from './sourceScan';

export type SubsetName = 'train' | 'validation' | 'test';

export const SUBSET_NAMES: readonly SubsetName[] = ['train', 'validation', 'test'];

/** Images per class in each subset. */
export interface SplitCounts {
  train: number;
  validation: number;
  test: number;
}

export interface SplitPlan {
  /** Sorted alphabetically, as in the scan. */
  classes: string[];
  /** subset -> class -> source-relative paths, in split order. */
  subsets: Record<SubsetName, Record<string, string[]>>;
  /** Classes whose test subset has fewer images than asked for. */
  shortTest: { className: string; wanted: number; got: number }[];
}

/** A person-readable warning for a plan's short test subsets, or null. */
export function describeShortTest(plan: SplitPlan): string | null {
  if (plan.shortTest.length === 0) return null;
  const parts = plan.shortTest.map((s) => `${s.className} ${formatCount(s.got)} of ${formatCount(s.wanted)}`);
  return `The test subset is short for ${plan.shortTest.length === 1 ? 'one class' : 'some classes'} (${parts.join(', ')}): the source has fewer images than the split asks for. Train and validation are complete; test accuracy is measured on the images there are. Choose a smaller split for equal test counts.`;
}

/** The seed's split: 1,000 / 500 / 1,000 per class. */
export const SEED_SPLIT: Readonly<SplitCounts> = Object.freeze({ train: 1000, validation: 500, test: 1000 });

/** 1234567 -> "1,234,567" (independent of the locale). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatSplit(counts: SplitCounts): string {
  return `${counts.train}/${counts.validation}/${counts.test}`;
}

export function splitTotal(counts: SplitCounts): number {
  return counts.train + counts.validation + counts.test;
}

/** Throws a UserError naming `source` when counts are not whole numbers or train/validation are zero. */
export function checkSplitCounts(counts: SplitCounts, source = 'The split'): void {
  for (const name of SUBSET_NAMES) {
    const value = counts[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new UserError('bad-argument', `${source} ${formatSplit(counts)} is not valid: ${name} must be a whole number of images per class.`);
    }
  }
  if (counts.train === 0 || counts.validation === 0) {
    throw new UserError(
      'bad-argument',
      `${source} ${formatSplit(counts)} is not valid: train and validation need at least one image per class ` +
        '(only test may be 0). Write TRAIN/VALIDATION/TEST, e.g. 1000/500/1000.',
    );
  }
}

/** Parses "1000/500/1000" (train/validation/test per class). */
export function parseSplit(text: string): SplitCounts {
  const parts = text.trim().split('/').map((p) => p.trim());
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) {
    throw new UserError(
      'bad-argument',
      `Cannot read the split "${text}": write three whole numbers of images per class as TRAIN/VALIDATION/TEST, e.g. 1000/500/1000.`,
    );
  }
  const [train, validation, test] = parts.map((p) => Number(p));
  const counts = { train, validation, test };
  checkSplitCounts(counts, `The split "${text}"`);
  return counts;
}

/** The largest split with (about) the same proportions that fits in `perClass` images, or null if none does. */
export function largestFittingSplit(counts: SplitCounts, perClass: number): SplitCounts | null {
  const total = splitTotal(counts);
  if (total === 0) return null;
  const scale = Math.min(1, perClass / total);
  const fitted = {
    train: Math.floor(counts.train * scale),
    validation: Math.floor(counts.validation * scale),
    test: Math.floor(counts.test * scale),
  };
  if (fitted.train < 1 || fitted.validation < 1) return null;
  return fitted;
}

function tooFewImagesError(scan: SourceScan, counts: SplitCounts): UserError {
  const needed = counts.train + counts.validation + Math.min(1, counts.test);
  const smallest = scan.classes.reduce((a, b) => (b.files.length < a.files.length ? b : a));
  const found = scan.classes.map((c) => `${c.name} ${formatCount(c.files.length)}`).join(', ');
  const fitted = largestFittingSplit(counts, smallest.files.length);
  const advice =
    fitted === null
      ? 'No split with train and validation images fits; add images.'
      : `The largest split with the same proportions that fits is ${formatSplit(fitted)}; ` +
        `choose it ${flagNote('--split')} or add images.`;
  return new UserError(
    'too-few-images',
    `Class "${smallest.name}" has ${formatCount(smallest.files.length)} images but the split ${formatSplit(counts)} ` +
      `needs ${formatCount(needed)} per class (all of train and validation${counts.test > 0 ? ' and at least one test image' : ''}). Found: ${found}. ` +
      `${[unreadImagesNote(scan, smallest.name), advice].filter(Boolean).join(' ')}`,
  );
}

/** The copy puts each class in one folder, so two selected files of a class must not share a name. */
function checkUniqueBasenames(scan: SourceScan, plan: SplitPlan): void {
  for (const className of plan.classes) {
    const seen = new Map<string, string>();
    for (const subset of SUBSET_NAMES) {
      for (const file of plan.subsets[subset][className]) {
        const base = path.posix.basename(file);
        const other = seen.get(base);
        if (other !== undefined) {
          throw new UserError(
            'bad-data',
            `Files "${other}" and "${file}" in ${scan.dir} have the same name "${base}"; the prepared copy puts ` +
              `all images of class "${className}" in one folder per subset, so rename one of them.`,
          );
        }
        seen.set(base, file);
      }
    }
  }
}

export function planSplit(options: { scan: SourceScan; counts: SplitCounts }): SplitPlan {
  const { scan, counts } = options;
  checkSplitCounts(counts);
  // Train and validation complete, and at least one test image when test images are asked for.
  const needed = counts.train + counts.validation + Math.min(1, counts.test);
  if (scan.classes.some((c) => c.files.length < needed)) throw tooFewImagesError(scan, counts);

  const classes = scan.classes.map((c) => c.name);
  const subsets: SplitPlan['subsets'] = { train: {}, validation: {}, test: {} };
  for (const c of scan.classes) {
    let start = 0;
    for (const subset of SUBSET_NAMES) {
      subsets[subset][c.name] = c.files.slice(start, start + counts[subset]);
      start += counts[subset];
    }
  }
  const shortTest = scan.classes
    .filter((c) => subsets.test[c.name].length < counts.test)
    .map((c) => ({ className: c.name, wanted: counts.test, got: subsets.test[c.name].length }));
  const plan = { classes, subsets, shortTest };
  checkUniqueBasenames(scan, plan);
  return plan;
}
