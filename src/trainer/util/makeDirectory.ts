/**
 * `mkdir -p` that always ends: Node's own recursive mkdir loops forever where the file system says a folder
 * neither exists nor can be made (e.g. under /proc). Here each missing level is made once, from the deepest
 * existing one down; any failure is thrown as the file system's error (main.ts says what it means).
 */
import { lstatSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The missing folders above and including `dir`, outermost first; throws ENOTDIR's error if a file stands in the way. */
function missingLevels(dir: string): string[] {
  const missing: string[] = [];
  let current = resolve(dir);
  for (;;) {
    const notADirectory = () => Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: resolve(dir) });
    let isDirectory: boolean;
    try {
      isDirectory = statSync(current).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A file further up the path (stat says ENOTDIR): reported as the mkdir it makes fail.
      if (code === 'ENOTDIR') throw notADirectory();
      if (code !== 'ENOENT') throw error;
      missing.push(current);
      const parent = dirname(current);
      if (parent === current) return missing.reverse();
      current = parent;
      continue;
    }
    if (isDirectory) return missing.reverse();
    throw notADirectory();
  }
}

export function makeDirectory(dir: string): void {
  for (const level of missingLevels(dir)) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        // Made meanwhile by another process: fine if it is a folder now.
        if (statSync(level, { throwIfNoEntry: false })?.isDirectory()) continue;
        // A symbolic link whose target does not exist: said as such (ENOENT), not as "already exists".
        if (lstatSync(level, { throwIfNoEntry: false })?.isSymbolicLink()) {
          throw Object.assign(new Error(`ENOENT: a symbolic link that points nowhere, mkdir '${level}'`), { code: 'ENOENT', syscall: 'mkdir', path: level });
        }
      }
      throw error;
    }
  }
}
