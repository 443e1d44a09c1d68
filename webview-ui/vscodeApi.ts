/**
 * The webview's side of VS Code: acquireVsCodeApi() (callable once per page) wrapped so that only
 * WebviewToHostMessage goes out and the saved state comes back as `unknown` (restoreState checks it).
 */
import type { WebviewToHostMessage } from '../src/shared/webviewProtocol';

interface VsCodeWebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeWebviewApi;

export interface HostApi {
  post(message: WebviewToHostMessage): void;
  loadState(): unknown;
  saveState(state: object): void;
}

export function connectHost(): HostApi {
  if (typeof acquireVsCodeApi !== 'function') throw new Error('Small Convnet panel: acquireVsCodeApi is missing (not running in a VS Code webview).');
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    loadState: () => api.getState(),
    saveState: (state) => api.setState(state),
  };
}
