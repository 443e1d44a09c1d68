/**
 * A failed write, for a person: which file or folder, what is wrong (disk full, read-only, a file where a
 * folder must be) and what to do. Other errors are not translated (they stay bugs, or other checks' job).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { flagNote } from '../../shared/settingWords';
import { UserError } from './errors';

const CHOOSE_ANOTHER = `choose another output folder ${flagNote('--out')}`;

/** The deepest part of `target`'s path that exists (for ENOTDIR: the file that stands where a folder must be). */
function deepestExisting(target: string): string {
  let current = target;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

function isExistingNonFolder(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A UserError('cannot-write') for writing `target` failing with `error`, or null when it is not such a failure. */
export function writeFailure(error: unknown, target: string): UserError | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const cannot = (why: string) => new UserError('cannot-write', `Cannot write ${target}: ${why}`);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return cannot(`the disk that holds ${dirname(target)} is full (${code}). Free some space on it, or ${CHOOSE_ANOTHER}.`);
    case 'EROFS':
      return cannot(`${dirname(target)} is on a read-only file system (EROFS). Make it writable, or ${CHOOSE_ANOTHER}.`);
    case 'EACCES':
    case 'EPERM':
      return cannot(`you have no permission to write in ${dirname(target)} (${code}). Give yourself write access there, or ${CHOOSE_ANOTHER}.`);
    case 'ENOTDIR':
      return cannot(`${deepestExisting(target)} is a file, but it stands where a folder must be (ENOTDIR). Move or rename that file, or ${CHOOSE_ANOTHER}.`);
    case 'EEXIST':
      return isExistingNonFolder(target) ? cannot(`${target} is a file, but it must be a folder (EEXIST). Move or rename that file, or ${CHOOSE_ANOTHER}.`) : null;
    case 'EISDIR':
      return cannot(`${target} is a folder, but it must be a file (EISDIR). Move or rename that folder, or ${CHOOSE_ANOTHER}.`);
    default:
      return null;
  }
}

const WRITING_SYSCALLS: ReadonlySet<string> = new Set(['mkdir', 'write', 'rename', 'copyfile', 'link', 'symlink']);

/**
 * For main.ts: a file-system error thrown by a call that writes (mkdir, copyfile, rename, ...), translated
 * with the path it names; null for anything else.
 */
export function writeFailureOfSyscall(error: unknown): UserError | null {
  const errno = error as (NodeJS.ErrnoException & { dest?: string }) | null;
  if (typeof errno?.syscall !== 'string' || !WRITING_SYSCALLS.has(errno.syscall)) return null;
  const target = errno.dest ?? errno.path;
  if (typeof target !== 'string') return null;
  if (errno.code === 'ENOENT' && errno.syscall === 'mkdir') {
    // A parent that takes no new folders (e.g. under /proc), or a dangling symbolic link on the way.
    return new UserError('cannot-write', `Cannot create the folder ${target}: ${deepestExisting(target)} takes no new folders there, or a symbolic link on the way points nowhere (ENOENT). Create it by hand, or ${CHOOSE_ANOTHER}.`);
  }
  return writeFailure(error, target);
}
