/**
 * Axis limits and tick positions the way matplotlib picks them by default: the data range plus a 5 % margin
 * on each side, and ticks at "nice" steps (1, 2, 2.5, 5 x 10^k) with at most about 9 intervals (MaxNLocator).
 * Pure.
 */

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

const STEPS = [1, 2, 2.5, 5, 10];

/** Smallest number of decimals that writes `step` exactly (0.25 -> 2, 5 -> 0). */
function decimalsOf(step: number): number {
  for (let decimals = 0; decimals < 10; decimals++) {
    const scaled = step * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return decimals;
  }
  return 10;
}

/** Tick step and positions for the view [min, max] (MaxNLocator with steps 1, 2, 2.5, 5, 10). */
export function niceTicks(options: { min: number; max: number; maxIntervals: number; integer: boolean }): { step: number; ticks: number[] } {
  const { min, max, maxIntervals, integer } = options;
  const raw = (max - min) / maxIntervals;
  const scale = 10 ** Math.floor(Math.log10(raw));
  const candidates = [...STEPS.map((s) => s * scale), ...STEPS.map((s) => s * scale * 10)];
  let step = candidates[candidates.length - 1];
  for (const candidate of candidates) {
    if (candidate < raw * (1 - 1e-9)) continue;
    if (integer && (candidate < 1 || Math.abs(candidate - Math.round(candidate)) > 1e-9)) continue;
    step = candidate;
    break;
  }
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  for (let i = first; i * step <= max + step * 1e-9; i++) {
    // Multiply rather than accumulate so 0.1-steps do not drift (0.30000000000000004).
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return { step, ticks };
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
