/**
 * Which changes in the work folder refresh the trees (and the panel's and status bar's runs read from disk).
 * Not progress.json: the trainer rewrites it every 2 s, and its temporary file (`.progress.json.tmp-PID`, see
 * src/shared/tempFiles.ts) comes and goes with it; backgroundProgress.ts follows it instead. Pure.
 */
import * as path from 'node:path';
import { PROGRESS_FILE } from '../../shared/runFiles';
import { tempFileTarget } from '../../shared/tempFiles';

export function refreshesViews(file: string): boolean {
  const name = path.basename(file);
  return (tempFileTarget(name) ?? name) !== PROGRESS_FILE;
}
