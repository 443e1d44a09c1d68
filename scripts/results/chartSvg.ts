/**
 * A learning-curve chart as an SVG string, drawn like the seed's matplotlib figures:
 *
 *   plt.plot(epochs, acc, "bo", label="Training accuracy")
 *   plt.plot(epochs, val_acc, "b", label="Validation accuracy")
 *   plt.title("Training and validation accuracy"); plt.legend()
 *
 * matplotlib's defaults at 100 dpi: a 640x480 white figure, axes from 12.5 % to 90 % across and 11 % to 88 % up,
 * 10 pt DejaVu Sans, 12 pt title, blue (#0000ff) dots of 6 pt and a 1.5 pt line, a legend in the "best" corner.
 * Plus a vertical dashed line at the best epoch (lowest val_loss), named in the legend. Pure.
 */
import { axisScale, type AxisScale } from './axisScale';
import { textWidth } from './textWidth';

export interface CurveSeries {
  label: string;
  /** Index i = epoch i + 1; non-finite values (NaN from a diverged epoch, or null read as NaN) are not drawn. */
  values: readonly number[];
}

export interface LearningCurveChart {
  title: string;
  xLabel?: string;
  yLabel: string;
  /** Drawn as dots ("bo"). */
  training: CurveSeries;
  /** Drawn as a line ("b"), broken where a value is missing. */
  validation: CurveSeries;
  /** Epoch (from 1) to mark with a dashed vertical line, or null for none. */
  bestEpoch: number | null;
  width?: number;
  height?: number;
}

export interface PlotBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface LearningCurveLayout {
  width: number;
  height: number;
  plot: PlotBox;
  x: AxisScale;
  y: AxisScale;
  epochs: number;
}

const BLUE = '#0000ff';
const BEST_COLOR = '#808080';
const FONT = 'DejaVu Sans, sans-serif';
/** matplotlib's figure.dpi 100: pixels per point. */
const PX = 100 / 72;
const FONT_SIZE = 10 * PX;
const TITLE_SIZE = 12 * PX;
const TICK_LENGTH = 3.5 * PX;
const TICK_PAD = 3.5 * PX;
const LABEL_PAD = 4 * PX;
const TITLE_PAD = 6 * PX;
const SPINE_WIDTH = 0.8 * PX;
const LINE_WIDTH = 1.5 * PX;
const MARKER_RADIUS = (6 * PX) / 2;
/** DejaVu Sans' ascent / descent and the height of its digits, in ems. */
const ASCENT = 0.93;
const DESCENT = 0.24;
const DIGIT_HEIGHT = 0.73;

