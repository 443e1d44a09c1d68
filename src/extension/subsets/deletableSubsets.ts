/**
 * Which prepared-subsets folders the Subsets view may delete: only the copies Small Convnet made in its work
 * folder (`<work>/data/<name>`), never a folder elsewhere that the view merely shows, and never a source. Pure.
 */
import * as path from 'node:path';
import { isRecord } from '../util/readJson';

/** The folder a Subsets-view node (context menu) stands for, if it is a prepared folder's node. */
export function subsetsDirOfArgument(arg: unknown): string | undefined {
  if (isRecord(arg) && arg.kind === 'folder' && isRecord(arg.folder) && typeof arg.folder.dir === 'string') return arg.folder.dir;
  return undefined;
}

/** Why `dir` may not be deleted from the view, or null when it is one of the work folder's prepared copies. */
export function whyNotDeletable(options: { workFolder: string; dir: string }): string | null {
  const data = path.resolve(options.workFolder, 'data');
  const relative = path.relative(data, path.resolve(options.dir));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative) || relative.includes(path.sep)) {
    return `${options.dir} is not a folder of prepared subsets in the work folder (${data}): only those copies can be deleted here.`;
  }
  return null;
}
