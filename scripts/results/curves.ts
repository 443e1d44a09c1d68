/** Figures read off a run's history: lowest val_loss, where overfitting starts, wall time. Pure. */

export interface LossCurves {
  /** Training loss per epoch (index = epoch - 1); NaN where an epoch has none. */
  loss: readonly number[];
  /** Validation loss per epoch. */
  val_loss: readonly number[];
}

/** The epoch (from 1) with the lowest finite val_loss, the first one on a tie (Keras' ModelCheckpoint keeps the first), or null. */
export function lowestValLossEpoch(valLoss: readonly number[]): number | null {
  let best: number | null = null;
  valLoss.forEach((value, index) => {
    if (Number.isFinite(value) && (best === null || value < valLoss[best - 1])) best = index + 1;
  });
  return best;
}

export type OverfittingOnset =
  | {
      found: true;
      /** The last epoch at the minimum of val_loss: after it, val_loss stays above that minimum to the end. */
      epoch: number;
      minValLoss: number;
      /** Epochs after `epoch` (to the end of the history). */
      epochsAfter: number;
      trainLossAtOnset: number;
      /** The last finite training loss of the run: lower than trainLossAtOnset. */
      trainLossAtEnd: number;
    }
  | {
      found: false;
      reason: 'no-validation-loss' | 'lowest-at-end' | 'training-loss-not-falling';
    };

/**
 * Where overfitting starts: the first epoch after which val_loss stays above its minimum for the rest of the run
 * while training loss keeps falling. That is the last epoch at which val_loss is at its minimum (so ties move it
 * later), provided at least one later epoch has a validation loss and the training loss at the end of the run is
 * lower than at that epoch ("keeps falling" as a trend: augmented training loss is too noisy to fall every epoch).
 * Non-finite values are ignored.
 */
export function overfittingOnset(curves: LossCurves): OverfittingOnset {
  const finiteVal = curves.val_loss.map((value, index) => ({ value, index })).filter(({ value }) => Number.isFinite(value));
  if (finiteVal.length === 0) return { found: false, reason: 'no-validation-loss' };
  const minValLoss = Math.min(...finiteVal.map(({ value }) => value));
  const onsetIndex = Math.max(...finiteVal.filter(({ value }) => value === minValLoss).map(({ index }) => index));
  const lastValIndex = finiteVal[finiteVal.length - 1].index;
  if (onsetIndex === lastValIndex) return { found: false, reason: 'lowest-at-end' };
  const trainLossAtOnset = curves.loss[onsetIndex];
  let endIndex = -1;
  for (let i = curves.loss.length - 1; i > onsetIndex; i--) {
    if (Number.isFinite(curves.loss[i])) {
      endIndex = i;
      break;
    }
  }
  if (!Number.isFinite(trainLossAtOnset) || endIndex < 0 || !(curves.loss[endIndex] < trainLossAtOnset)) {
    return { found: false, reason: 'training-loss-not-falling' };
  }
  return {
    found: true,
    epoch: onsetIndex + 1,
    minValLoss,
    epochsAfter: Math.max(curves.val_loss.length, curves.loss.length) - (onsetIndex + 1),
    trainLossAtOnset,
    trainLossAtEnd: curves.loss[endIndex],
  };
}

/** Sum of the epochs' wall-clock seconds (non-finite entries count as 0). */
export function totalSeconds(epochs: readonly { seconds: number }[]): number {
  return epochs.reduce((sum, { seconds }) => sum + (Number.isFinite(seconds) ? seconds : 0), 0);
}

/** Seconds as h:mm, rounded to the nearest minute (5 h 59 min 40 s -> "6:00"). */
export function formatHoursMinutes(seconds: number): string {
  const minutes = Math.round(Math.max(0, seconds) / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}
