/**
 * How to start the trainer: which executable, which arguments, which environment. Pure: the caller passes
 * everything it depends on, so the rule is tested without VS Code.
 */
import * as path from 'node:path';
import type { CommandName } from '../../shared/trainerProtocol';

export interface TrainerLaunch {
  executable: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface TrainerRuntime {
  /** The extension's install folder (holds dist/trainer/main.js). */
  extensionPath: string;
  /** VS Code's own runtime (process.execPath): Electron in the desktop app, Node in code-server. */
  hostExecPath: string;
  /** `smallConvnet.trainerNodePath`; empty means the host's runtime. */
  nodePath: string;
  /** The extension host's environment, which the child inherits. */
  hostEnv: NodeJS.ProcessEnv;
  /** Working folder for the child (the work folder; every path argument is absolute anyway). */
  cwd: string;
}

export function trainerScriptPath(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'trainer', 'main.js');
}

/**
 * `<node> <extension>/dist/trainer/main.js <command> ...args --json`. With the host's runtime the child gets
 * ELECTRON_RUN_AS_NODE=1, so the same code path works in desktop VS Code (Electron) and code-server (Node).
 */
export function trainerLaunch(options: { runtime: TrainerRuntime; command: CommandName; args: readonly string[] }): TrainerLaunch {
  const { runtime, command, args } = options;
  const configuredNode = runtime.nodePath.trim();
  const env: NodeJS.ProcessEnv = { ...runtime.hostEnv };
  if (configuredNode === '') env.ELECTRON_RUN_AS_NODE = '1';
  else delete env.ELECTRON_RUN_AS_NODE;
  return {
    executable: configuredNode === '' ? runtime.hostExecPath : configuredNode,
    args: [trainerScriptPath(runtime.extensionPath), command, ...args, '--json'],
    env,
    cwd: runtime.cwd,
  };
}