function fmt(value: number): string {
  return Number(value.toFixed(2)).toString();
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Axes and scales of the chart (every finite value of both series lies inside the view limits). */
export function learningCurveLayout(chart: LearningCurveChart): LearningCurveLayout {
  const width = chart.width ?? 640;
  const height = chart.height ?? 480;
  const epochs = Math.max(chart.training.values.length, chart.validation.values.length);
  const epochNumbers = Array.from({ length: Math.max(epochs, 1) }, (_, i) => i + 1);
  const x = axisScale({ values: epochNumbers, integer: true });
  const y = axisScale({ values: [...chart.training.values, ...chart.validation.values], fallback: { min: 0, max: 1 } });
  const plot = { left: 0.125 * width, right: 0.9 * width, top: (1 - 0.88) * height, bottom: (1 - 0.11) * height };
  return { width, height, plot, x, y, epochs };
}

interface Mapper {
  px(epoch: number): number;
  py(value: number): number;
}

function mapperOf(layout: LearningCurveLayout): Mapper {
  const { plot, x, y } = layout;
  return {
    px: (epoch) => plot.left + ((epoch - x.min) / (x.max - x.min)) * (plot.right - plot.left),
    py: (value) => plot.bottom - ((value - y.min) / (y.max - y.min)) * (plot.bottom - plot.top),
  };
}

/** Runs of consecutive finite values, as pixel points (matplotlib breaks a line at NaN). */
function lineRuns(values: readonly number[], map: Mapper): [number, number][][] {
  const runs: [number, number][][] = [];
  let current: [number, number][] = [];
  values.forEach((value, index) => {
    if (Number.isFinite(value)) {
      current.push([map.px(index + 1), map.py(value)]);
    } else if (current.length > 0) {
      runs.push(current);
      current = [];
    }
  });
  if (current.length > 0) runs.push(current);
  return runs;
}

interface LegendEntry {
  label: string;
  kind: 'dot' | 'line' | 'dashed';
}

interface LegendBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

const LEGEND = {
  borderPad: 0.4 * FONT_SIZE,
  labelSpacing: 0.5 * FONT_SIZE,
  handleLength: 2 * FONT_SIZE,
  handleTextPad: 0.8 * FONT_SIZE,
  borderAxesPad: 0.5 * FONT_SIZE,
  rowHeight: (ASCENT + DESCENT) * FONT_SIZE,
};

function legendSize(entries: readonly LegendEntry[]): { width: number; height: number } {
  const text = Math.max(...entries.map((entry) => textWidth(entry.label, FONT_SIZE)));
  return {
    width: 2 * LEGEND.borderPad + LEGEND.handleLength + LEGEND.handleTextPad + text,
    height: 2 * LEGEND.borderPad + entries.length * LEGEND.rowHeight + (entries.length - 1) * LEGEND.labelSpacing,
  };
}

function segmentHitsBox(a: [number, number], b: [number, number], box: LegendBox): boolean {
  // Sample the segment: the boxes are large compared with the gaps between samples.
  const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 3));
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const x = a[0] + (b[0] - a[0]) * t;
    const y = a[1] + (b[1] - a[1]) * t;
    if (x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height) return true;
  }
  return false;
}

/**
 * matplotlib's loc="best": of the nine standard places (upper right first), the first that covers the fewest
 * data points and line segments.
 */
function placeLegend(size: { width: number; height: number }, plot: PlotBox, points: [number, number][], segments: [number, number][][]): LegendBox {
  const pad = LEGEND.borderAxesPad;
  const xs = { left: plot.left + pad, center: (plot.left + plot.right - size.width) / 2, right: plot.right - pad - size.width };
  const ys = { upper: plot.top + pad, center: (plot.top + plot.bottom - size.height) / 2, lower: plot.bottom - pad - size.height };
  const places: [number, number][] = [
    [xs.right, ys.upper],
    [xs.left, ys.upper],
    [xs.left, ys.lower],
    [xs.right, ys.lower],
    [xs.right, ys.center],
    [xs.left, ys.center],
    [xs.right, ys.center],
    [xs.center, ys.lower],
    [xs.center, ys.upper],
    [xs.center, ys.center],
  ];
  let best: LegendBox | null = null;
  let bestBadness = Infinity;
  for (const [x, y] of places) {
    const box = { x, y, ...size };
    let badness = points.filter(([px, py]) => px >= x && px <= x + size.width && py >= y && py <= y + size.height).length;
    for (const run of segments) {
      for (let i = 1; i < run.length; i++) if (segmentHitsBox(run[i - 1], run[i], box)) badness++;
    }
    if (badness < bestBadness) {
      best = box;
      bestBadness = badness;
    }
    if (badness === 0) break;
  }
  return best ?? { x: xs.right, y: ys.upper, ...size };
}

