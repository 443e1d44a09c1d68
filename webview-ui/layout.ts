/**
 * The panel's sections, top to bottom, each bound to its selector and view. `renderAll(state)` updates
 * them; every section redraws only when its own input changed.
 */
import type { PanelState } from './panelState';
import type { Child } from './dom';
import { section } from './sections';
import type { ViewActions } from './views/actions';
import { renderAugmentation, selectAugmentation } from './views/augmentation';
import { renderCharts, selectCharts } from './views/chartsSection';
import { renderEmpty } from './views/empty';
import { renderEvaluation, selectEvaluation } from './views/evaluation';
import { renderHeader, selectHeader } from './views/header';
import { renderNotes, sameNotes, selectNotes } from './views/notes';
import { renderProgress, selectProgress } from './views/progress';
import { renderRunTabs, sameRunTabs, selectRunTabs } from './views/runTabs';
import { renderSummary, selectSummary } from './views/summary';
import { renderUseModel, selectUseModel } from './views/useModel';

interface Bound {
  el: HTMLElement;
  update(state: PanelState): void;
}

/** A section fed by `select`; `equal` overrides the shallow comparison of inputs. */
function bind<T>(
  name: string,
  select: (state: PanelState) => T | null,
  render: (input: T) => Child | Child[],
  equal?: (a: T | null, b: T | null) => boolean,
): Bound {
  const s = section<T>(name, render, equal);
  return { el: s.el, update: (state) => s.update(select(state)) };
}

export interface Layout {
  renderAll(state: PanelState): void;
}

export function createLayout(root: HTMLElement, actions: ViewActions): Layout {
  const bound: Bound[] = [
    bind('empty', (state) => (state.order.length === 0 ? {} : null), () => renderEmpty(actions)),
    bind('tabs', selectRunTabs, (input) => renderRunTabs(input, actions), sameRunTabs),
    bind('header', selectHeader, (input) => renderHeader(input, actions)),
    bind('progress', selectProgress, renderProgress),
    bind('charts', selectCharts, (input) => renderCharts(input, actions)),
    bind('notes', selectNotes, renderNotes, sameNotes),
    bind('evaluation', selectEvaluation, (input) => renderEvaluation(input, actions)),
    bind('use-model', selectUseModel, (input) => renderUseModel(input, actions)),
    bind('augmentation', selectAugmentation, (input) => renderAugmentation(input, actions)),
    bind('summary', selectSummary, renderSummary),
  ];
  root.replaceChildren(...bound.map((b) => b.el));
  return {
    renderAll(state: PanelState): void {
      for (const b of bound) b.update(state);
    },
  };
}
