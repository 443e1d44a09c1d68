/** The model as Keras' model.summary() prints it: layer, output shape, parameters, and the totals. */
import { h } from '../dom';
import { formatInt, formatShape } from '../format';
import type { PanelState } from '../panelState';
import type { ModelSummary } from '../runView';
import { focusedRun } from '../selectors';
import { sectionHead } from './widgets';
import { denseNote } from '../modelText';

export interface SummaryInput {
  summary: ModelSummary;
}

export function selectSummary(state: PanelState): SummaryInput | null {
  const summary = focusedRun(state)?.summary;
  return summary ? { summary } : null;
}

export function renderSummary(input: SummaryInput): HTMLElement[] {
  const { summary } = input;
  const rows = summary.layers.map((layer) =>
    h(
      'tr',
      {},
      h('td', {}, h('span', { class: 'layer-name' }, layer.name), h('span', { class: 'muted' }, ` (${layer.className})`)),
      h('td', { class: 'mono' }, formatShape(layer.outputShape)),
      h('td', { class: 'num' }, formatInt(layer.params)),
    ),
  );
  const frozen = summary.totalParams - summary.trainableParams;
  const outputs = summary.layers.at(-1)?.outputShape.at(-1) ?? 1;
  return [
    sectionHead('Model'),
    h(
      'p',
      { class: 'totals' },
      h('strong', { attrs: { 'data-testid': 'total-params' } }, `Total params: ${formatInt(summary.totalParams)}`),
      h('span', { class: 'muted' }, ` · trainable ${formatInt(summary.trainableParams)}${frozen > 0 ? ` · non-trainable ${formatInt(frozen)}` : ''} · input ${summary.imageSize}×${summary.imageSize}×3`),
    ),
    h(
      'table',
      { class: 'data-table summary-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Layer (type)'), h('th', {}, 'Output shape'), h('th', { class: 'num' }, 'Param #'))),
      h('tbody', {}, ...rows),
    ),
    h(
      'p',
      { class: 'caption muted' },
      'Each Conv2D slides 3×3 filters over its input (params = 3·3·inputs·filters + filters); each MaxPooling2D halves the size. ' +
        `Most parameters sit in the last convolutions; ${denseNote(outputs)}`,
    ),
  ];
}
