/**
 * The best checkpoint on the test set: accuracy and loss, the confusion matrix (rows: true class, columns:
 * predicted), per-class accuracy, and the most confidently wrong images (click: open the file).
 */
import type { ActivationsMessage, EvaluationMessage, ExplanationMessage, WrongPrediction } from '../../src/shared/trainerProtocol';
import { h } from '../dom';
import { baseName, formatInt, formatLoss, formatPercent } from '../format';
import type { PanelState } from '../panelState';
import type { EpochPoint, EvaluationStatus } from '../runView';
import { bestEpoch, focusedRun } from '../selectors';
import type { ViewActions } from './actions';
import { button, sectionHead, stat } from './widgets';

export interface EvaluationInput {
  runKey: string;
  status: EvaluationStatus;
  error: string | null;
  evaluation: EvaluationMessage | null;
  bestPoint: EpochPoint | null;
  uris: Record<string, string>;
  /** "Show where the model looked" is on. */
  heatmaps: boolean;
  /** Grad-CAM of the run's images that has arrived (image file -> explanation; its overlayFile is the PNG). */
  explanations: Record<string, ExplanationMessage>;
  /** Feature maps of the run's images that have arrived. */
  activations: Record<string, ActivationsMessage>;
  /** The wrong image opened large, and the layer picked. */
  detail: { file: string; layer: string | null } | null;
}

export function selectEvaluation(state: PanelState): EvaluationInput | null {
  const run = focusedRun(state);
  if (!run || (run.evaluation === null && run.evaluationStatus === 'idle')) return null;
  const best = bestEpoch(run);
  const wrong = run.evaluation?.mostConfidentlyWrong ?? [];
  return {
    runKey: state.focus ?? '',
    heatmaps: state.heatmaps,
    // The state's own objects (not copies), so the section redraws only when they change.
    explanations: run.explanations,
    activations: run.activations,
    detail: state.detail !== null && wrong.some((w) => w.file === state.detail?.file) ? state.detail : null,
    status: run.evaluationStatus,
    error: run.evaluationError,
    evaluation: run.evaluation,
    bestPoint: run.history.find((p) => p.epoch === best) ?? null,
    uris: wrong.length > 0 ? state.imageUris : {},
  };
}

function rowTotal(row: readonly number[]): number {
  return row.reduce((a, b) => a + b, 0);
}

function confusionTable(ev: EvaluationMessage): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { class: 'corner', attrs: { scope: 'col' } }, 'true ↓ / predicted →'),
    ...ev.classes.map((c) => h('th', { class: 'num', attrs: { scope: 'col' } }, c)),
    h('th', { class: 'num', attrs: { scope: 'col' } }, 'Class accuracy'),
  );
  const rows = ev.classes.map((trueClass, i) => {
    const row = ev.confusion[i] ?? [];
    const total = rowTotal(row);
    const cells = ev.classes.map((_, j) => {
      const count = row[j] ?? 0;
      const cell = h(
        'td',
        {
          class: `num cell ${i === j ? 'hit' : 'miss'}`,
          attrs: { 'data-true': i, 'data-predicted': j, title: `${formatInt(count)} ${trueClass} image${count === 1 ? '' : 's'} predicted ${ev.classes[j]}` },
        },
        formatInt(count),
      );
      // The shade shows each cell's share of its row: a CSS variable set through CSSOM (no style attribute).
      cell.style.setProperty('--share', total > 0 ? (count / total).toFixed(3) : '0');
      return cell;
    });
    const acc = ev.perClassAccuracy[i];
    return h(
      'tr',
      {},
      h('th', { attrs: { scope: 'row' } }, trueClass),
      ...cells,
      h('td', { class: 'num', attrs: { 'data-testid': 'class-accuracy' } }, acc !== undefined ? `${formatPercent(acc)} (${formatInt(row[i] ?? 0)} of ${formatInt(total)})` : '–'),
    );
  });
  return h('table', { class: 'data-table confusion', attrs: { 'data-testid': 'confusion' } }, h('thead', {}, head), h('tbody', {}, ...rows));
}

