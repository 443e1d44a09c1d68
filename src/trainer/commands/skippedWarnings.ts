/**
 * One `warning` per skipped file, so a person sees which files were left out and why, up to a limit:
 * a folder with thousands of sidecar files gets the first ones and a count, not thousands of lines
 * (every skipped file is still listed in the `prepared` / `dataset-loaded` / `evaluation` message).
 */
import { resolve } from 'node:path';
import type { SkippedFile } from '../../shared/trainerProtocol';
import type { CommandContext } from './commandContext';

export const SKIPPED_WARNINGS_LIMIT = 20;

/**
 * `where`: the folder the files were skipped from (e.g. "/data/train"); entries with relative paths
 * (a source scan's) are named by their full path under it.
 */
export function emitSkippedWarnings(options: { context: CommandContext; skipped: readonly SkippedFile[]; where: string; limit?: number }): void {
  const { context, skipped, where } = options;
  const limit = options.limit ?? SKIPPED_WARNINGS_LIMIT;
  for (const entry of skipped.slice(0, limit)) {
    const file = resolve(where, entry.file) + (entry.file.endsWith('/') ? '/' : '');
    context.emit({ type: 'warning', message: `Skipped ${file}: ${entry.reason}.`, file });
  }
  if (skipped.length > limit) {
    context.emit({
      type: 'warning',
      message: `...and ${skipped.length - limit} more skipped files in ${where} (${skipped.length} in all; the --json output lists every one with its reason).`,
    });
  }
}
