/**
 * Nice tick steps and positions, one rule for the panel's charts (webview-ui/chartModel.ts) and the results
 * figures (scripts/results/axisScale.ts): matplotlib's default MaxNLocator, whose steps are 1, 2, 2.5, 5 x 10^k,
 * the smallest one giving at most the asked number of intervals. Pure.
 */

const STEPS = [1, 2, 2.5, 5, 10];

/** The smallest nice step >= `raw` (a whole number >= 1 when `integer`); 1 for a raw step that is not positive. */
export function niceStep(raw: number, options: { integer?: boolean } = {}): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const scale = 10 ** Math.floor(Math.log10(raw));
  const candidates = [...STEPS.map((s) => s * scale), ...STEPS.map((s) => s * scale * 10)];
  for (const candidate of candidates) {
    if (candidate < raw * (1 - 1e-9)) continue;
    if (options.integer === true && (candidate < 1 || Math.abs(candidate - Math.round(candidate)) > 1e-9)) continue;
    return candidate;
  }
  return candidates[candidates.length - 1];
}

/** The multiples of `step` inside [min, max], ascending. */
export function ticksAt(min: number, max: number, step: number): number[] {
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  for (let i = first; i * step <= max + step * 1e-9; i++) {
    // Multiply rather than accumulate so 0.1-steps do not drift (0.30000000000000004).
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

/** Tick step and positions for the view [min, max] with at most about `maxIntervals` intervals. */
export function niceTicks(options: { min: number; max: number; maxIntervals: number; integer: boolean }): { step: number; ticks: number[] } {
  const { min, max, maxIntervals, integer } = options;
  const step = niceStep((max - min) / maxIntervals, { integer });
  return { step, ticks: ticksAt(min, max, step) };
}

/** Smallest number of decimals that writes `step` exactly (0.25 -> 2, 5 -> 0). */
export function decimalsOf(step: number): number {
  for (let decimals = 0; decimals < 10; decimals++) {
    const scaled = step * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return decimals;
  }
  return 10;
}
