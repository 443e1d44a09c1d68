/**
 * The one "Small Convnet Training" WebviewPanel: creates or reveals it, restores it after a reload
 * (registered as the serializer's target), sets its HTML and resource roots, and connects it to a
 * PanelSession (the message logic, without `vscode`).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PANEL_TITLE, PANEL_VIEW_TYPE } from '../ids';
import { isImageFileName } from '../../shared/imageNames';
import { askBackgroundTrainerToStop } from '../runs/backgroundTrainer';
import { readRunFolder } from '../runs/runStore';
import type { TrainingRuns } from '../session/trainingRuns';
import type { ExtensionLog } from '../util/log';
import { makeNonce, panelHtml } from './panelHtml';
import { PanelSession, type PanelActions } from './panelSession';
import { keepRunFolders, readPanelState } from './panelStateReader';
import { panelResourceRoots, widenedRoots } from './resourceRoots';

export interface TrainingPanelOptions {
  extensionUri: vscode.Uri;
  runs: TrainingRuns;
  log: ExtensionLog;
  workFolder: () => string;
  /** What the panel's buttons do (evaluate, start a recipe, pick a run to compare). */
  actions: Pick<PanelActions, 'evaluateRun' | 'exportRun' | 'explainImages' | 'activationsOfImage' | 'pickRunToCompare' | 'startRecipe'>;
}

interface OpenPanel {
  panel: vscode.WebviewPanel;
  session: PanelSession;
  /** The current localResourceRoots, as paths. */
  roots: { current: string[] };
}

async function listImages(dir: string): Promise<string[]> {
  try {
    const names = await vscode.workspace.fs.readDirectory(vscode.Uri.file(dir));
    return names.filter(([name, type]) => type === vscode.FileType.File && isImageFileName(name)).map(([name]) => path.join(dir, name));
  } catch {
    return [];
  }
}

export class TrainingPanel implements vscode.Disposable {
  private open: OpenPanel | undefined;

  constructor(private readonly options: TrainingPanelOptions) {}

  /** Shows the panel (creating it if needed) and returns its session. */
  show(options: { preserveFocus?: boolean; extraRoots?: readonly string[] } = {}): PanelSession {
    if (this.open !== undefined) {
      this.open.panel.reveal(undefined, options.preserveFocus ?? false);
      if (options.extraRoots !== undefined) this.allow(this.open.panel, this.open.roots, { folders: options.extraRoots });
      return this.open.session;
    }
    const roots = this.initialRoots(options.extraRoots ?? []);
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      PANEL_TITLE,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: options.preserveFocus ?? false },
      { enableScripts: true, localResourceRoots: roots.map((root) => vscode.Uri.file(root)) },
    );
    return this.adopt(panel, roots).session;
  }

  /** The serializer's entry point after VS Code reloaded: the panel comes back with the runs it showed. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const summary = readPanelState(state);
    if (this.open !== undefined) {
      // A panel was opened since the reload: keep that one and bring the restored runs into it.
      panel.dispose();
      this.open.panel.reveal();
      for (const runDir of summary.runDirs) await this.open.session.showRun(runDir, { focus: false });
      return;
    }
    // The saved state comes from the webview: only folders that really are runs become resource roots.
    const checked = await keepRunFolders(summary, async (dir) => (await readRunFolder(dir)) !== null);
    const roots = this.initialRoots(checked.runDirs);
    panel.webview.options = { enableScripts: true, localResourceRoots: roots.map((root) => vscode.Uri.file(root)) };
    this.adopt(panel, roots).session.restore(checked, summary.runDirs.filter((dir) => !checked.runDirs.includes(dir)));
  }

  get session(): PanelSession | undefined {
    return this.open?.session;
  }

  dispose(): void {
    this.open?.panel.dispose();
  }

  /**
   * The extension's panel bundle and media, and the run folders the panel shows; nothing else of the work
   * folder. The folders of the images it shows (augmentation, test images) are added when they are shown.
   */
  private initialRoots(extra: readonly string[]): string[] {
    return panelResourceRoots({ extensionPath: this.options.extensionUri.fsPath, folders: extra });
  }

  private adopt(panel: vscode.WebviewPanel, initialRoots: string[]): OpenPanel {
    const { log } = this.options;
    const roots = { current: initialRoots };
    const session = new PanelSession({
      port: {
        post: (message) => {
          if (panel.visible) void panel.webview.postMessage(message);
        },
        webviewUris: (files) => {
          this.allow(panel, roots, { files });
          const uris: Record<string, string> = {};
          for (const file of files) uris[file] = panel.webview.asWebviewUri(vscode.Uri.file(file)).toString();
          return uris;
        },
      },
      runs: this.options.runs,
      readRun: readRunFolder,
      listImages,
      workFolder: this.options.workFolder,
      actions: {
        ...this.options.actions,
        openFile: (file) => void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { preview: true, viewColumn: vscode.ViewColumn.Beside }),
        inform: (text) => void vscode.window.showInformationMessage(text),
        stopBackgroundRun: askBackgroundTrainerToStop,
        log: log.appendLine,
      },
    });
    const open: OpenPanel = { panel, session, roots };
    panel.webview.html = this.html(panel.webview);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        session.handleMessage(raw).catch((error: unknown) => log.appendLine(`Panel message failed: ${String(error)}`));
      }),
    ];
    subscriptions.push(
      panel.onDidDispose(() => {
        session.dispose();
        for (const subscription of subscriptions) subscription.dispose();
        if (this.open === open) this.open = undefined;
      }),
    );
    this.open = open;
    return open;
  }

  /** Widens the resource roots when something is outside them. Changing them reloads the webview, which then replays. */
  private allow(panel: vscode.WebviewPanel, roots: { current: string[] }, wanted: { files?: readonly string[]; folders?: readonly string[] }): void {
    const widened = widenedRoots(roots.current, wanted);
    if (widened === null) return;
    roots.current = widened;
    panel.webview.options = { enableScripts: true, localResourceRoots: widened.map((root) => vscode.Uri.file(root)) };
  }

  private html(webview: vscode.Webview): string {
    const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.options.extensionUri, 'dist', 'webview', file)).toString();
    return panelHtml({ cspSource: webview.cspSource, nonce: makeNonce(), scriptUri: asset('panel.js'), styleUri: asset('panel.css'), title: PANEL_TITLE });
  }
}
