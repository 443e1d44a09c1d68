/** Runs the built trainer (dist/trainer/main.js) as a child process and collects its protocol messages. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseTrainerMessage, type TrainerMessage } from '../../src/shared/trainerProtocol';

export const TRAINER = join(__dirname, '..', '..', 'dist', 'trainer', 'main.js');

export interface TrainerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  messages: TrainerMessage[];
  stderr: string;
  /** stdout lines that were not protocol messages (there should be none). */
  strayLines: string[];
}

/** What a test can do to the running trainer from onMessage. */
export interface TrainerHandle {
  send(line: string): void;
  kill(signal: NodeJS.Signals): void;
}

export function runTrainer(options: {
  args: string[];
  cwd?: string;
  /** Added to this process' environment (e.g. SMALL_CONVNET_TEST_FAULT). */
  env?: Record<string, string>;
  /** Called for each message; may write to the child's stdin (e.g. a cancel). */
  onMessage?: (message: TrainerMessage, child: TrainerHandle) => void;
  /** Run as another user (needs root), e.g. to see file permissions the way a normal user does. */
  user?: { uid: number; gid: number };
}): Promise<TrainerRun> {
  return new Promise((resolve, reject) => {
    const env = options.env ? { ...process.env, ...options.env } : process.env;
    const child = spawn(process.execPath, [TRAINER, ...options.args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], ...options.user });
    const run: TrainerRun = { code: null, signal: null, messages: [], stderr: '', strayLines: [] };
    const handle: TrainerHandle = {
      send: (line) => child.stdin.write(line.endsWith('\n') ? line : line + '\n'),
      kill: (signal) => child.kill(signal),
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = parseTrainerMessage(line);
      if (!message) {
        run.strayLines.push(line);
        return;
      }
      run.messages.push(message);
      options.onMessage?.(message, handle);
    });
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      run.code = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

export function messagesOfType<T extends TrainerMessage['type']>(run: TrainerRun, type: T): Extract<TrainerMessage, { type: T }>[] {
  return run.messages.filter((m): m is Extract<TrainerMessage, { type: T }> => m.type === type);
}
