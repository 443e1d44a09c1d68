/** The work-folder rule (../workFolder.ts) on the file system: which folders are work folders, and marking one. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { DEFAULT_WORK_FOLDER_NAME, WORK_FOLDER_MARKER } from '../workFolder';

/** Named small-convnet-work, or holding the marker file. */
export function isWorkFolder(dir: string): boolean {
  return basename(dir) === DEFAULT_WORK_FOLDER_NAME || existsSync(join(dir, WORK_FOLDER_MARKER));
}

/** Creates `dir` when needed and leaves the marker in it; a folder that cannot be written is left as it is. */
export function markWorkFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const marker = join(dir, WORK_FOLDER_MARKER);
    if (!existsSync(marker)) writeFileSync(marker, 'Small Convnet work folder: prepared subsets (data/) and runs (runs/). Never read as a class.\n');
  } catch {
    // Read-only or full: whoever writes there next reports it.
  }
}

/** Whether `target` lies inside a work folder that is a direct sub-folder of `dataset` (and so is not one of its classes). */
export function isInWorkFolderOf(dataset: string, target: string): boolean {
  const rel = relative(dataset, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return false;
  return isWorkFolder(join(dataset, rel.split(sep)[0]));
}
