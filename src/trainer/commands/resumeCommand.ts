/** `small-convnet resume <run>`: continue an interrupted run from its resume state. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HISTORY_FILE, RUN_FILE, type RunRecord } from '../../shared/runFiles';
import type { HistoryEntry } from '../../shared/trainerProtocol';
import { selectBackend } from '../backend/selectBackend';
import { replicaCount } from '../engine/createEngine';
import { describeSubsetChanges, readManifest } from '../data/manifest';
import { readResumeState, resumeStateFile } from '../train/resumeState';
import { recoverResumeStart } from '../train/resumeRecovery';
import { acquireRunLock } from '../train/runLock';
import { readHistory, readRunRecord, removeStaleTempFiles, writeRunRecord } from '../train/runFolder';
import { UserError } from '../util/errors';
import type { ResumeArgs } from '../cli/args';
import type { CommandContext, CommandResult } from './commandContext';
import { runTrainingSession, type ResumePoint } from './trainingSession';
import { loadTrainingSubsets } from './trainingSubsets';

function readRecord(runDir: string): RunRecord {
  if (!existsSync(join(runDir, RUN_FILE))) {
    throw new UserError('not-found', `${runDir} is not a run folder (it has no ${RUN_FILE}). Pass a folder under <out>/runs/.`);
  }
  return readRunRecord(runDir, 'This run cannot be resumed; start a new one.');
}

/** The saved state to continue from, or the one recovered without it (resumeRecovery.ts) and its note; the finished epochs. */
function resumePoint(runDir: string): { state: Omit<ResumePoint, 'history'>; finished: HistoryEntry[]; note: string | null } {
  const saved = readResumeState(runDir);
  const finished = existsSync(join(runDir, HISTORY_FILE))
    ? readHistory(runDir, 'Its finished epochs are unknown, so it cannot be resumed; start a new one.').epochs
    : [];
  if (saved !== null) return { state: saved, finished, note: null };
  const { note, ...state } = recoverResumeStart({ runDir, finishedEpochs: finished.length });
  return { state, finished, note };
}

export async function resumeCommand(args: ResumeArgs, context: CommandContext): Promise<CommandResult> {
  const runDir = resolve(args.run);
  const stored = readRecord(runDir);
  const lock = acquireRunLock(runDir);
  try {
    for (const file of removeStaleTempFiles(runDir)) context.log(`Removed ${file}, left by a write that was cut short.`);
    // Without a state, where it can continue from and what that means (issue 15, item 3).
    const { state, finished, note } = resumePoint(runDir);
    if (note !== null) context.emit({ type: 'warning', message: note, file: resumeStateFile(runDir) });
    // Epochs after the saved state (a crash between history.json and the state) are trained again.
    const history = finished.filter((entry) => entry.epoch <= state.epoch);
    const epochs = args.epochs ?? stored.settings.epochs;
    if (state.epoch >= stored.settings.epochs && stored.status !== 'completed') {
      // Every epoch was trained and saved, but the trainer ended (SIGTERM, SIGKILL) before run.json said so.
      writeRunRecord(runDir, { ...stored, status: 'completed', message: null, finishedAt: stored.finishedAt ?? new Date().toISOString() });
      context.log(`${RUN_FILE} said "${stored.status}" although all ${stored.settings.epochs} epochs were saved: it now says "completed".`);
    }
    // A recovered start may lie before epochs the run finished: they count as trained, not as left to train.
    const trained = note === null ? state.epoch : finished.length;
    if (trained >= epochs) {
      throw new UserError('bad-setting', `${stored.runId} has already trained ${trained} of ${epochs} epochs. Pass --epochs with a larger total to train it further.`);
    }
    if (!existsSync(stored.dataDir)) {
      throw new UserError('not-found', `The run's subsets folder ${stored.dataDir} (from ${RUN_FILE}) is gone. Prepare it again with the same split, then resume.`);
    }
    const manifest = await readManifest(stored.dataDir);
    if (stored.manifestId !== null && manifest?.id !== stored.manifestId) {
      throw new UserError('bad-data', `The subsets in ${stored.dataDir} changed since ${stored.runId} started (manifest ${manifest?.id ?? 'missing'}, run ${stored.manifestId}). Resuming would train on other images; start a new run.`);
    }
    const changes = manifest !== null ? await describeSubsetChanges({ manifest, dataDir: stored.dataDir }) : null;
    if (changes !== null) {
      throw new UserError(
        'bad-data',
        `The subsets in ${stored.dataDir} changed since ${stored.runId} started: ${changes}. Resuming would train on other images than its first ${state.epoch} epoch${state.epoch === 1 ? '' : 's'}: put the files back, or start a new run.`,
      );
    }
    const backend = await selectBackend(args.backend);
    context.emit({ type: 'backend', ...backend });
    const settings = { ...stored.settings, epochs };
    const engine = { backend: backend.backend, replicas: replicaCount({ backend: backend.backend, workers: args.workers }) };
    const subsets = await loadTrainingSubsets({ context, dataDir: stored.dataDir, settings, engine });
    const counts = { train: subsets.train.count, validation: subsets.validation.count };
    if ((stored.trainCount !== undefined && counts.train !== stored.trainCount) || (stored.validationCount !== undefined && counts.validation !== stored.validationCount)) {
      throw new UserError(
        'bad-data',
        `${stored.dataDir} now has ${counts.train} training and ${counts.validation} validation images; ${stored.runId} started with ${stored.trainCount} and ${stored.validationCount}. Resuming would train on other images: put the files back, or start a new run.`,
      );
    }
    if (subsets.train.classNames.join('\n') !== stored.classes.join('\n')) {
      throw new UserError('bad-data', `${stored.dataDir} now has the classes ${subsets.train.classNames.join(', ')}; the run was trained on ${stored.classes.join(', ')}. Start a new run.`);
    }
    context.log(`Resuming ${stored.runId} after epoch ${state.epoch} of ${epochs}.`);
    const record: RunRecord = {
      ...stored,
      settings,
      backend: backend.backend,
      status: 'running',
      finishedAt: null,
      message: null,
      resumes: [...(stored.resumes ?? []), { at: new Date().toISOString(), fromEpoch: state.epoch, ...(note !== null ? { note } : {}) }],
    };
    return await runTrainingSession({
      context,
      backend,
      workers: args.workers,
      subsets,
      record,
      runDir,
      resume: { epoch: state.epoch, best: state.best, history, training: state.training },
    });
  } finally {
    lock.release();
  }
}
