/** "Evaluate on Test Set" (Checkpoints view, panel, walkthrough): asks for a run when none is given. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { runDirOfArgument } from '../runs/commandArguments';
import type { Services } from '../services';
import { evaluateRun } from './evaluateRun';
import { pickRun } from './pickRun';

export function register(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.evaluateCheckpoint, async (arg: unknown) => {
    const runDir =
      runDirOfArgument(arg) ?? (await pickRun({ workFolder: services.settings.workFolder(), title: 'Evaluate on the test set', withCheckpoint: true }))?.runDir;
    if (runDir !== undefined) await evaluateRun(services, runDir);
  });
}