function legendSvg(entries: readonly LegendEntry[], box: LegendBox): string {
  const parts = [
    `<g class="legend">`,
    `<rect x="${fmt(box.x)}" y="${fmt(box.y)}" width="${fmt(box.width)}" height="${fmt(box.height)}" rx="${fmt(0.2 * FONT_SIZE)}" fill="#ffffff" fill-opacity="0.8" stroke="#cccccc" stroke-width="${fmt(SPINE_WIDTH)}"/>`,
  ];
  entries.forEach((entry, row) => {
    const top = box.y + LEGEND.borderPad + row * (LEGEND.rowHeight + LEGEND.labelSpacing);
    const middle = top + LEGEND.rowHeight / 2;
    const handleLeft = box.x + LEGEND.borderPad;
    const handleRight = handleLeft + LEGEND.handleLength;
    if (entry.kind === 'dot') {
      parts.push(`<circle cx="${fmt((handleLeft + handleRight) / 2)}" cy="${fmt(middle)}" r="${fmt(MARKER_RADIUS)}" fill="${BLUE}"/>`);
    } else {
      const dashed = entry.kind === 'dashed';
      parts.push(
        `<line x1="${fmt(handleLeft)}" y1="${fmt(middle)}" x2="${fmt(handleRight)}" y2="${fmt(middle)}" stroke="${dashed ? BEST_COLOR : BLUE}" stroke-width="${fmt(LINE_WIDTH)}"${dashed ? ` stroke-dasharray="${fmt(3.7 * LINE_WIDTH)} ${fmt(1.6 * LINE_WIDTH)}"` : ''}/>`,
      );
    }
    parts.push(`<text x="${fmt(handleRight + LEGEND.handleTextPad)}" y="${fmt(top + ASCENT * FONT_SIZE)}">${escapeXml(entry.label)}</text>`);
  });
  parts.push(`</g>`);
  return parts.join('\n');
}

function tickLabel(value: number, decimals: number): string {
  // matplotlib writes negative numbers with a real minus sign.
  const text = value.toFixed(decimals);
  return text.startsWith('-') ? `\u2212${text.slice(1)}` : text;
}

