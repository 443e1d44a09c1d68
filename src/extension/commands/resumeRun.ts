/**
 * "Resume Training" (Checkpoints view on a stopped or interrupted run, the notification after a stop or
 * crash, the palette): `small-convnet resume <run>` continues from the last finished epoch with the run's
 * own settings, so it ends as an uninterrupted run would.
 */
import * as vscode from 'vscode';
import { RECIPES } from '../../shared/recipes';
import { COMMANDS } from '../ids';
import { runDirOfArgument } from '../runs/commandArguments';
import { isResumable, readRunFolder } from '../runs/runStore';
import type { Services } from '../services';
import { checkNoRunActive, launchRun } from '../train/launchRun';
import { resumeArgs } from '../trainer/trainerArgs';
import { pickRun } from './pickRun';

export async function resumeRun(services: Services, runDir: string): Promise<void> {
  const run = await readRunFolder(runDir);
  if (run === null) {
    void vscode.window.showErrorMessage(`${runDir} is not a readable run folder (no valid run.json).`);
    return;
  }
  if (!isResumable(run)) {
    const why =
      run.trainer?.alive === true
        ? `a trainer (pid ${run.trainer.pid}) is still training it`
        : run.record.status === 'completed'
          ? 'it finished all its epochs'
          : 'it saved no resume state (it stopped before its first epoch ended)';
    void vscode.window.showInformationMessage(`${run.record.runId} cannot be resumed: ${why}.`);
    return;
  }
  if (!(await checkNoRunActive(services))) return;
  const current = services.settings.current();
  const done = run.history?.epochs.length ?? 0;
  services.log.appendLine(`Resuming ${run.record.runId} after epoch ${done} of ${run.record.settings.epochs}`);
  launchRun(services, {
    command: 'resume',
    args: resumeArgs({ runDir: run.runDir, backend: current.backend, workers: current.workers }),
    settings: run.record.settings,
    dataLabel: `${run.record.dataDir} (${RECIPES[run.record.settings.recipe].title}, resumed after epoch ${done})`,
  });
}

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.resumeRun, async (arg: unknown) => {
    const runDir =
      runDirOfArgument(arg) ??
      (
        await pickRun({
          workFolder: services.settings.workFolder(),
          title: 'Resume a stopped run',
          withCheckpoint: false,
          only: { accept: isResumable, noneText: 'No stopped or interrupted run to resume.' },
        })
      )?.runDir;
    if (runDir !== undefined) await resumeRun(services, runDir);
  });
}
