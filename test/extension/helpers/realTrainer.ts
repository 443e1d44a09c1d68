/** The built trainer (dist/trainer/main.js) behind the extension's own launcher, run with this Node. */
import { join } from 'node:path';
import { createTrainerLauncher, type TrainerLauncher } from '../../../src/extension/trainer/trainerLauncher';

export const REPO_ROOT = join(__dirname, '..', '..', '..');

export function realTrainerLauncher(log: (line: string) => void = () => undefined): TrainerLauncher {
  return createTrainerLauncher({
    runtime: () => ({ extensionPath: REPO_ROOT, hostExecPath: process.execPath, nodePath: '', hostEnv: { ...process.env }, cwd: REPO_ROOT }),
    log,
  });
}
