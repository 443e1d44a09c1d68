/**
 * Where a run continues from when its resume-state.bin is gone although history.json holds finished epochs
 * (issue 15, item 3): a kill between history.json recording epoch 1 and the first state being written, a disk that
 * filled then, or the file deleted. The state is replaced after every epoch, so nothing older survives it:
 * - only epoch 1 had finished: epoch 1 is trained again from the run's initial weights (drawn from its seed), which
 *   gives the same numbers an uninterrupted run has;
 * - later epochs: the run continues from its best checkpoint's weights (epoch k), with RMSprop's running averages
 *   starting again from zero, so the epochs after k differ a little from an uninterrupted run's;
 * - no checkpoint (no finite val_loss yet): from the initial weights, every epoch again.
 */
import type { TrainingState } from '../engine/trainingEngine';
import { UserError } from '../util/errors';
import { readBestMetadata, readCheckpointWeights } from './checkpointStore';
import type { BestSoFar } from './resumeState';
import { join } from 'node:path';

export interface RecoveredStart {
  /** Finished epochs the run keeps: the next epoch to train is epoch + 1. */
  epoch: number;
  best: BestSoFar | null;
  /** The weights to start from, with a fresh optimizer; undefined: the run's initial weights. */
  training: TrainingState | undefined;
  /** What happened and what it means, for the log and run.json. */
  note: string;
}

export function recoverResumeStart(options: { runDir: string; finishedEpochs: number }): RecoveredStart {
  const { runDir, finishedEpochs } = options;
  if (finishedEpochs === 0) {
    throw new UserError('bad-checkpoint', `${runDir} has no resume state: it stopped before its first epoch ended. Start a new run instead.`);
  }
  const lost = `resume-state.bin is missing although history.json holds ${finishedEpochs} finished epoch${finishedEpochs === 1 ? '' : 's'}`;
  const best = finishedEpochs === 1 ? null : readBestMetadata(runDir);
  if (best === null) {
    return {
      epoch: 0,
      best: null,
      training: undefined,
      note:
        finishedEpochs === 1
          ? `${lost} (the trainer stopped while saving it): epoch 1 is trained again from the run's initial weights, with the same numbers as an uninterrupted run.`
          : `${lost} and the run saved no checkpoint: it trains again from its initial weights, from epoch 1.`,
    };
  }
  const weights = readCheckpointWeights(join(runDir, best.checkpoint));
  return {
    epoch: best.epoch,
    best: { epoch: best.epoch, value: best.logs.val_loss },
    training: { weights, optimizer: { iterations: 0, slots: [] } },
    note:
      `${lost}: the run continues from its best checkpoint (epoch ${best.epoch}), with RMSprop's running averages starting again from zero, ` +
      `so the epochs after ${best.epoch} differ a little from an uninterrupted run's.`,
  };
}
