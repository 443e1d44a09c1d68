/**
 * SVG line/dot charts, drawn by hand (no chart library, no inline styles): every colour comes from a
 * class whose CSS reads VS Code's theme variables (--vscode-charts-*), so the charts follow the theme.
 * Every data point is its own element with data-series / data-epoch (validation lines get a vertex per epoch).
 */
import { decimalsOf } from '../src/shared/axisTicks';
import type { ChartModel, ChartSeries } from './chartModel';
import { s } from './dom';
import { formatLoss, formatPercent } from './format';

const WIDTH = 480;
const HEIGHT = 270;
const MARGIN = { left: 48, right: 14, top: 22, bottom: 40 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

interface Scale {
  x(epoch: number): number;
  y(value: number): number;
}

function scaleOf(model: ChartModel): Scale {
  const pad = Math.max(0.5, model.xMax * 0.02);
  const x0 = 1 - pad;
  const x1 = model.xMax + pad;
  const ySpan = model.yMax - model.yMin || 1;
  return {
    x: (epoch) => MARGIN.left + ((epoch - x0) / (x1 - x0)) * PLOT_W,
    y: (value) => MARGIN.top + ((model.yMax - value) / ySpan) * PLOT_H,
  };
}

function round(value: number): string {
  return value.toFixed(1);
}

function tickLabel(model: ChartModel, value: number): string {
  if (model.kind === 'accuracy') {
    const step = model.yTicks.length > 1 ? model.yTicks[1] - model.yTicks[0] : 0.1;
    // As many decimals as the step needs in percent (2.5 % steps: one).
    return formatPercent(value, Math.min(2, decimalsOf(step * 100)));
  }
  return Number(value.toPrecision(3)).toString();
}

function valueText(series: ChartSeries, value: number): string {
  return series.metric.endsWith('accuracy') ? formatPercent(value) : formatLoss(value);
}

function metricName(series: ChartSeries): string {
  const what = series.metric.endsWith('accuracy') ? 'accuracy' : 'loss';
  return `${series.shape === 'dots' ? 'training' : 'validation'} ${what}`;
}

function axes(model: ChartModel, scale: Scale): SVGGElement {
  const g = s('g', { class: 'axes', 'aria-hidden': 'true' });
  g.append(s('rect', { class: 'plot-area', x: MARGIN.left, y: MARGIN.top, width: PLOT_W, height: PLOT_H }));
  for (const tick of model.yTicks) {
    const y = round(scale.y(tick));
    g.append(
      s('line', { class: 'grid-line', x1: MARGIN.left, x2: MARGIN.left + PLOT_W, y1: y, y2: y }),
      s('text', { class: 'tick-label', x: MARGIN.left - 6, y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, tickLabel(model, tick)),
    );
  }
  const base = MARGIN.top + PLOT_H;
  for (const tick of model.xTicks) {
    const x = round(scale.x(tick));
    g.append(
      s('line', { class: 'tick', x1: x, x2: x, y1: base, y2: base + 4 }),
      s('text', { class: 'tick-label', x, y: base + 16, 'text-anchor': 'middle' }, tick),
    );
  }
  g.append(
    s('line', { class: 'axis-line', x1: MARGIN.left, x2: MARGIN.left + PLOT_W, y1: base, y2: base }),
    s('text', { class: 'axis-title', x: MARGIN.left + PLOT_W / 2, y: HEIGHT - 4, 'text-anchor': 'middle' }, 'Epochs'),
    s('text', { class: 'axis-title', x: 0, y: 0, 'text-anchor': 'middle', transform: `translate(12 ${MARGIN.top + PLOT_H / 2}) rotate(-90)` }, model.yLabel),
  );
  return g;
}

function bestMarker(model: ChartModel, scale: Scale): SVGGElement | null {
  if (model.best === null) return null;
  const x = round(scale.x(model.best.epoch));
  const label = `Best epoch ${model.best.epoch} (lowest validation loss): the saved checkpoint`;
  return s(
    'g',
    { class: 'best-marker', 'data-marker': 'best', 'data-epoch': model.best.epoch },
    s('title', {}, label),
    s('line', { class: 'best-line', x1: x, x2: x, y1: MARGIN.top, y2: MARGIN.top + PLOT_H }),
    s('circle', { class: 'best-ring', cx: x, cy: round(scale.y(model.best.value)), r: 7 }),
    s('text', { class: 'best-label', x, y: MARGIN.top - 7, 'text-anchor': 'middle' }, `best · epoch ${model.best.epoch}`),
  );
}

function seriesGroup(series: ChartSeries, scale: Scale, dense: boolean): SVGGElement {
  const kind = series.shape === 'dots' ? 'train' : 'val';
  const colour = series.role === 'focus' ? 'focus' : `compare slot-${series.slot}`;
  const g = s('g', {
    class: `series ${kind} ${colour}`,
    'data-role': series.role,
    'data-run': series.runKey,
    'data-series-group': series.metric,
  });
  if (series.shape === 'line' && series.points.length > 1) {
    const coords = series.points.map((p) => `${round(scale.x(p.epoch))},${round(scale.y(p.value))}`).join(' ');
    g.append(s('polyline', { class: 'series-line', points: coords }));
  }
  for (const p of series.points) {
    const radius = (series.shape === 'dots' ? 3.5 : 2.5) * (dense ? 0.7 : 1);
    g.append(
      s(
        'circle',
        {
          class: series.shape === 'dots' ? 'point dot' : 'point vertex',
          cx: round(scale.x(p.epoch)),
          cy: round(scale.y(p.value)),
          r: radius,
          'data-series': series.metric,
          'data-epoch': p.epoch,
        },
        s('title', {}, `Epoch ${p.epoch}: ${metricName(series)} ${valueText(series, p.value)}${series.role === 'compare' ? ` (${series.runLabel})` : ''}`),
      ),
    );
  }
  return g;
}

export function renderChart(model: ChartModel): SVGSVGElement {
  const scale = scaleOf(model);
  const svg = s('svg', {
    class: `chart chart-${model.kind}`,
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': model.title,
    'data-chart': model.kind,
  });
  svg.append(axes(model, scale));
  const marker = bestMarker(model, scale);
  if (marker) svg.append(marker);
  // Compared runs first (underneath), then the focused run's validation line, then its training dots on top.
  const ordered = [...model.series].sort((a, b) => rank(a) - rank(b));
  const dense = model.xMax > 40;
  for (const series of ordered) svg.append(seriesGroup(series, scale, dense));
  return svg;
}

function rank(series: ChartSeries): number {
  return (series.role === 'focus' ? 2 : 0) + (series.shape === 'dots' ? 1 : 0);
}
