/**
 * A process that looks like a trainer to the lock checks (its command line names trainer/main.js) but only
 * sleeps: for tests of trainer.lock without training. `runsTrainer` (src/shared/node/processAlive.ts) takes it
 * for a trainer; a plain `node -e` child it does not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeTrainer {
  pid: number;
  stop(): Promise<void>;
}

export function startFakeTrainer(): FakeTrainer {
  const dir = mkdtempSync(join(tmpdir(), 'fake-trainer-'));
  mkdirSync(join(dir, 'trainer'));
  const script = join(dir, 'trainer', 'main.js');
  writeFileSync(script, 'setTimeout(() => {}, 120000);\n');
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('the fake trainer did not start');
  return {
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
