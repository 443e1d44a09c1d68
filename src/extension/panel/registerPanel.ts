/** The training panel's serializer, so the panel comes back (with its runs) after VS Code reloads. */
import * as vscode from 'vscode';
import { PANEL_VIEW_TYPE } from '../ids';
import type { TrainingPanel } from './trainingPanel';

export function register(panel: TrainingPanel): vscode.Disposable {
  return vscode.Disposable.from(
    panel,
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (webviewPanel: vscode.WebviewPanel, state: unknown) => panel.restore(webviewPanel, state),
    }),
  );
}