function wrongCard(wrong: WrongPrediction, uri: string | undefined, actions: ViewActions, heatmap: boolean, opens: 'file' | 'detail'): HTMLElement {
  const name = baseName(wrong.file);
  return h(
    'button',
    {
      class: 'wrong',
      attrs: { type: 'button', title: opens === 'file' ? `Open ${wrong.file}` : `${name}: open it large, with its probabilities and feature maps`, 'data-testid': 'wrong' },
      onClick: () => (opens === 'file' ? actions.post({ type: 'open-file', path: wrong.file }) : actions.ui({ type: 'open-detail', file: wrong.file })),
    },
    uri ? h('img', { attrs: { src: uri, alt: heatmap ? `${name} with the heatmap of "${wrong.predicted}"` : name, width: 96, height: 96, 'data-heatmap': heatmap ? 'on' : 'off' } }) : h('span', { class: 'placeholder' }, '?'),
    h('span', { class: 'wrong-name' }, name),
    h('span', { class: 'wrong-what' }, `${wrong.label} predicted ${wrong.predicted} (${Math.round(wrong.confidence * 100)}%)`),
  );
}

const HEATMAP_NOTE =
  'Each picture shows where the model looked: the regions of its last convolution layer that pushed it towards the class it ' +
  'predicted (Grad-CAM; yellow = most, dark = nothing). A heatmap on the animal means it was fooled by what it saw there; a ' +
  'heatmap on the background, a cage, grass or the frame is a sign the model learnt a shortcut instead of the animal.';

/** "Show where the model looked": on asks the host for the heatmaps it does not have yet (one trainer call). */
function heatmapToggle(input: EvaluationInput, wrong: readonly WrongPrediction[], actions: ViewActions): HTMLElement {
  const missing = wrong.filter((w) => input.explanations[w.file] === undefined).map((w) => w.file);
  const box = h('vscode-checkbox', { attrs: { 'data-testid': 'heatmap-toggle', title: 'Grad-CAM heatmaps of the class each image was predicted as' } });
  box.checked = input.heatmaps;
  box.label = input.heatmaps && missing.length > 0 ? 'Show where the model looked (computing…)' : 'Show where the model looked';
  box.addEventListener('change', () => {
    const show = !input.heatmaps;
    actions.ui({ type: 'show-heatmaps', show });
    if (show && missing.length > 0) actions.post({ type: 'explain-images', runKey: input.runKey, files: missing });
  });
  return box;
}

/** One wrong image large: itself and its heatmap, the probabilities, and (on request) each layer's feature maps. */
function wrongDetail(input: EvaluationInput, wrong: WrongPrediction, actions: ViewActions): HTMLElement {
  const name = baseName(wrong.file);
  const explanation = input.explanations[wrong.file];
  const large = (file: string | undefined, alt: string) => {
    const uri = file !== undefined ? input.uris[file] : undefined;
    return uri ? h('img', { attrs: { src: uri, alt, width: 224, height: 224 } }) : h('span', { class: 'placeholder large' }, '…');
  };
  const probabilities = explanation
    ? h(
        'ul',
        { class: 'probabilities', attrs: { 'data-testid': 'detail-probabilities' } },
        ...explanation.classes.map((c, i) => h('li', {}, h('strong', {}, c), ` ${formatPercent(explanation.probabilities[i] ?? 0)}`)),
      )
    : null;
  const maps = input.activations[wrong.file];
  const layer = maps?.layers.find((l) => l.name === input.detail?.layer) ?? maps?.layers[0];
  const featureMaps = maps
    ? [
        h(
          'div',
          { class: 'layer-picker', attrs: { role: 'group', 'aria-label': 'Layer' } },
          ...maps.layers.map((l) =>
            h('button', { class: 'chip', attrs: { type: 'button', 'aria-pressed': l.name === layer?.name ? 'true' : 'false', 'data-testid': 'layer', 'data-layer': l.name }, onClick: () => actions.ui({ type: 'pick-layer', layer: l.name }) }, l.name),
          ),
        ),
        layer
          ? h(
              'figure',
              { class: 'feature-maps' },
              input.uris[layer.file] ? h('img', { attrs: { src: input.uris[layer.file], alt: `The first ${layer.channels} channels of ${layer.name}`, 'data-testid': 'feature-maps' } }) : h('span', { class: 'placeholder' }, '…'),
              h('figcaption', { class: 'muted' }, `${layer.name}: ${layer.shape.join(' × ')} (height × width × channels), the first ${layer.channels} channels, each scaled to its own range; early layers respond to edges and colours, later ones to larger parts.`),
            )
          : null,
      ]
    : [button('Show feature maps', () => actions.post({ type: 'activations-image', runKey: input.runKey, file: wrong.file }), { testId: 'show-feature-maps', secondary: true, title: 'What each convolution and pooling layer computes for this image' })];
  return h(
    'div',
    { class: 'wrong-detail', attrs: { 'data-testid': 'wrong-detail' } },
    h('div', { class: 'detail-images' }, large(wrong.file, name), large(explanation?.overlayFile, `${name} with the heatmap of "${wrong.predicted}"`)),
    h(
      'div',
      { class: 'detail-text' },
      h('h4', {}, name),
      h('p', {}, `True class: ${wrong.label}; predicted: ${wrong.predicted} (${Math.round(wrong.confidence * 100)}%). The heatmap shows what pushed the model towards "${wrong.predicted}".`),
      probabilities,
      h(
        'div',
        { class: 'header-actions' },
        button('Open file', () => actions.post({ type: 'open-file', path: wrong.file }), { secondary: true }),
        button('Close', () => actions.ui({ type: 'open-detail', file: null }), { secondary: true, testId: 'close-detail' }),
      ),
    ),
    h('h4', { class: 'detail-maps-title' }, 'Feature maps'),
    ...featureMaps,
  );
}

