/**
 * What a command was invoked on: a Checkpoints view node (context menu), a run folder path (the panel, a
 * walkthrough link) or a Uri (the Explorer). Pure: a Uri is recognised by its `fsPath`.
 */
import * as path from 'node:path';
import { isRecord } from '../util/readJson';
import type { CheckpointsNode } from './checkpointsModel';

function isCheckpointsNode(value: unknown): value is Extract<CheckpointsNode, { kind: 'run' | 'checkpoint' }> {
  return isRecord(value) && (value.kind === 'run' || value.kind === 'checkpoint') && isRecord(value.run) && typeof value.run.runDir === 'string';
}

function fsPathOf(value: unknown): string | undefined {
  if (typeof value === 'string') return path.isAbsolute(value) ? value : undefined;
  if (isRecord(value) && typeof value.fsPath === 'string' && value.scheme === 'file') return value.fsPath;
  return undefined;
}

/** The run folder a command was invoked on, or undefined (then the command asks). */
export function runDirOfArgument(arg: unknown): string | undefined {
  if (isCheckpointsNode(arg)) return arg.run.runDir;
  return fsPathOf(arg);
}

/** The folder to reveal: a checkpoint node's checkpoint folder, else the run folder. */
export function revealPathOfArgument(arg: unknown): string | undefined {
  if (isCheckpointsNode(arg) && arg.kind === 'checkpoint') return arg.checkpointDir;
  return runDirOfArgument(arg);
}

/** Image files of an Explorer context-menu invocation: (clicked Uri, selected Uris). */
export function imageFilesOfArguments(clicked: unknown, selected: unknown): string[] {
  const all = Array.isArray(selected) && selected.length > 0 ? selected : [clicked];
  return all.map(fsPathOf).filter((file): file is string => file !== undefined);
}
