/** When the panel holds several runs: one tab per run to bring it to the front. */
import { h } from '../dom';
import type { PanelState } from '../panelState';
import type { RunView } from '../runView';
import { shortRunLabel } from '../selectors';
import type { ViewActions } from './actions';

export interface RunTabsInput {
  runs: RunView[];
  focus: string | null;
}

export function selectRunTabs(state: PanelState): RunTabsInput | null {
  const runs = state.order.flatMap((k) => (state.runs[k] ? [state.runs[k]] : []));
  return runs.length > 1 ? { runs, focus: state.focus } : null;
}

/** Tabs re-render when a run's name or phase changes, not on every batch. */
export function sameRunTabs(a: RunTabsInput | null, b: RunTabsInput | null): boolean {
  const text = (input: RunTabsInput | null): string =>
    input ? `${input.focus}|${input.runs.map((r) => `${r.key}:${shortRunLabel(r)}:${r.phase}`).join('|')}` : '';
  return text(a) === text(b);
}

/** A run the panel may stop showing: not one that is training (its tab is how it is followed and stopped). */
function closable(run: RunView): boolean {
  return run.phase !== 'running' && run.phase !== 'preparing' && run.phase !== 'stopping';
}

export function renderRunTabs(input: RunTabsInput, actions: ViewActions): HTMLElement {
  return h(
    'nav',
    { class: 'run-tabs', attrs: { role: 'tablist', 'aria-label': 'Runs' } },
    ...input.runs.map((run) =>
      h(
        'span',
        { class: 'run-tab-item' },
        h(
          'button',
          {
            class: `run-tab${run.key === input.focus ? ' is-active' : ''}`,
            attrs: { type: 'button', role: 'tab', 'aria-selected': run.key === input.focus ? 'true' : 'false', 'data-run': run.key, title: run.runDir ?? run.key },
            onClick: () => actions.ui({ type: 'focus', runKey: run.key }),
          },
          h('span', { class: `dot phase-${run.phase ?? 'none'}`, attrs: { 'aria-hidden': 'true' } }),
          shortRunLabel(run),
        ),
        closable(run)
          ? h(
              'button',
              {
                class: 'run-tab-close',
                attrs: { type: 'button', 'aria-label': `Close ${shortRunLabel(run)} (the run's folder stays)`, title: "Close this tab (the run's folder stays)", 'data-close-run': run.key },
                onClick: () => {
                  actions.ui({ type: 'close-run', runKey: run.key });
                  actions.post({ type: 'close-run', runKey: run.key });
                },
              },
              '×',
            )
          : null,
      ),
    ),
  );
}
