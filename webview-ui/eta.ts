/**
 * Time left in a run: the rest of this epoch's steps at the current ms per step, this epoch's validation
 * (estimated from earlier epochs: their time minus their training steps), and the remaining epochs at the
 * mean time of the finished ones (or steps x ms per step + validation before any finished).
 */
import type { EpochPoint, LiveBatch } from './runView';

export interface Eta {
  /** Seconds left for the whole run. */
  seconds: number;
  /** False while no epoch has finished, so validation time is not yet known (not counted). */
  includesValidation: boolean;
}

function mean(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export function validationSecondsEstimate(history: readonly EpochPoint[]): number | null {
  const parts = history.flatMap((p) => (p.trainSeconds !== null ? [Math.max(0, p.seconds - p.trainSeconds)] : []));
  return mean(parts);
}

export function estimateEta(options: { batch: LiveBatch | null; history: readonly EpochPoint[]; epochs: number | null }): Eta | null {
  const { batch, history, epochs } = options;
  if (batch === null || epochs === null || batch.msPerStep <= 0) return null;
  const validation = validationSecondsEstimate(history);
  const stepSeconds = batch.msPerStep / 1000;
  const thisEpoch = (batch.batches - batch.batch) * stepSeconds + (validation ?? 0);
  const perEpoch = mean(history.map((p) => p.seconds)) ?? batch.batches * stepSeconds + (validation ?? 0);
  const epochsAfter = Math.max(0, epochs - batch.epoch);
  return { seconds: thisEpoch + epochsAfter * perEpoch, includesValidation: validation !== null };
}
