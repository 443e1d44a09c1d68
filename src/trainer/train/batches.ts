/**
 * Batches of an in-memory dataset, reshuffled every epoch from the run's seed (like a shuffled
 * `image_dataset_from_directory`), with the augmentation stage applied to training batches.
 */
import type { AugmentationConfig } from '../data/augmentation';
import { augmentBatch } from '../data/augmentation';
import { deriveSeed, Rng } from '../util/rng';

/** The part of a decoded dataset that training needs (uint8 NHWC pixels, class-index labels). */
export interface LabeledImages {
  count: number;
  height: number;
  width: number;
  images: Uint8Array;
  labels: Int32Array;
}

export interface Batch {
  size: number;
  /** size * height * width * 3 pixel values in 0..255 (the model rescales). */
  pixels: Float32Array;
  labels: Float32Array;
  indices: number[];
}

/** The example order of one epoch: a permutation that depends only on (seed, epoch). */
export function epochOrder(options: { count: number; seed: number; epoch: number; shuffle: boolean }): number[] {
  const order = Array.from({ length: options.count }, (_, i) => i);
  if (!options.shuffle) return order;
  return new Rng(deriveSeed(options.seed, 1, options.epoch)).shuffled(order);
}

/** Splits an order into batch index lists; the last batch may be smaller (Keras keeps it). */
export function batchIndices(order: number[], batchSize: number): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}

export interface AssembleOptions {
  data: LabeledImages;
  indices: number[];
  /** Training batches of Model 2: random flip/rotation/zoom per image, from `augmentationSeed`. */
  augmentation?: AugmentationConfig;
  augmentationSeed?: number;
}

/** Copies (and, when asked, augments) the images of one batch into a float buffer. */
export function assembleBatch(options: AssembleOptions): Batch {
  const { data, indices } = options;
  const pixelsPerImage = data.height * data.width * 3;
  const size = indices.length;
  const gathered = new Uint8Array(size * pixelsPerImage);
  const labels = new Float32Array(size);
  indices.forEach((index, row) => {
    gathered.set(data.images.subarray(index * pixelsPerImage, (index + 1) * pixelsPerImage), row * pixelsPerImage);
    labels[row] = data.labels[index];
  });
  const pixels = new Float32Array(size * pixelsPerImage);
  if (options.augmentation) {
    augmentBatch({
      images: gathered,
      count: size,
      height: data.height,
      width: data.width,
      channels: 3,
      config: options.augmentation,
      rng: new Rng(options.augmentationSeed ?? 0),
      dst: pixels,
    });
  } else {
    pixels.set(gathered);
  }
  return { size, pixels, labels, indices };
}
