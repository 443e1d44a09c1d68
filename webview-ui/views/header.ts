/**
 * The run's header: name, recipe, phase (with why it stopped and the log tail of a crash), the backend in
 * use, and the actions: Stop while running, Evaluate when a checkpoint exists.
 */
import { RECIPES } from '../../src/shared/recipes';
import type { BackendName } from '../../src/shared/trainerProtocol';
import type { RunPhase } from '../../src/shared/webviewProtocol';
import { h, type Child } from '../dom';
import { formatInt } from '../format';
import type { PanelState } from '../panelState';
import type { RunView } from '../runView';
import { canEvaluate, focusedRun, isRunning, runLabel } from '../selectors';
import type { ViewActions } from './actions';
import { button } from './widgets';
import { backendLabel, engineText } from '../backendText';

export interface HeaderInput {
  key: string;
  name: string;
  recipe: RunView['recipe'];
  settings: RunView['settings'];
  trainCount: number | null;
  validationCount: number | null;
  phase: RunPhase | null;
  phaseDetail: string | null;
  logTail: string[];
  warnings: string[];
  backend: BackendName | null;
  backendDetail: string | null;
  engine: string | null;
  running: boolean;
  stopping: boolean;
  canEvaluate: boolean;
  evaluated: boolean;
}

export function selectHeader(state: PanelState): HeaderInput | null {
  const run = focusedRun(state);
  if (!run) return null;
  return {
    key: run.key,
    name: runLabel(run),
    recipe: run.recipe,
    settings: run.settings,
    trainCount: run.trainCount,
    validationCount: run.validationCount,
    phase: run.phase,
    phaseDetail: run.phaseDetail,
    logTail: run.logTail,
    warnings: run.warnings,
    backend: run.backend,
    backendDetail: run.backendDetail,
    engine: run.engine,
    running: isRunning(run),
    stopping: run.phase === 'stopping',
    canEvaluate: canEvaluate(run),
    evaluated: run.evaluation !== null,
  };
}

const PHASE_LABELS: Record<RunPhase, string> = {
  preparing: 'Preparing',
  running: 'Running',
  stopping: 'Stopping…',
  completed: 'Completed',
  stopped: 'Stopped',
  failed: 'Failed',
  crashed: 'Crashed',
};

function settingsLine(input: HeaderInput): string {
  const parts: string[] = [];
  if (input.recipe) parts.push(`${input.recipe === 'scratch' ? 'Model 1' : 'Model 2'} · ${RECIPES[input.recipe].title}`);
  const s = input.settings;
  if (s) parts.push(`${s.imageSize} px`, `batch ${s.batchSize}`, `learning rate ${s.learningRate}`, `seed ${s.seed}`);
  if (input.trainCount !== null && input.validationCount !== null) {
    parts.push(`${formatInt(input.trainCount)} training / ${formatInt(input.validationCount)} validation images`);
  }
  return parts.join(' · ');
}

function phaseBox(input: HeaderInput): HTMLElement | null {
  const problem = input.phase === 'failed' || input.phase === 'crashed';
  if (!input.phaseDetail && input.logTail.length === 0) return null;
  // Why it stopped; a run followed from its folder says so while it trains ("Training in the background …").
  if (!problem && input.phase !== 'stopped' && input.phase !== 'running' && input.phase !== 'stopping') return null;
  return h(
    'div',
    { class: `phase-box ${problem ? 'is-error' : 'is-info'}`, attrs: { role: problem ? 'alert' : 'status', 'data-testid': 'phase-detail' } },
    input.phaseDetail ? h('p', {}, input.phaseDetail) : null,
    problem && input.logTail.length > 0 ? h('pre', { class: 'log-tail', attrs: { 'aria-label': 'Last lines of the trainer log' } }, input.logTail.join('\n')) : null,
  );
}

function actionsOf(input: HeaderInput, actions: ViewActions): HTMLElement {
  const row = h('div', { class: 'header-actions' });
  if (input.running) {
    const stop = button(input.stopping ? 'Stopping…' : 'Stop', () => actions.post({ type: 'stop-run', runKey: input.key }), {
      testId: 'stop',
      title: 'Stop after the current batch; the best checkpoint so far stays',
    });
    if (input.stopping) stop.setAttribute('disabled', '');
    row.append(stop);
  }
  if (input.canEvaluate) {
    row.append(
      button(input.evaluated ? 'Evaluate again' : 'Evaluate on test set', () => actions.post({ type: 'evaluate-run', runKey: input.key }), {
        testId: 'evaluate',
        secondary: input.evaluated,
        title: 'Test-set accuracy, confusion matrix and worst mistakes of the best checkpoint',
      }),
      button('Export model…', () => actions.post({ type: 'export-run', runKey: input.key }), {
        testId: 'export',
        secondary: true,
        title: 'The best checkpoint for Keras, ONNX Runtime or TensorFlow.js',
      }),
    );
  }
  return row;
}

export function renderHeader(input: HeaderInput, actions: ViewActions): Child[] {
  const phase = input.phase;
  const backend = input.backend
    ? h(
        'p',
        { class: 'backend', attrs: { 'data-testid': 'backend', title: input.backendDetail ?? '' } },
        h('span', { class: 'label' }, 'Backend '),
        h('strong', {}, backendLabel(input.backend)),
        input.engine || input.backendDetail ? h('span', { class: 'muted' }, ` · ${engineText(input.backend, input.engine ?? input.backendDetail ?? '')}`) : null,
      )
    : null;
  const warnings =
    input.warnings.length > 0
      ? h('ul', { class: 'warnings', attrs: { 'aria-label': 'Warnings' } }, ...input.warnings.map((w) => h('li', {}, w)))
      : null;
  return [
    h(
      'div',
      { class: 'header-row' },
      h(
        'div',
        { class: 'header-title' },
        h('h1', { class: 'run-name', attrs: { 'data-testid': 'run-name' } }, input.name),
        phase ? h('span', { class: `phase-badge phase-${phase}`, attrs: { 'data-testid': 'phase', 'data-phase': phase } }, PHASE_LABELS[phase]) : null,
      ),
      actionsOf(input, actions),
    ),
    h('p', { class: 'settings-line muted', attrs: { 'data-testid': 'recipe' } }, settingsLine(input)),
    backend,
    phaseBox(input),
    warnings,
  ];
}
