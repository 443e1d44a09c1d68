/**
 * Dropout masks drawn per example from the run's seed, so that a step's result does not depend on
 * how the batch is split across workers, nor on anything but (seed, epoch, batch, example).
 * Inverted dropout, as Keras: kept units are scaled by 1 / (1 - rate).
 */
import { deriveSeed, Rng } from '../util/rng';

export interface DropoutMaskOptions {
  /** One seed per example of the shard (see exampleSeeds). */
  seeds: readonly number[];
  units: number;
  rate: number;
}

export function dropoutMask(options: DropoutMaskOptions): Float32Array {
  const { seeds, units, rate } = options;
  const mask = new Float32Array(seeds.length * units);
  const keep = 1 / (1 - rate);
  seeds.forEach((seed, row) => {
    const rng = new Rng(seed);
    const offset = row * units;
    for (let u = 0; u < units; u++) mask[offset + u] = rng.next() >= rate ? keep : 0;
  });
  return mask;
}

/** The per-example seeds of one training batch. */
export function exampleSeeds(options: { seed: number; epoch: number; batch: number; size: number }): number[] {
  return Array.from({ length: options.size }, (_, row) => deriveSeed(options.seed, 3, options.epoch, options.batch, row));
}
