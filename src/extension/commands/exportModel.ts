/**
 * "Export Model…" (a run or checkpoint's context menu in the Checkpoints view, the panel, the palette): pick a
 * format, pick where (a save dialog), run `small-convnet export`, then offer the file and a snippet that uses it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXPORT_FORMAT_IDS, EXPORT_FORMATS, type ExportFormat } from '../../shared/exportFormats';
import { usageSnippets } from '../../shared/exportSnippets';
import type { ExportedMessage } from '../../shared/trainerProtocol';
import { COMMANDS } from '../ids';
import { revealPathOfArgument, runDirOfArgument } from '../runs/commandArguments';
import { readRunFolder } from '../runs/runStore';
import type { Services } from '../services';
import { exportArgs } from '../trainer/trainerArgs';
import { messagesOfType, runTrainerJob } from '../trainer/runTrainerJob';
import { pickRun } from './pickRun';
import { showOutcome } from './showOutcome';

async function pickFormat(): Promise<ExportFormat | undefined> {
  const picked = await vscode.window.showQuickPick(
    EXPORT_FORMAT_IDS.map((id) => ({ label: EXPORT_FORMATS[id].title, description: EXPORT_FORMATS[id].description, id })),
    { title: 'Export the model as', placeHolder: 'The format of the program that will use it' },
  );
  return picked?.id;
}

/** Opens the format's snippets in untitled editors, in one group beside the current one. */
async function showSnippets(exported: ExportedMessage): Promise<void> {
  let column: vscode.ViewColumn = vscode.ViewColumn.Beside;
  for (const snippet of usageSnippets({ format: exported.format, path: exported.path, classes: exported.classes, imageSize: exported.imageSize })) {
    const document = await vscode.workspace.openTextDocument({ language: snippet.language, content: snippet.text });
    const editor: vscode.TextEditor = await vscode.window.showTextDocument(document, { preview: false, viewColumn: column });
    column = editor.viewColumn ?? column;
  }
}

export async function exportModel(services: Services, target: { runDir: string; checkpointDir?: string }): Promise<void> {
  const run = await readRunFolder(target.runDir);
  if (run === null || run.best === null) {
    void vscode.window.showInformationMessage(`${path.basename(target.runDir)} has no checkpoint to export yet: a run saves its first one at the end of its first epoch.`);
    return;
  }
  const format = await pickFormat();
  if (format === undefined) return;
  const { extension, folder } = EXPORT_FORMATS[format];
  const checkpointDir = target.checkpointDir ?? path.join(run.runDir, run.best.checkpoint);
  const suggested = path.join(run.runDir, 'exports', `${run.record.runId}-${path.basename(checkpointDir)}${extension}`);
  // The proposed folder exists, so every save dialog (VS Code's own in a browser too) can open it.
  await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(suggested)));
  const chosen = await vscode.window.showSaveDialog({
    title: folder ? 'Export as a folder (model.json and weights.bin go inside)' : `Export as ${EXPORT_FORMATS[format].title}`,
    defaultUri: vscode.Uri.file(suggested),
    saveLabel: 'Export',
    ...(folder ? {} : { filters: { [EXPORT_FORMATS[format].title]: [extension.slice(1)] } }),
  });
  if (chosen === undefined) return;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Small Convnet: exporting ${run.record.runId} as ${EXPORT_FORMATS[format].title}`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        return await runTrainerJob({ launcher: services.launcher, command: 'export', args: exportArgs({ checkpoint: checkpointDir, format, out: chosen.fsPath }), signal: abort.signal });
      } finally {
        cancel.dispose();
      }
    },
  );
  const [exported] = messagesOfType(result.messages, 'exported');
  if (result.outcome.kind !== 'completed' || exported === undefined) {
    await showOutcome({ outcome: result.outcome, what: `Exporting ${run.record.runId}`, log: services.log });
    return;
  }
  services.log.appendLine(`Exported ${run.record.runId} (epoch ${exported.epoch}) as ${format}: ${exported.path}`);
  // The panel's "Use this model" section, when it shows this run.
  services.panel.session?.forwardRunMessage(run.runDir, exported);
  const choice = await vscode.window.showInformationMessage(
    `Exported ${run.record.runId}'s checkpoint of epoch ${exported.epoch} to ${exported.path}. Input: ${exported.imageSize}x${exported.imageSize} RGB, values 0..255; classes in order: ${exported.classes.join(', ')}.`,
    'Show How to Use It',
    'Reveal in Explorer',
  );
  if (choice === 'Show How to Use It') await showSnippets(exported);
  else if (choice === 'Reveal in Explorer') await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(exported.path));
}

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.exportModel, async (arg: unknown) => {
    const runDir =
      runDirOfArgument(arg) ?? (await pickRun({ workFolder: services.settings.workFolder(), title: 'Export which run\'s best checkpoint?', withCheckpoint: true }))?.runDir;
    if (runDir === undefined) return;
    const clicked = revealPathOfArgument(arg);
    await exportModel(services, { runDir, checkpointDir: clicked !== undefined && clicked !== runDir ? clicked : undefined });
  });
}
