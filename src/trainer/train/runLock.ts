/**
 * One trainer per run folder: a lock file holding the owner's pid and host, created exclusively.
 * A lock whose process is gone (killed, crashed), or is no trainer (its pid reused), is stale and taken over;
 * a live trainer is refused.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { LOCK_FILE, parseLockOwner, type TrainerLockOwner } from '../../shared/runFiles';
import { UserError } from '../util/errors';
import { writeFailure } from '../util/fileErrors';
import { isProcessAlive, runsTrainer } from '../../shared/node/processAlive';

export interface RunLock {
  readonly file: string;
  release(): void;
}

function readOwner(file: string): TrainerLockOwner | null {
  try {
    return parseLockOwner(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Takes the run folder's lock or throws a UserError naming the process that holds it. */
export function acquireRunLock(runDir: string): RunLock {
  const file = join(runDir, LOCK_FILE);
  const me: TrainerLockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeFailure(error, file) ?? error;
      const owner = readOwner(file);
      if (owner && owner.host !== me.host) {
        throw new UserError(
          'busy',
          `${runDir} is locked by a trainer on ${owner.host} (pid ${owner.pid}, since ${owner.since}). If no trainer is running there, delete ${file}.`,
        );
      }
      // A live process that is not a trainer (its pid reused since) holds nothing: the lock is stale.
      if (owner && owner.pid !== process.pid && isProcessAlive(owner.pid) && runsTrainer(owner.pid)) {
        throw new UserError('busy', `A trainer (pid ${owner.pid}, since ${owner.since}) is already training in ${runDir}. Stop it first, or wait until it ends.`);
      }
      // Stale (its process is gone) or unreadable (a crash while it was written): take it over.
      rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me) + '\n');
    } catch (error) {
      closeSync(fd);
      rmSync(file, { force: true });
      throw writeFailure(error, file) ?? error;
    }
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
      process.off('exit', release);
    };
    process.on('exit', release);
    return { file, release };
  }
  throw new UserError('busy', `Could not take the lock ${file}: another trainer keeps taking it. Try again.`);
}
