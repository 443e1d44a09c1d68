/** A tiny prepared image set (generated demo images at the trainer's minimum size) for tests that train. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generateDemoSource } from '../../src/trainer/data/demoData';
import { runTrainer } from './runTrainer';

export const TINY_IMAGE_SIZE = 78;

/** Generates `perClass` images per class under `root`/source and prepares them into `root`/data; returns the data folder. */
export async function makeTinyDataset(options: { root: string; perClass?: number; split?: string }): Promise<string> {
  const source = join(options.root, 'source');
  const data = join(options.root, 'data');
  await generateDemoSource({ dir: source, perClass: options.perClass ?? 10, size: TINY_IMAGE_SIZE, seed: 5 });
  const prepared = await runTrainer({ args: ['prepare', source, '--split', options.split ?? '5/3/2', '--out', data, '--json'] });
  assert.equal(prepared.code, 0, prepared.stderr);
  return data;
}

/** `train` options (after the command, without --json) for a few fast epochs of Model 2 (one worker thread unless told). */
export function tinyTrainOptions(options: { data: string; out: string; epochs: number; workers?: number }): string[] {
  return [
    options.data, '--recipe', 'augmented', '--epochs', String(options.epochs), '--image-size', String(TINY_IMAGE_SIZE),
    '--batch-size', '4', '--workers', String(options.workers ?? 1), '--out', options.out,
  ];
}
