/** Copies a source folder's subsets with the trainer's `prepare`, with a cancellable progress notification. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { markWorkFolder } from '../../shared/node/workFolders';
import { markWalkthroughStep } from '../walkthroughProgress';
import { showOutcome } from '../commands/showOutcome';
import type { Services } from '../services';
import { MANIFEST_FILE } from '../subsets/subsetsStore';
import { prepareArgs, formatSplit, type SplitCounts } from '../trainer/trainerArgs';
import { messagesOfType, runTrainerJob } from '../trainer/runTrainerJob';
import { subsetsFolderFor } from './dataPlan';

/** The prepared folder, or undefined when it failed or was cancelled (the person was told). */
export async function prepareSubsets(services: Services, source: { dir: string; split: SplitCounts }): Promise<string | undefined> {
  const workFolder = services.settings.workFolder();
  // Marked as a work folder, it is never read as a class, also when it sits inside the dataset (the workspace).
  markWorkFolder(workFolder);
  const out = subsetsFolderFor({ workFolder, source: source.dir, split: source.split });
  // A folder of ours without a manifest is an unfinished copy (cancelled): replace it.
  const replace = existsSync(out) && !existsSync(path.join(out, MANIFEST_FILE));
  const name = path.basename(source.dir);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Small Convnet: copying ${formatSplit(source.split)} per class of ${name}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      try {
        return await runTrainerJob({
          launcher: services.launcher,
          command: 'prepare',
          args: prepareArgs({ source: source.dir, out, split: source.split, replace }),
          signal: abort.signal,
          onMessage: (message) => {
            if (message.type !== 'prepare-progress' || message.total === 0) return;
            const percent = (100 * message.copied) / message.total;
            progress.report({ message: `${message.copied} of ${message.total} images`, increment: percent - reported });
            reported = percent;
          },
        });
      } finally {
        cancel.dispose();
      }
    },
  );
  services.refreshViews();
  if (result.outcome.kind !== 'completed') {
    await showOutcome({ outcome: result.outcome, what: `Copying the subsets of ${name}`, log: services.log });
    return undefined;
  }
  markWalkthroughStep('subsetsMade');
  const prepared = messagesOfType(result.messages, 'prepared').at(-1);
  for (const warning of prepared?.warnings ?? []) void vscode.window.showWarningMessage(warning);
  return prepared?.outDir ?? out;
}
