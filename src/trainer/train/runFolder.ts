/** A run's own folder: its record (run.json) and its full per-epoch history (history.json). */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RecipeId } from '../../shared/recipes';
import { AUGMENTATION_DIR, CHECKPOINTS_DIR, HISTORY_FILE, historyFileSchema, RUN_FILE, runRecordSchema, type HistoryFile, type RunRecord } from '../../shared/runFiles';
import { tempFileTarget } from '../../shared/tempFiles';
import { writeJsonAtomic } from '../util/atomicWrite';
import { makeDirectory } from '../util/makeDirectory';
import { readCheckedJson } from '../util/readCheckedJson';

function timestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** Makes a new, empty run folder under `runsDir` named after the time and the recipe. */
export function createRunDir(options: { runsDir: string; recipe: RecipeId; now?: Date }): { runId: string; runDir: string } {
  makeDirectory(options.runsDir);
  const base = `${timestamp(options.now ?? new Date())}-${options.recipe}`;
  for (let n = 1; ; n++) {
    const runId = n === 1 ? base : `${base}-${n}`;
    const runDir = join(options.runsDir, runId);
    if (existsSync(runDir)) continue;
    try {
      mkdirSync(runDir);
      return { runId, runDir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

export function writeRunRecord(runDir: string, record: RunRecord): void {
  writeJsonAtomic(join(runDir, RUN_FILE), record);
}

/** run.json, checked: a damaged one is a UserError naming it (`fix`: what to do, for the command at hand). */
export function readRunRecord(runDir: string, fix = 'Delete the run folder and train again.'): RunRecord {
  return readCheckedJson({ file: join(runDir, RUN_FILE), schema: runRecordSchema, code: 'bad-data', fix });
}

/** history.json, checked like readRunRecord. */
export function readHistory(runDir: string, fix = 'Delete the run folder and train again.'): HistoryFile {
  return readCheckedJson({ file: join(runDir, HISTORY_FILE), schema: historyFileSchema, code: 'bad-data', fix });
}

/**
 * Removes what writes cut short by a crash left in a run folder (temporary files and checkpoint folders);
 * only while holding the run's lock, so no writer is at work. Returns what was removed.
 */
export function removeStaleTempFiles(runDir: string): string[] {
  const removed: string[] = [];
  for (const dir of [runDir, join(runDir, CHECKPOINTS_DIR), join(runDir, AUGMENTATION_DIR)]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => tempFileTarget(n) !== null)) {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}