/** The chart as a standalone SVG document of `width` x `height` pixels. */
export function learningCurveSvg(chart: LearningCurveChart): string {
  const layout = learningCurveLayout(chart);
  const { width, height, plot, x, y } = layout;
  const map = mapperOf(layout);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="${fmt(FONT_SIZE)}" fill="#000000">`,
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<defs><clipPath id="plot-area"><rect x="${fmt(plot.left)}" y="${fmt(plot.top)}" width="${fmt(plot.right - plot.left)}" height="${fmt(plot.bottom - plot.top)}"/></clipPath></defs>`,
  );

  // Best epoch first, so the data is drawn over it.
  const best = chart.bestEpoch;
  const bestLabel = best !== null && best !== undefined ? `best (epoch ${best})` : null;
  if (bestLabel !== null && best !== null) {
    const bx = map.px(best);
    parts.push(
      `<line class="best-epoch" data-epoch="${best}" x1="${fmt(bx)}" y1="${fmt(plot.top)}" x2="${fmt(bx)}" y2="${fmt(plot.bottom)}" stroke="${BEST_COLOR}" stroke-width="${fmt(LINE_WIDTH)}" stroke-dasharray="${fmt(3.7 * LINE_WIDTH)} ${fmt(1.6 * LINE_WIDTH)}"/>`,
    );
  }

  // Validation: a line, one vertex per epoch with a value.
  const runs = lineRuns(chart.validation.values, map);
  parts.push(`<g class="validation" clip-path="url(#plot-area)" fill="none" stroke="${BLUE}" stroke-width="${fmt(LINE_WIDTH)}" stroke-linejoin="round" stroke-linecap="square">`);
  for (const run of runs) {
    if (run.length === 1) {
      // A lone value between gaps: matplotlib draws nothing for a one-point line; keep it visible as a tiny stroke.
      const [[px, py]] = run;
      parts.push(`<polyline points="${fmt(px)},${fmt(py)} ${fmt(px)},${fmt(py)}"/>`);
    } else {
      parts.push(`<polyline points="${run.map(([px, py]) => `${fmt(px)},${fmt(py)}`).join(' ')}"/>`);
    }
  }
  parts.push(`</g>`);

  // Training: dots.
  const dots: [number, number][] = [];
  chart.training.values.forEach((value, index) => {
    if (Number.isFinite(value)) dots.push([map.px(index + 1), map.py(value)]);
  });
  parts.push(`<g class="training" clip-path="url(#plot-area)" fill="${BLUE}">`);
  for (const [px, py] of dots) parts.push(`<circle cx="${fmt(px)}" cy="${fmt(py)}" r="${fmt(MARKER_RADIUS)}"/>`);
  parts.push(`</g>`);

  // Frame (all four spines) and ticks (bottom and left, pointing out).
  parts.push(
    `<rect class="spines" x="${fmt(plot.left)}" y="${fmt(plot.top)}" width="${fmt(plot.right - plot.left)}" height="${fmt(plot.bottom - plot.top)}" fill="none" stroke="#000000" stroke-width="${fmt(SPINE_WIDTH)}" stroke-linecap="square"/>`,
  );
  const ticks: string[] = [];
  for (const tick of x.ticks) {
    const tx = map.px(tick);
    ticks.push(`<line x1="${fmt(tx)}" y1="${fmt(plot.bottom)}" x2="${fmt(tx)}" y2="${fmt(plot.bottom + TICK_LENGTH)}"/>`);
  }
  for (const tick of y.ticks) {
    const ty = map.py(tick);
    ticks.push(`<line x1="${fmt(plot.left)}" y1="${fmt(ty)}" x2="${fmt(plot.left - TICK_LENGTH)}" y2="${fmt(ty)}"/>`);
  }
  parts.push(`<g class="ticks" stroke="#000000" stroke-width="${fmt(SPINE_WIDTH)}">`, ...ticks, `</g>`);

  const xLabelTop = plot.bottom + TICK_LENGTH + TICK_PAD;
  parts.push(`<g class="x-tick-labels" text-anchor="middle">`);
  for (const tick of x.ticks) {
    parts.push(`<text x="${fmt(map.px(tick))}" y="${fmt(xLabelTop + DIGIT_HEIGHT * FONT_SIZE)}">${tickLabel(tick, x.decimals)}</text>`);
  }
  parts.push(`</g>`);
  const yLabels = y.ticks.map((tick) => tickLabel(tick, y.decimals));
  const yLabelRight = plot.left - TICK_LENGTH - TICK_PAD;
  parts.push(`<g class="y-tick-labels" text-anchor="end">`);
  y.ticks.forEach((tick, i) => {
    parts.push(`<text x="${fmt(yLabelRight)}" y="${fmt(map.py(tick) + (DIGIT_HEIGHT / 2) * FONT_SIZE)}">${yLabels[i]}</text>`);
  });
  parts.push(`</g>`);

  // Axis labels and title.
  const xLabel = chart.xLabel ?? 'Epochs';
  const plotMiddleX = (plot.left + plot.right) / 2;
  const xLabelBaseline = xLabelTop + (ASCENT + DESCENT) * FONT_SIZE + LABEL_PAD + ASCENT * FONT_SIZE;
  parts.push(`<text class="x-label" x="${fmt(plotMiddleX)}" y="${fmt(Math.min(xLabelBaseline, height - DESCENT * FONT_SIZE))}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  const widestYLabel = Math.max(0, ...yLabels.map((label) => textWidth(label, FONT_SIZE)));
  const yLabelBaseline = Math.max(ASCENT * FONT_SIZE, yLabelRight - widestYLabel - LABEL_PAD - DESCENT * FONT_SIZE);
  const plotMiddleY = (plot.top + plot.bottom) / 2;
  parts.push(
    `<text class="y-label" transform="translate(${fmt(yLabelBaseline)},${fmt(plotMiddleY)}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );
  parts.push(
    `<text class="title" x="${fmt(plotMiddleX)}" y="${fmt(plot.top - TITLE_PAD - DESCENT * TITLE_SIZE)}" text-anchor="middle" font-size="${fmt(TITLE_SIZE)}">${escapeXml(chart.title)}</text>`,
  );

  // Legend, where it hides the least data.
  const entries: LegendEntry[] = [
    { label: chart.training.label, kind: 'dot' },
    { label: chart.validation.label, kind: 'line' },
  ];
  if (bestLabel !== null) entries.push({ label: bestLabel, kind: 'dashed' });
  const segments = [...runs];
  if (best !== null && best !== undefined) segments.push([[map.px(best), plot.top], [map.px(best), plot.bottom]]);
  const box = placeLegend(legendSize(entries), plot, dots, segments);
  parts.push(legendSvg(entries, box));

  parts.push(`</svg>`);
  return parts.join('\n') + '\n';
}
