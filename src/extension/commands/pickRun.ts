/** A QuickPick of the runs on disk (newest first), optionally only those with a best checkpoint. */
import * as vscode from 'vscode';
import { runPickSpec } from '../runs/runPresentation';
import { listRuns, type RunOnDisk } from '../runs/runStore';

export async function pickRun(options: { workFolder: string; title: string; withCheckpoint: boolean }): Promise<RunOnDisk | undefined> {
  const runs = (await listRuns(options.workFolder)).filter((run) => !options.withCheckpoint || run.best !== null);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(
      options.withCheckpoint ? 'No run with a saved checkpoint yet: train one first ("Train Small Convnet").' : 'No training runs yet.',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ ...runPickSpec(run), run })),
    { title: options.title, placeHolder: 'Pick a run (its best checkpoint is used)', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.run;
}
