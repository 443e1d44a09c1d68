import * as path from 'node:path';

/** True when `file` is `folder` itself or below it (after resolving `.` and `..`; no file-system access). */
export function isInsideFolder(file: string, folder: string): boolean {
  const relative = path.relative(path.resolve(folder), path.resolve(file));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export function isInsideAnyFolder(file: string, folders: readonly string[]): boolean {
  return folders.some((folder) => isInsideFolder(file, folder));
}

/** The folders with the ones inside another of them dropped (for resource roots and watchers). */
export function outermostFolders(folders: readonly string[]): string[] {
  const unique = [...new Set(folders.map((folder) => path.resolve(folder)))];
  return unique.filter((folder) => !unique.some((other) => other !== folder && isInsideFolder(folder, other)));
}
