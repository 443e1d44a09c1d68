/** A QuickPick of the runs on disk (newest first), optionally only those with a best checkpoint. */
import * as vscode from 'vscode';
import { runPickSpec } from '../runs/runPresentation';
import { listRuns, type RunOnDisk } from '../runs/runStore';

export interface PickRunOptions {
  workFolder: string;
  title: string;
  withCheckpoint: boolean;
  /** Offer only these runs, and say `noneText` when there are none. */
  only?: { accept: (run: RunOnDisk) => boolean; noneText: string };
}

export async function pickRun(options: PickRunOptions): Promise<RunOnDisk | undefined> {
  const runs = (await listRuns(options.workFolder)).filter((run) => (!options.withCheckpoint || run.best !== null) && (options.only?.accept(run) ?? true));
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(
      options.only?.noneText ?? (options.withCheckpoint ? 'No run with a saved checkpoint yet: train one first ("Train Small Convnet").' : 'No training runs yet.'),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ ...runPickSpec(run), run })),
    { title: options.title, placeHolder: 'Pick a run (its best checkpoint is used)', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.run;
}
