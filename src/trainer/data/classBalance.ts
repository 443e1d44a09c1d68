/**
 * Warnings about classes of very different sizes. Training on them is allowed (Keras does), but the
 * accuracy then means little: always answering the largest class already scores its share. Pure.
 */
import { formatCount } from './splitPlan';

/** Warn when the smallest class has less than this share of the largest one's images. */
export const IMBALANCE_RATIO = 0.5;

export interface SubsetClassCounts {
  subset: string;
  /** Images per class, in the order of `classes`. */
  counts: number[];
}

export function countPerClass(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

export function isImbalanced(counts: readonly number[]): boolean {
  if (counts.length < 2) return false;
  return Math.min(...counts) < IMBALANCE_RATIO * Math.max(...counts);
}

function listCounts(classes: readonly string[], counts: readonly number[]): string {
  return classes.map((name, i) => `${name} ${formatCount(counts[i])}`).join(', ');
}

/**
 * For decoded subsets (the first one is the training set): a warning with every subset's per-class
 * counts and the accuracy of always answering the largest class, or null when they are balanced enough.
 */
export function describeImbalance(options: { classes: readonly string[]; subsets: readonly SubsetClassCounts[] }): string | null {
  const { classes, subsets } = options;
  const train = subsets[0];
  if (train === undefined || !isImbalanced(train.counts)) return null;
  const total = train.counts.reduce((a, b) => a + b, 0);
  const largest = train.counts.indexOf(Math.max(...train.counts));
  const share = Math.round((100 * train.counts[largest]) / Math.max(1, total));
  const perSubset = subsets.map((s) => `${s.subset}: ${listCounts(classes, s.counts)}`).join('; ');
  return (
    `The classes are imbalanced (${perSubset}). A model that always answers "${classes[largest]}" is right ${share}% of the time ` +
    `on the training images, so compare accuracy with ${share}%, not ${Math.round(100 / classes.length)}%, and look at the per-class accuracy ` +
    '(evaluate). For equal classes, prepare the split from the source folder: it takes the same number of images from each class.'
  );
}

/**
 * For a source folder split with the same number per class: a note that the subsets are balanced and how
 * many images of the larger classes are left out, or null when the source classes are balanced enough.
 */
export function describeSourceImbalance(options: { classes: readonly string[]; sourceCounts: readonly number[]; perClass: { train: number; validation: number; test: number } }): string | null {
  const { classes, sourceCounts, perClass } = options;
  if (!isImbalanced(sourceCounts)) return null;
  const used = perClass.train + perClass.validation + perClass.test;
  const unused = classes
    .map((name, i) => ({ name, left: sourceCounts[i] - used }))
    .filter((c) => c.left > 0)
    .map((c) => `${formatCount(c.left)} ${c.name}`);
  return (
    `The classes of the source are imbalanced (${listCounts(classes, sourceCounts)}). The split takes the same number from each class ` +
    `(train ${perClass.train}, validation ${perClass.validation}, test ${perClass.test} per class), so the subsets are balanced` +
    (unused.length > 0 ? ` and ${unused.join(', ')} images are not used.` : '.')
  );
}
