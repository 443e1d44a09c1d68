/**
 * "Stop Training": the trainer stops after the current batch; the best checkpoint and history stay. On a run
 * of the Checkpoints view that trains in the background (another window, or left running by a reload), the
 * trainer named by its trainer.lock gets SIGINT, which it handles the same way. From the palette or the view's
 * title: this window's runs, or, when it trains none, the runs training in the background.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { askBackgroundTrainerToStop } from '../runs/backgroundTrainer';
import { backgroundTargets, type ProgressTarget } from '../runs/backgroundProgress';
import { runDirOfArgument } from '../runs/commandArguments';
import { listRuns } from '../runs/runStore';
import type { Services } from '../services';

async function stopInBackground(services: Services, runDir: string): Promise<void> {
  const result = await askBackgroundTrainerToStop(runDir);
  void vscode.window.showInformationMessage(result.text);
  if (result.asked) services.panel.session?.noteBackgroundStop(runDir);
}

async function pickBackgroundRuns(targets: readonly ProgressTarget[]): Promise<readonly ProgressTarget[]> {
  const all = { label: `$(debug-stop) All ${targets.length} runs`, targets };
  const items = [...targets.map((target) => ({ label: target.runId, description: `${target.epochsDone} epochs done`, targets: [target] })), all];
  const picked = await vscode.window.showQuickPick(items, { title: 'Stop which run training in the background?', placeHolder: 'Runs of other windows, or left training by a reload' });
  return picked?.targets ?? [];
}

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.stopTraining, async (arg: unknown) => {
    const runDir = runDirOfArgument(arg);
    if (runDir !== undefined && !services.runs.isActiveHere(runDir)) {
      await stopInBackground(services, runDir);
      services.refreshViews();
      return;
    }
    const active = services.runs.active();
    if (active.length > 0) {
      await Promise.all(active.map((run) => run.stop()));
      return;
    }
    const background = backgroundTargets(await listRuns(services.settings.workFolder()), (dir) => services.runs.isActiveHere(dir));
    if (background.length === 0) {
      void vscode.window.showInformationMessage('No Small Convnet run is training.');
      return;
    }
    // Several: they may belong to other windows, so the person says which (one, or all of them).
    const chosen = background.length === 1 ? background : await pickBackgroundRuns(background);
    for (const target of chosen) await stopInBackground(services, target.runDir);
    if (chosen.length > 0) services.refreshViews();
  });
}
