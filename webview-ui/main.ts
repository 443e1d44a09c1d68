/**
 * The training panel's entry point: restores the saved state and draws it before any message arrives,
 * then applies host messages through the reducer, saves the state after every change, and says `ready`.
 */
import './panel.css';
import './elements';
import { parseHostMessage } from '../src/shared/webviewProtocol';
import { createLayout } from './layout';
import { reduce, type PanelState } from './panelState';
import { restoreState } from './persist';
import { reduceUi } from './uiActions';
import { connectHost } from './vscodeApi';

const host = connectHost();
const root = document.getElementById('app');
if (!root) throw new Error('Small Convnet panel: #app is missing from the page');

/** The one piece of mutable state: the current panel state (replaced, never mutated). */
const app: { state: PanelState } = { state: restoreState(host.loadState()) };

const layout = createLayout(root, {
  post: (message) => host.post(message),
  ui: (action) => commit(reduceUi(app.state, action)),
});

function commit(next: PanelState): void {
  if (next === app.state) return;
  app.state = next;
  host.saveState(next);
  layout.renderAll(next);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (message) commit(reduce(app.state, message));
});

layout.renderAll(app.state);
host.post({ type: 'ready', front: app.state.focus });
