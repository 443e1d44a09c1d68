/** Number and text formatting for a person (fixed en-US separators, so tests and screenshots are stable). */

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 991041 -> "991,041". */
export function formatInt(value: number): string {
  return INTEGER.format(value);
}

/** 0.6932 -> "0.6932"; NaN -> "–". */
export function formatLoss(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : '–';
}

/** 0.8290 -> "82.9%". */
export function formatPercent(value: number, digits = 1): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : '–';
}

/** Seconds as "45 s", "3 min 20 s", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The last part of a path (either separator). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** [78, 78, 32] -> "(None, 78, 78, 32)", as Keras' model.summary() prints it. */
export function formatShape(shape: readonly number[]): string {
  return `(None, ${shape.join(', ')})`;
}
