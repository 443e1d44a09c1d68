/** Reads the extension's settings and the work folder from VS Code; fires when either may have changed. */
import * as vscode from 'vscode';
import { SETTINGS, SETTINGS_SECTION } from '../ids';
import { normaliseSettings, resolveWorkFolder, type ExtensionSettings } from './extensionSettings';

export class WorkspaceSettings implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];

  /** Settings of this extension or the workspace folders changed. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly globalStorage: vscode.Uri) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(SETTINGS_SECTION)) this.changeEmitter.fire();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.changeEmitter.fire()),
    ];
  }

  current(): ExtensionSettings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    return normaliseSettings({
      backend: config.get<unknown>(SETTINGS.backend),
      outputFolder: config.get<unknown>(SETTINGS.outputFolder),
      trainerNodePath: config.get<unknown>(SETTINGS.trainerNodePath),
      workers: config.get<unknown>(SETTINGS.workers),
    });
  }

  /** Where data/, runs/ and demo/ go. */
  workFolder(): string {
    return resolveWorkFolder({
      setting: this.current().outputFolder,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      globalStoragePath: this.globalStorage.fsPath,
    });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
  }
}
