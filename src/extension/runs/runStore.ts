/**
 * Reads run folders (`<work>/runs/<run id>/`) from disk: run.json, history.json, best.json, evaluation.json.
 * Never writes except `deleteRunFolder`. No `vscode`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  BEST_FILE,
  checkpointMetadataSchema,
  EVALUATION_FILE,
  evaluationFileSchema,
  HISTORY_FILE,
  historyFileSchema,
  RESUME_STATE_FILE,
  RUN_FILE,
  runRecordSchema,
  type CheckpointMetadata,
  type EvaluationFile,
  type HistoryFile,
  type RunRecord,
} from '../../shared/runFiles';
import { parse } from '../../shared/schema';
import { readJsonFile } from '../util/readJson';
import { readTrainerOwner, type TrainerOwner } from './backgroundTrainer';

export const RUNS_FOLDER = 'runs';

export interface RunOnDisk {
  runDir: string;
  record: RunRecord;
  history: HistoryFile | null;
  best: CheckpointMetadata | null;
  evaluation: EvaluationFile | null;
  /** The process holding the run's trainer.lock (a trainer of this or another window), if any. */
  trainer: TrainerOwner | null;
  /** The run saved a resume state (resume-state.bin) after an epoch. */
  hasResumeState: boolean;
}

/**
 * The run stopped before its last epoch, finished one at least (the trainer continues from its resume state, or
 * without it from its best checkpoint: src/trainer/train/resumeRecovery.ts), and no trainer works on it.
 */
export function isResumable(run: RunOnDisk): boolean {
  const done = run.history?.epochs.length ?? 0;
  if ((!run.hasResumeState && done === 0) || run.trainer?.alive === true || run.record.status === 'completed') return false;
  return done < run.record.settings.epochs;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

export function runsFolder(workFolder: string): string {
  return path.join(workFolder, RUNS_FOLDER);
}

/** The run folder's best checkpoint folder, or null when none was saved yet. */
export function bestCheckpointDir(run: Pick<RunOnDisk, 'runDir' | 'best'>): string | null {
  return run.best === null ? null : path.join(run.runDir, run.best.checkpoint);
}

/** A run folder, or null when it has no valid run.json (other files are null when missing or invalid). */
export async function readRunFolder(runDir: string): Promise<RunOnDisk | null> {
  const dir = path.resolve(runDir);
  const [recordJson, history, best, evaluation] = await Promise.all(
    [RUN_FILE, HISTORY_FILE, BEST_FILE, EVALUATION_FILE].map((file) => readJsonFile(path.join(dir, file))),
  );
  const record = parse(runRecordSchema, recordJson);
  if (record === undefined) return null;
  const [trainer, hasResumeState] = await Promise.all([readTrainerOwner(dir), exists(path.join(dir, RESUME_STATE_FILE))]);
  return {
    runDir: dir,
    record,
    history: parse(historyFileSchema, history) ?? null,
    best: parse(checkpointMetadataSchema, best) ?? null,
    evaluation: parse(evaluationFileSchema, evaluation) ?? null,
    trainer,
    hasResumeState,
  };
}

/** Every readable run under `<work>/runs/`, newest first. */
export async function listRuns(workFolder: string): Promise<RunOnDisk[]> {
  const folder = runsFolder(workFolder);
  let names: string[];
  try {
    names = (await fs.readdir(folder, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
  const runs = await Promise.all(names.map((name) => readRunFolder(path.join(folder, name))));
  return runs
    .filter((run): run is RunOnDisk => run !== null)
    .sort((a, b) => (a.record.startedAt < b.record.startedAt ? 1 : a.record.startedAt > b.record.startedAt ? -1 : 0));
}

/** Deletes a run folder, after checking it is one (holds run.json); never anything else. */
export async function deleteRunFolder(runDir: string): Promise<void> {
  const dir = path.resolve(runDir);
  if (parse(runRecordSchema, await readJsonFile(path.join(dir, RUN_FILE))) === undefined) throw new Error(`${dir} is not a Small Convnet run folder (no valid ${RUN_FILE}); nothing was deleted.`);
  await fs.rm(dir, { recursive: true, force: true });
}
