/** Starts a `train` or `resume` process, shows the panel, and reports how it ended (offering to resume). */
import * as vscode from 'vscode';
import { showOutcome } from '../commands/showOutcome';
import { COMMANDS } from '../ids';
import { isResumable, readRunFolder } from '../runs/runStore';
import type { Services } from '../services';
import type { TrainingRun } from '../session/trainingRun';
import type { TrainingStart } from '../session/trainingRuns';
import { formatAccuracy, formatMetric } from '../util/format';
import { markTrained } from '../walkthroughProgress';

export const STOP_AND_CONTINUE = 'Stop It and Continue';

/**
 * Only one run trains at a time. Asked first, before any prompt of a new training: with a run training, offers to
 * stop it (after its current batch; what it saved stays valid and it can be resumed) and go on, or to show it.
 * True when no run trains (any more).
 */
export async function checkNoRunActive(services: Services): Promise<boolean> {
  const active = services.runs.active();
  if (active.length === 0) return true;
  const choice = await vscode.window.showWarningMessage(
    'A Small Convnet run is training already; one run trains at a time. Stop it (after its current batch; it can be resumed later) and go on with the new one?',
    STOP_AND_CONTINUE,
    'Show Panel',
  );
  if (choice === 'Show Panel') services.panel.show();
  if (choice !== STOP_AND_CONTINUE) return false;
  await Promise.all(active.map((run) => run.stop()));
  return services.runs.active().length === 0;
}

async function reportEnd(services: Services, run: TrainingRun): Promise<void> {
  const outcome = await run.finished;
  services.refreshViews();
  if (outcome.kind === 'completed') markTrained(run.settings.recipe);
  if (outcome.kind !== 'completed') {
    const onDisk = run.runDir !== null ? await readRunFolder(run.runDir) : null;
    const epochs = onDisk?.history?.epochs.length ?? 0;
    const resume =
      onDisk !== null && isResumable(onDisk)
        ? [{ title: 'Resume', run: () => void vscode.commands.executeCommand(COMMANDS.resumeRun, onDisk.runDir) }]
        : [];
    const kept = resume.length > 0 ? ` ${epochs} of ${onDisk?.record.settings.epochs} epochs are saved; Resume continues from there.` : '';
    await showOutcome({ outcome: { ...outcome, summary: outcome.summary + kept }, what: 'Training', log: services.log, actions: resume });
    return;
  }
  const best = run.lastEpoch;
  const text = best !== null
    ? `Training finished: ${best.epoch} epoch${best.epoch === 1 ? '' : 's'}, last val_loss ${formatMetric(best.logs.val_loss)}, val_acc ${formatAccuracy(best.logs.val_accuracy)}. The best checkpoint is kept.`
    : 'Training finished.';
  const choice = await vscode.window.showInformationMessage(text, 'Evaluate on Test Set', 'Show Panel');
  if (choice === 'Evaluate on Test Set' && run.runDir !== null) void vscode.commands.executeCommand(COMMANDS.evaluateCheckpoint, run.runDir);
  if (choice === 'Show Panel') services.panel.show();
}

export function launchRun(services: Services, request: TrainingStart): TrainingRun {
  const run = services.runs.start(request);
  // The panel's resource roots grow to the images it shows, not to the whole data folder (docs/reliability.md).
  services.panel.show();
  void reportEnd(services, run);
  return run;
}
