import { readFileSync } from 'node:fs';

/** Whether process `pid` exists on this machine (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` runs Small Convnet's trainer: on Linux, its command line names trainer/main.js, so a lock whose
 * pid now belongs to another program (pid reuse after a reboot) or a lock file written by hand is not taken for
 * a trainer. Elsewhere there is no cheap check: true.
 */
export function runsTrainer(pid: number): boolean {
  if (process.platform !== 'linux') return true;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    // The bundle as VS Code and `node dist/trainer/main.js` start it, or the `small-convnet` command (npm's bin link).
    return argv.some((arg) => /[\\/]trainer[\\/]main\.js$|(^|[\\/])small-convnet$/.test(arg));
  } catch {
    return false;
  }
}
