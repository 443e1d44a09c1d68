/**
 * Watches the work folder and calls `onChange` (debounced) when files change there, so the trees follow runs
 * and subsets on disk (not on progress.json: watchedFiles.ts). Re-created when the work folder setting changes or
 * the folder appears.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { Debouncer } from '../util/debounce';
import { refreshesViews } from './watchedFiles';

export const WATCH_DEBOUNCE_MS = 500;

export class WorkFolderWatcher implements vscode.Disposable {
  private watcher: { folder: string; existed: boolean; disposable: vscode.Disposable } | undefined;
  private readonly debouncer: Debouncer;

  constructor(private readonly options: { workFolder: () => string; onChange: () => void }) {
    this.debouncer = new Debouncer({ delayMs: WATCH_DEBOUNCE_MS, action: options.onChange });
    this.update();
  }

  /** Watch the current work folder (again, if it changed or was created since). */
  update(): void {
    const folder = this.options.workFolder();
    const exists = existsSync(folder);
    if (this.watcher !== undefined && this.watcher.folder === folder && this.watcher.existed === exists) return;
    this.watcher?.disposable.dispose();
    const fileWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), '**/*'));
    const trigger = (uri: vscode.Uri) => {
      if (refreshesViews(uri.fsPath)) this.debouncer.trigger();
    };
    this.watcher = {
      folder,
      existed: exists,
      disposable: vscode.Disposable.from(fileWatcher, fileWatcher.onDidCreate(trigger), fileWatcher.onDidChange(trigger), fileWatcher.onDidDelete(trigger)),
    };
  }

  dispose(): void {
    this.watcher?.disposable.dispose();
    this.watcher = undefined;
    this.debouncer.dispose();
  }
}
