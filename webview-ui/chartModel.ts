/**
 * What each of the two charts draws, as plain data: the focused run's training (dots) and validation (line)
 * series, the compared runs' series, the axes' ranges and ticks, and the best-epoch marker.
 */
import { niceStep, ticksAt } from '../src/shared/axisTicks';
import type { EpochLogs } from '../src/shared/trainerProtocol';
import type { EpochPoint, RunView } from './runView';
import { bestEpoch, epochsTotal } from './selectors';

export type ChartKind = 'accuracy' | 'loss';
export type SeriesMetric = keyof EpochLogs;

export interface ChartPoint {
  epoch: number;
  value: number;
}

export interface ChartSeries {
  metric: SeriesMetric;
  /** Training as dots, validation as a line (with a vertex per epoch). */
  shape: 'dots' | 'line';
  role: 'focus' | 'compare';
  runKey: string;
  /** Colour slot of a compared run (0..3); 0 for the focused run. */
  slot: number;
  /** The run's name (for a compared run's tooltips and legend). */
  runLabel: string;
  points: ChartPoint[];
}

export interface ChartModel {
  kind: ChartKind;
  title: string;
  yLabel: string;
  xMax: number;
  xTicks: number[];
  yMin: number;
  yMax: number;
  yTicks: number[];
  series: ChartSeries[];
  best: { epoch: number; value: number } | null;
}

/** What a chart needs of a run. */
export interface ChartRun {
  key: string;
  label: string;
  history: readonly EpochPoint[];
  /** Planned epochs (the x axis spans them while the run is going). */
  epochs: number | null;
  /** Epoch of the best checkpoint. */
  best: number | null;
}

export interface ComparedRun {
  run: ChartRun;
  slot: number;
}

export function chartRunOf(run: RunView, label: string): ChartRun {
  return { key: run.key, label, history: run.history, epochs: epochsTotal(run), best: bestEpoch(run) };
}

const TITLES: Record<ChartKind, string> = {
  accuracy: 'Training and validation accuracy',
  loss: 'Training and validation loss',
};

function points(history: readonly EpochPoint[], metric: SeriesMetric): ChartPoint[] {
  return history.flatMap((p) => (Number.isFinite(p[metric]) ? [{ epoch: p.epoch, value: p[metric] }] : []));
}

/** Ticks covering [min, max] with about `count` steps; returns the rounded range too. */
export function niceRange(min: number, max: number, count: number): { min: number; max: number; ticks: number[] } {
  if (max - min < 1e-9) {
    const pad = Math.abs(min) > 1e-9 ? Math.abs(min) * 0.1 : 0.1;
    return niceRange(min - pad, max + pad, count);
  }
  const step = niceStep((max - min) / count);
  const lo = Number((Math.floor(min / step + 1e-9) * step).toPrecision(12));
  const hi = Number((Math.ceil(max / step - 1e-9) * step).toPrecision(12));
  return { min: lo, max: hi, ticks: ticksAt(lo, hi, step) };
}

function xTicksFor(xMax: number): number[] {
  const step = niceStep(xMax / 8, { integer: true });
  return [1, ...ticksAt(step, xMax, step).filter((x) => x !== 1)];
}

function seriesOf(run: ChartRun, kind: ChartKind, role: ChartSeries['role'], slot: number): ChartSeries[] {
  const train: SeriesMetric = kind === 'accuracy' ? 'accuracy' : 'loss';
  const val: SeriesMetric = kind === 'accuracy' ? 'val_accuracy' : 'val_loss';
  return [
    { metric: train, shape: 'dots', role, runKey: run.key, slot, runLabel: run.label, points: points(run.history, train) },
    { metric: val, shape: 'line', role, runKey: run.key, slot, runLabel: run.label, points: points(run.history, val) },
  ];
}

export function buildChartModel(kind: ChartKind, focus: ChartRun, compared: readonly ComparedRun[]): ChartModel {
  const series = [...compared.flatMap((c) => seriesOf(c.run, kind, 'compare', c.slot)), ...seriesOf(focus, kind, 'focus', 0)];
  const values = series.flatMap((s) => s.points.map((p) => p.value));
  const lastEpochs = [focus, ...compared.map((c) => c.run)].map((r) => Math.max(r.epochs ?? 0, r.history.length ? r.history[r.history.length - 1].epoch : 0));
  const xMax = Math.max(2, ...lastEpochs);
  let range: { min: number; max: number; ticks: number[] };
  if (values.length === 0) {
    range = niceRange(0, 1, 5);
  } else {
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    // A few nearly equal values should not fill the chart: keep a minimum span around them.
    const minSpan = kind === 'accuracy' ? 0.1 : Math.max(0.02, hi * 0.1);
    if (hi - lo < minSpan) {
      const mid = (hi + lo) / 2;
      lo = mid - minSpan / 2;
      hi = mid + minSpan / 2;
    }
    const rough = niceRange(lo, hi, 5);
    range = niceRange(Math.max(0, rough.min), kind === 'accuracy' ? Math.min(1, rough.max) : rough.max, 5);
  }
  const best = focus.best;
  const valMetric: SeriesMetric = kind === 'accuracy' ? 'val_accuracy' : 'val_loss';
  const bestPoint = best !== null ? focus.history.find((p) => p.epoch === best) : undefined;
  return {
    kind,
    title: TITLES[kind],
    yLabel: kind === 'accuracy' ? 'Accuracy' : 'Loss',
    xMax,
    xTicks: xTicksFor(xMax),
    yMin: range.min,
    yMax: range.max,
    yTicks: range.ticks,
    series,
    best: bestPoint && Number.isFinite(bestPoint[valMetric]) ? { epoch: bestPoint.epoch, value: bestPoint[valMetric] } : null,
  };
}
