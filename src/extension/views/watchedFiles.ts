/**
 * Which changes in the work folder refresh the trees (and the panel's and status bar's runs read from disk).
 * Not progress.json: the trainer rewrites it every 2 s, and its temporary file (`.progress.json.tmp-PID`, see
 * src/trainer/util/atomicWrite.ts) comes and goes with it; backgroundProgress.ts follows it instead. Pure.
 */
import * as path from 'node:path';
import { PROGRESS_FILE } from '../../shared/runFiles';

const PROGRESS_TEMP = new RegExp(`^\\.${PROGRESS_FILE.replace(/\./g, '\\.')}\\.tmp-\\d+$`);

export function refreshesViews(file: string): boolean {
  const name = path.basename(file);
  return name !== PROGRESS_FILE && !PROGRESS_TEMP.test(name);
}
