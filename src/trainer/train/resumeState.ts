/**
 * The state a run needs to continue exactly where it stopped: the weights and RMSprop's slots after
 * the last finished epoch, that epoch, and the best val_loss so far. Shuffling, augmentation and
 * dropout draw from (seed, epoch, batch), so nothing else is needed to redo the next epochs the way
 * an uninterrupted run would.
 *
 * One file, replaced atomically after every epoch: a header line of JSON, then the float32 values
 * (little-endian) of every weight and then every optimizer slot, in the header's order.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESUME_STATE_FILE } from '../../shared/runFiles';
import type { TrainingState } from '../engine/trainingEngine';
import { writeFileAtomic } from '../util/atomicWrite';
import { UserError } from '../util/errors';

const MAGIC = 'small-convnet-resume-state';

export interface BestSoFar {
  epoch: number;
  /** The monitored val_loss. */
  value: number;
}

export interface ResumeState {
  runId: string;
  /** Finished epochs: the next epoch to train is epoch + 1. */
  epoch: number;
  best: BestSoFar | null;
  training: TrainingState;
}

interface Header {
  magic: typeof MAGIC;
  version: 1;
  runId: string;
  epoch: number;
  best: BestSoFar | null;
  iterations: number;
  /** Element counts of each weight, then of each optimizer slot. */
  weights: number[];
  slots: number[];
  savedAt: string;
}

export function resumeStateFile(runDir: string): string {
  return join(runDir, RESUME_STATE_FILE);
}

export function writeResumeState(runDir: string, state: ResumeState): void {
  const { weights, optimizer } = state.training;
  const header: Header = {
    magic: MAGIC,
    version: 1,
    runId: state.runId,
    epoch: state.epoch,
    best: state.best,
    iterations: optimizer.iterations,
    weights: weights.map((w) => w.length),
    slots: optimizer.slots.map((s) => s.length),
    savedAt: new Date().toISOString(),
  };
  // The header line is padded with spaces so the float data starts 4-byte aligned.
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((4 - ((Buffer.byteLength(headerText) + 1) % 4)) % 4) + '\n';
  const headerBytes = Buffer.from(headerText, 'utf8');
  const arrays = [...weights, ...optimizer.slots];
  const floats = arrays.reduce((n, a) => n + a.length, 0);
  const bytes = new Uint8Array(headerBytes.length + floats * 4);
  bytes.set(headerBytes, 0);
  const data = new Float32Array(bytes.buffer, headerBytes.length, floats);
  let offset = 0;
  for (const array of arrays) {
    data.set(array, offset);
    offset += array.length;
  }
  writeFileAtomic(resumeStateFile(runDir), bytes);
}

function invalid(file: string, why: string): UserError {
  return new UserError('bad-checkpoint', `${file} is not a usable resume state (${why}). Start a new run instead of resuming this one.`);
}

/** The run's resume state, or null when it has none (it stopped before its first epoch ended). */
export function readResumeState(runDir: string): ResumeState | null {
  const file = resumeStateFile(runDir);
  if (!existsSync(file)) return null;
  const bytes = readFileSync(file);
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) throw invalid(file, 'no header');
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Header;
  } catch {
    throw invalid(file, 'the header is not JSON');
  }
  if (header.magic !== MAGIC || header.version !== 1 || !Array.isArray(header.weights) || !Array.isArray(header.slots)) {
    throw invalid(file, 'unknown format');
  }
  const start = newline + 1;
  const counts = [...header.weights, ...header.slots];
  const floats = counts.reduce((n, c) => n + c, 0);
  if (start % 4 !== 0 || bytes.length !== start + floats * 4) throw invalid(file, `expected ${start + floats * 4} bytes, found ${bytes.length}`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
  const arrays: Float32Array[] = [];
  let offset = 0;
  for (const count of counts) {
    arrays.push(all.slice(offset, offset + count));
    offset += count;
  }
  return {
    runId: header.runId,
    epoch: header.epoch,
    best: header.best,
    training: {
      weights: arrays.slice(0, header.weights.length),
      optimizer: { iterations: header.iterations, slots: arrays.slice(header.weights.length) },
    },
  };
}
