/**
 * The one naming rule for a write in progress (write a temporary file beside the target, then rename it):
 * `.NAME.tmp-PID`, hidden, and never a name anything reads. The trainer writes such files; the cleanup after
 * a crash, the demo-data generator and the extension's file watcher recognise them. Pure.
 */

/** The temporary name a process `pid` writes before renaming it to `name`. */
export function tempFileName(name: string, pid: number): string {
  return `.${name}.tmp-${pid}`;
}

const TEMP_FILE = /^\.(.+)\.tmp-\d+$/;

/** The name a temporary file is written for (`.NAME.tmp-PID` -> `NAME`), or null when `name` is not one. */
export function tempFileTarget(name: string): string | null {
  return TEMP_FILE.exec(name)?.[1] ?? null;
}
