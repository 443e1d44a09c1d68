/** What the person changes in the panel itself (no host message): pure updates of the panel state. */
import type { RunKey } from '../src/shared/webviewProtocol';
import { removeRun, type PanelState } from './panelState';
import { isOverlaid } from './selectors';

export type UiAction =
  | { type: 'show-compare'; show: boolean }
  | { type: 'toggle-compare-run'; runKey: RunKey }
  | { type: 'focus'; runKey: RunKey }
  | { type: 'close-run'; runKey: RunKey }
  | { type: 'show-heatmaps'; show: boolean }
  | { type: 'open-detail'; file: string | null }
  | { type: 'pick-layer'; layer: string };

export function reduceUi(state: PanelState, action: UiAction): PanelState {
  switch (action.type) {
    case 'show-compare':
      return { ...state, compare: { ...state.compare, show: action.show } };
    case 'toggle-compare-run': {
      const run = state.runs[action.runKey];
      if (run === undefined) return state;
      const on = !isOverlaid(state, run);
      const hidden = state.compare.hidden.filter((k) => k !== action.runKey);
      const shown = state.compare.shown.filter((k) => k !== action.runKey);
      return { ...state, compare: { ...state.compare, hidden: on ? hidden : [...hidden, action.runKey], shown: on ? [...shown, action.runKey] : shown } };
    }
    case 'focus':
      return state.runs[action.runKey] ? { ...state, focus: action.runKey } : state;
    case 'close-run':
      return removeRun(state, action.runKey);
    case 'show-heatmaps':
      return { ...state, heatmaps: action.show };
    case 'open-detail':
      return { ...state, detail: action.file === null || state.detail?.file === action.file ? null : { file: action.file, layer: null } };
    case 'pick-layer':
      return state.detail === null ? state : { ...state, detail: { ...state.detail, layer: action.layer } };
  }
}