function comparison(ev: EvaluationMessage, bestPoint: EpochPoint | null): string {
  const parts: string[] = [];
  if (bestPoint) parts.push(`Validation accuracy at epoch ${bestPoint.epoch} was ${formatPercent(bestPoint.val_accuracy)}; the test images were used neither for training nor for choosing that epoch, so the test number is the one to report.`);
  parts.push(`The book: 69.0% for Model 1 and 82.9% for Model 2, on 2,000 test images of cats and dogs.`);
  if (ev.skipped.length > 0) parts.push(`${formatInt(ev.skipped.length)} unreadable test file${ev.skipped.length === 1 ? ' was' : 's were'} skipped.`);
  return parts.join(' ');
}

function result(ev: EvaluationMessage, input: EvaluationInput, actions: ViewActions): HTMLElement[] {
  const total = ev.confusion.reduce((sum, row) => sum + rowTotal(row), 0);
  const wrong = ev.mostConfidentlyWrong;
  return [
    h(
      'div',
      { class: 'stats' },
      stat('Test accuracy', formatPercent(ev.accuracy), 'test-accuracy'),
      stat('Test loss', formatLoss(ev.loss), 'test-loss'),
      stat('Test images', formatInt(ev.count)),
      stat('Checkpoint', baseName(ev.checkpointDir)),
    ),
    h('p', { class: 'muted' }, comparison(ev, input.bestPoint)),
    h('h3', {}, 'Confusion matrix'),
    confusionTable(ev),
    h('p', { class: 'caption muted' }, `Rows are the true class, columns the predicted class; the diagonal holds the ${formatInt(ev.confusion.reduce((s, row, i) => s + (row[i] ?? 0), 0))} right answers out of ${formatInt(total)}.`),
    wrong.length > 0 ? h('h3', {}, 'Most confidently wrong') : '',
    wrong.length > 0 ? heatmapToggle(input, wrong, actions) : '',
    wrong.length > 0
      ? h('div', { class: 'wrong-grid' }, ...wrong.map((w) => {
          const overlay = input.heatmaps ? input.explanations[w.file]?.overlayFile : undefined;
          const overlayUri = overlay !== undefined ? input.uris[overlay] : undefined;
          return wrongCard(w, overlayUri ?? input.uris[w.file], actions, overlayUri !== undefined, input.heatmaps ? 'detail' : 'file');
        }))
      : h('p', { class: 'muted' }, 'No test image was misclassified.'),
    input.heatmaps && input.detail !== null ? wrongDetail(input, wrong.find((w) => w.file === input.detail?.file)!, actions) : '',
    wrong.length > 0 && input.heatmaps ? h('p', { class: 'note', attrs: { 'data-testid': 'heatmap-note' } }, HEATMAP_NOTE) : '',
  ].filter((el): el is HTMLElement => typeof el !== 'string');
}

export function renderEvaluation(input: EvaluationInput, actions: ViewActions): HTMLElement[] {
  const head = sectionHead('Test set');
  if (input.status === 'running') {
    return [head, h('p', {}, 'Evaluating the best checkpoint on the test images…'), h('vscode-progress-bar', { attrs: { 'aria-label': 'Evaluating' } })];
  }
  const failure = input.status === 'failed' ? h('div', { class: 'phase-box is-error', attrs: { role: 'alert' } }, input.error ?? 'Evaluation failed.') : null;
  const body = input.evaluation ? result(input.evaluation, input, actions) : [];
  return [head, ...(failure ? [failure] : []), ...body];
}
