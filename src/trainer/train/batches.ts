/**
 * Batches of an in-memory dataset, reshuffled every epoch from the run's seed (like a shuffled
 * `image_dataset_from_directory`), with the augmentation stage applied to training batches.
 */
import type { AugmentationConfig } from '../data/augmentation';
import { drawAugmentationParams, inverseAffine, validateAugmentationConfig } from '../data/augmentation';
import { AFFINE_SIZE, renderPixels, type DevicePixels } from '../engine/devicePixels';
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

/** A batch whose pixels the engine makes (on its GPU, in its workers): the images' bytes and, for Model 2, each one's augmentation map. */
export interface DeviceBatch {
  size: number;
  pixels: DevicePixels;
  labels: Float32Array;
  indices: number[];
}

function gather(data: LabeledImages, indices: number[]): { images: Uint8Array; labels: Float32Array } {
  const pixelsPerImage = data.height * data.width * 3;
  const images = new Uint8Array(indices.length * pixelsPerImage);
  const labels = new Float32Array(indices.length);
  indices.forEach((index, row) => {
    images.set(data.images.subarray(index * pixelsPerImage, (index + 1) * pixelsPerImage), row * pixelsPerImage);
    labels[row] = data.labels[index];
  });
  return { images, labels };
}

/**
 * The images of one batch as bytes, with each image's augmentation map drawn from `augmentationSeed` in order,
 * for an engine that makes the float pixels itself (WebGPU on its GPU, the worker pool in each worker): the same
 * pictures as assembleBatch, which renders these very maps here.
 */
export function gatherBatch(options: AssembleOptions): DeviceBatch {
  const { data, indices } = options;
  const { images, labels } = gather(data, indices);
  let transforms: Float64Array | null = null;
  if (options.augmentation) {
    validateAugmentationConfig(options.augmentation);
    const rng = new Rng(options.augmentationSeed ?? 0);
    transforms = new Float64Array(indices.length * AFFINE_SIZE);
    for (let i = 0; i < indices.length; i++) transforms.set(inverseAffine(drawAugmentationParams(options.augmentation, rng), data.height, data.width), i * AFFINE_SIZE);
  }
  return { size: indices.length, pixels: { images, transforms }, labels, indices };
}

/** Copies (and, when asked, augments) the images of one batch into a float buffer, on this thread. */
export function assembleBatch(options: AssembleOptions): Batch {
  const gathered = gatherBatch(options);
  const pixels = renderPixels(gathered.pixels, { count: gathered.size, height: options.data.height, width: options.data.width });
  return { size: gathered.size, pixels, labels: gathered.labels, indices: gathered.indices };
}

/**
 * How an engine takes its batches: float pixels assembled (and augmented) here, or, for an engine that makes the
 * pixels itself (`makesPixels`: WebGPU, the worker pool), the bytes and augmentation maps of gatherBatch.
 */
export function batchAssembler(engine: { makesPixels: boolean }): (options: AssembleOptions) => Batch | DeviceBatch {
  return engine.makesPixels ? gatherBatch : assembleBatch;
}
