/**
 * Evaluates a run's best checkpoint on its test subset (`evaluate`), with a cancellable progress
 * notification; the trainer's messages go to the training panel under the run's key.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { readRunFolder } from '../runs/runStore';
import type { Services } from '../services';
import { evaluateArgs } from '../trainer/trainerArgs';
import { messagesOfType, runTrainerJob } from '../trainer/runTrainerJob';
import { formatCount, formatMetric, formatPercent } from '../util/format';
import { showOutcome } from './showOutcome';
import { markWalkthroughStep } from '../walkthroughProgress';

export async function evaluateRun(services: Services, runDir: string): Promise<void> {
  const run = await readRunFolder(runDir);
  if (run === null || run.best === null) {
    void vscode.window.showWarningMessage(run === null ? `${runDir} is not a readable run folder.` : `${run.record.runId} has no saved checkpoint to evaluate yet.`);
    return;
  }
  const { runId } = run.record;
  const testDir = path.join(run.record.dataDir, 'test');
  if (!(await isFolder(testDir))) {
    // The trainer would say so too, but with a command-line way out (--data) the editor has no equivalent.
    const makeSubsets = 'Make Subsets…';
    const choice = await vscode.window.showErrorMessage(
      `${runId} cannot be evaluated: its test subset ${testDir} is gone (deleted or moved). Make the same subsets again ` +
        `(${makeSubsets}, the same images and split: the split is the same every time), then evaluate.`,
      makeSubsets,
    );
    if (choice === makeSubsets) await vscode.commands.executeCommand(COMMANDS.prepareData);
    return;
  }
  const session = services.panel.show({ preserveFocus: true, extraRoots: [run.runDir, run.record.dataDir] });
  await session.showRun(run.runDir, { focus: true });
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Small Convnet: evaluating ${runId} on the test set`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        return await runTrainerJob({
          launcher: services.launcher,
          command: 'evaluate',
          args: evaluateArgs({ checkpoint: run.runDir, backend: services.settings.current().backend }),
          signal: abort.signal,
          onMessage: (message) => {
            services.panel.session?.forwardRunMessage(run.runDir, message);
            if (message.type === 'dataset-loaded') progress.report({ message: `${formatCount(message.count)} test images loaded` });
          },
        });
      } finally {
        cancel.dispose();
      }
    },
  );
  services.refreshViews();
  const evaluation = messagesOfType(result.messages, 'evaluation').at(-1);
  if (result.outcome.kind !== 'completed' || evaluation === undefined) {
    await showOutcome({ outcome: result.outcome, what: `Evaluating ${runId}`, log: services.log });
    return;
  }
  markWalkthroughStep('evaluated');
  const choice = await vscode.window.showInformationMessage(
    `${runId}: test accuracy ${formatPercent(evaluation.accuracy)} (loss ${formatMetric(evaluation.loss)}) on ${formatCount(evaluation.count)} test images, best checkpoint of epoch ${run.best.epoch}.`,
    'Show Panel',
  );
  if (choice === 'Show Panel') services.panel.show();
}

async function isFolder(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
