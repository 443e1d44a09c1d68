/**
 * Writes that a crash at any moment cannot leave half-done: temp file in the same folder, fsync, rename.
 * A write that fails (disk full, read-only folder) removes its temp file and throws a UserError that
 * names the file and says what to do (fileErrors.ts). Test-only faults hook in here (testFaults.ts).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tempFileName } from '../../shared/tempFiles';
import { writeFailure } from './fileErrors';
import { diskFullError, faultAt, killNow } from './testFaults';

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Its folder is gone or not a folder: nothing was left there.
  }
}

/** The name a write in progress uses beside its target: hidden, and never a name the trainer reads. */
export function tempNameFor(target: string): string {
  return join(dirname(target), tempFileName(basename(target), process.pid));
}

/** Writes `data` to `file` so that readers see either the old or the new content, never a part. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temp = tempNameFor(file);
  try {
    const fd = openSync(temp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      const fault = faultAt(file);
      const end = fault === 'enospc' ? bytes.length >> 1 : bytes.length;
      let offset = 0;
      while (offset < end) offset += writeSync(fd, bytes, offset, end - offset);
      if (fault === 'enospc') throw diskFullError('write');
      fsyncSync(fd);
      if (fault === 'kill') killNow();
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    removeQuietly(temp);
    throw writeFailure(error, file) ?? error;
  }
  fsyncDir(dirname(file));
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Renames a completed temp folder into place and makes the rename durable. */
export function commitDir(tempDir: string, finalDir: string): void {
  try {
    const fault = faultAt(finalDir);
    if (fault === 'kill') killNow();
    if (fault === 'enospc') throw diskFullError('rename');
    renameSync(tempDir, finalDir);
  } catch (error) {
    throw writeFailure(error, finalDir) ?? error;
  }
  fsyncDir(dirname(finalDir));
}
