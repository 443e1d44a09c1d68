/** The end of a log file, for error messages of the end-to-end test. */
import { readFileSync } from 'node:fs';

/** The last `count` lines of `file`, or null when it cannot be read. */
export function lastLines(file: string, count: number): string | null {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return null;
  }
}
