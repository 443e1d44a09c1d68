/**
 * Axis limits and tick positions the way matplotlib picks them by default: the data range plus a 5 % margin
 * on each side, and ticks at "nice" steps (1, 2, 2.5, 5 x 10^k) with at most about 9 intervals (MaxNLocator).
 * Pure. The step rule is src/shared/axisTicks.ts, which the panel's charts use too.
 */
import { decimalsOf, niceTicks } from '../../src/shared/axisTicks';

export interface AxisScale {
  /** View limits: every data value lies inside [min, max]. */
  min: number;
  max: number;
  /** Tick positions inside [min, max], ascending. */
  ticks: number[];
  /** Decimals to show on the tick labels (the same for all, as matplotlib's ScalarFormatter does). */
  decimals: number;
}

export interface AxisScaleOptions {
  /** The values to show; non-finite ones (NaN, Infinity) are ignored. */
  values: readonly number[];
  /** Fraction of the data range added on each side (matplotlib's axes.xmargin / ymargin). */
  margin?: number;
  /** Most tick intervals (MaxNLocator's nbins). */
  maxIntervals?: number;
  /** Only whole-number ticks (epochs). */
  integer?: boolean;
  /** Limits when there is no finite value at all. */
  fallback?: { min: number; max: number };
}

/** The axis of `values`: view limits with a margin, and nice ticks inside them. */
export function axisScale(options: AxisScaleOptions): AxisScale {
  const margin = options.margin ?? 0.05;
  const finite = options.values.filter((value) => Number.isFinite(value));
  let low: number;
  let high: number;
  if (finite.length === 0) {
    ({ min: low, max: high } = options.fallback ?? { min: 0, max: 1 });
  } else {
    low = Math.min(...finite);
    high = Math.max(...finite);
    if (high - low < 1e-12 * Math.max(1, Math.abs(high))) {
      // One value (or all equal): widen around it so it does not sit on a zero-width axis.
      const half = options.integer ? 1 : Math.max(Math.abs(high) * 0.05, 0.05);
      low -= half;
      high += half;
    } else {
      const pad = (high - low) * margin;
      low -= pad;
      high += pad;
    }
  }
  const { step, ticks } = niceTicks({ min: low, max: high, maxIntervals: options.maxIntervals ?? 9, integer: options.integer ?? false });
  return { min: low, max: high, ticks, decimals: decimalsOf(step) };
}
