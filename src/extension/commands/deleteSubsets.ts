/**
 * "Delete Subsets…" on a prepared folder of the Subsets view: after a modal confirmation that says which runs
 * trained on it, deletes the copied train/validation/test images. The source images are never touched.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { listRuns } from '../runs/runStore';
import type { Services } from '../services';
import { subsetsDirOfArgument, whyNotDeletable } from '../subsets/deletableSubsets';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.deleteSubsets, async (arg: unknown) => {
    const dir = subsetsDirOfArgument(arg);
    if (dir === undefined) return;
    const workFolder = services.settings.workFolder();
    const refusal = whyNotDeletable({ workFolder, dir });
    if (refusal !== null) {
      void vscode.window.showWarningMessage(refusal);
      return;
    }
    const runs = (await listRuns(workFolder)).filter((run) => path.resolve(run.record.dataDir) === path.resolve(dir));
    if (runs.some((run) => services.runs.isActiveHere(run.runDir) || run.trainer !== null)) {
      void vscode.window.showWarningMessage(`A run is training on ${path.basename(dir)}: stop it before deleting its subsets.`);
      return;
    }
    const trained =
      runs.length === 0
        ? 'No run was trained on them.'
        : `${runs.length} run${runs.length === 1 ? ' was' : 's were'} trained on them: their checkpoints stay, but evaluating them on the test set needs these images (make the subsets again with the same split).`;
    const confirm = await vscode.window.showWarningMessage(
      `Delete the subsets ${path.basename(dir)}?`,
      { modal: true, detail: `This deletes the copied images in ${dir}. The source images stay. ${trained}` },
      'Delete',
    );
    if (confirm !== 'Delete') return;
    try {
      await fs.rm(dir, { recursive: true, force: true });
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not delete ${dir}: ${error instanceof Error ? error.message : String(error)}`);
    }
    services.refreshViews();
  });
}
