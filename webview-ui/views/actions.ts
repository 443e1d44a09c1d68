/** What a view may do: post a message to the host, or change the panel's own UI state. */
import type { WebviewToHostMessage } from '../../src/shared/webviewProtocol';
import type { UiAction } from '../uiActions';

export interface ViewActions {
  post(message: WebviewToHostMessage): void;
  ui(action: UiAction): void;
}
