/** Small Node scripts written by the tests, to run as real child processes standing in for the trainer. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainerLaunch } from '../../../src/extension/trainer/trainerLaunch';

export interface ScriptFolder {
  dir: string;
  /** Writes `<name>.js` and returns a launch running it with this Node. */
  script(name: string, source: string): TrainerLaunch;
  remove(): void;
}

export function makeScriptFolder(): ScriptFolder {
  const dir = mkdtempSync(join(tmpdir(), 'small-convnet-scripts-'));
  return {
    dir,
    script(name, source) {
      const file = join(dir, `${name}.js`);
      writeFileSync(file, source);
      return { executable: process.execPath, args: [file], env: { ...process.env }, cwd: dir };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Script prelude: `send(obj)` writes one JSON line; `onCancel(fn)` calls fn on {"type":"cancel"} from stdin. */
export const PRELUDE = `
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const onCancel = (fn) => {
  let buffer = '';
  process.stdin.on('data', (d) => {
    buffer += d;
    if (buffer.includes('"cancel"')) fn();
  });
};
const hello = (command = 'train') => send({ type: 'hello', protocolVersion: 1, trainerVersion: 'test', command, pid: process.pid });
const done = (status, exitCode, extra = {}) => send({ type: 'done', command: 'train', status, exitCode, seconds: 0, ...extra });
`;
