/**
 * The two charts of the book (accuracy, loss: training as dots, validation as a line, the best epoch
 * marked), the legend, and the overlay of other runs with its toggles and "Compare with…" button.
 */
import { buildChartModel, chartRunOf, type ChartKind, type ChartRun, type ComparedRun } from '../chartModel';
import { renderChart } from '../charts';
import { h, type Child } from '../dom';
import type { PanelState } from '../panelState';
import { bestEpochOf, type RunView } from '../runView';
import { compareLabel, focusedRun, isOverlaid, otherRuns } from '../selectors';
import type { ViewActions } from './actions';
import { button, sectionHead } from './widgets';

export interface ChartsInput {
  focus: RunView['key'];
  history: RunView['history'];
  epochs: number | null;
  checkpointEpoch: number | null;
  recipe: RunView['recipe'];
  runId: string | null;
  others: RunView[];
  /** Legend label of each other run (its classes too when they differ from this run's). */
  labels: Record<string, string>;
  show: boolean;
  /** Keys of the other runs drawn over this one. */
  overlaid: string[];
}

export function selectCharts(state: PanelState): ChartsInput | null {
  const run = focusedRun(state);
  if (!run || (run.runId === null && run.history.length === 0)) return null;
  return {
    focus: run.key,
    history: run.history,
    epochs: run.epochsPlanned ?? run.settings?.epochs ?? null,
    checkpointEpoch: run.checkpoint?.epoch ?? null,
    recipe: run.recipe,
    runId: run.runId,
    others: otherRuns(state),
    labels: Object.fromEntries(otherRuns(state).map((other) => [other.key, compareLabel(run, other)])),
    show: state.compare.show,
    overlaid: otherRuns(state).filter((other) => isOverlaid(state, other)).map((other) => other.key),
  };
}

function focusChartRun(input: ChartsInput): ChartRun {
  return { key: input.focus, label: 'this run', history: input.history, epochs: input.epochs, best: input.checkpointEpoch ?? bestEpochOf(input.history) };
}

function chartFigure(kind: ChartKind, input: ChartsInput, compared: ComparedRun[]): HTMLElement {
  const model = buildChartModel(kind, focusChartRun(input), compared);
  return h('figure', { class: 'chart-card', attrs: { 'data-testid': `chart-${kind}` } }, h('figcaption', {}, model.title), renderChart(model));
}

function swatch(kind: string): HTMLElement {
  return h('span', { class: `swatch ${kind}`, attrs: { 'aria-hidden': 'true' } });
}

function legend(input: ChartsInput, actions: ViewActions): HTMLElement {
  const items: HTMLElement[] = [
    h('li', {}, swatch('focus train'), 'Training (dots)'),
    h('li', {}, swatch('focus val'), 'Validation (line)'),
    h('li', {}, swatch('best'), 'Best epoch: the checkpoint (lowest validation loss)'),
  ];
  const list = h('ul', { class: 'legend', attrs: { 'aria-label': 'Legend' } }, ...items);
  if (input.others.length === 0 || !input.show) return list;
  input.others.forEach((other, index) => {
    const slot = index % 4;
    const box = h('vscode-checkbox', { attrs: { 'data-testid': 'compare-toggle', 'data-run': other.key } });
    box.checked = input.overlaid.includes(other.key);
    box.label = input.labels[other.key] ?? other.key;
    box.addEventListener('change', () => actions.ui({ type: 'toggle-compare-run', runKey: other.key }));
    list.append(h('li', { class: 'legend-compare' }, swatch(`compare slot-${slot} train`), swatch(`compare slot-${slot} val`), box));
  });
  return list;
}

export function renderCharts(input: ChartsInput, actions: ViewActions): Child[] {
  const compared: ComparedRun[] = input.show
    ? input.others.flatMap((run, index) => (input.overlaid.includes(run.key) ? [{ run: chartRunOf(run, input.labels[run.key] ?? run.key), slot: index % 4 }] : []))
    : [];
  let overlayToggle: HTMLElement | null = null;
  if (input.others.length > 0) {
    const box = h('vscode-checkbox', { attrs: { 'data-testid': 'overlay-toggle' } });
    box.checked = input.show;
    box.label = `Show other runs (${input.others.length})`;
    box.addEventListener('change', () => actions.ui({ type: 'show-compare', show: !input.show }));
    overlayToggle = box;
  }
  const hint =
    input.history.length === 0
      ? h('p', { class: 'muted chart-hint' }, 'The first points appear when epoch 1 ends: one dot for training, one line vertex for validation per epoch.')
      : null;
  return [
    sectionHead(
      'Training curves',
      overlayToggle,
      button('Compare with…', () => actions.post({ type: 'pick-run-to-compare' }), { secondary: true, testId: 'pick-compare', title: 'Overlay another run on these charts' }),
    ),
    hint,
    h('div', { class: 'charts' }, chartFigure('accuracy', input, compared), chartFigure('loss', input, compared)),
    legend(input, actions),
  ];
}
