/** Where a command that writes pictures about a checkpoint puts them by default: <run>/<folder>/ (or --out). */
import { basename, dirname, join, resolve } from 'node:path';
import { CHECKPOINTS_DIR } from '../../shared/runFiles';

export function outputFolderOf(options: { out: string | undefined; checkpointDir: string; folder: string }): string {
  if (options.out !== undefined) return resolve(options.out);
  const parent = dirname(options.checkpointDir);
  // <run>/checkpoints/epoch-NNNN -> <run>/<folder>; a loose checkpoint folder -> beside it.
  return basename(parent) === CHECKPOINTS_DIR ? join(dirname(parent), options.folder) : join(parent, options.folder);
}
