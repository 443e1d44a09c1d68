/**
 * The trainer as a child process, in the spirit of vscode-python's process service: JSON lines on stdout
 * become TrainerMessages, everything else (stderr, stray stdout) goes to a log; `stop()` asks politely
 * (`{"type":"cancel"}`), then SIGTERM, then SIGKILL; `finished` always settles, even when the child dies
 * without `done` or keeps its stdio open. No `vscode` here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { encodeMessage, parseTrainerMessage, type DoneMessage, type ErrorMessage, type TrainerMessage } from '../../shared/trainerProtocol';
import type { Disposable } from '../util/disposable';
import { Emitter, type Event } from '../util/emitter';
import { LineSplitter } from './lineSplitter';
import type { TrainerLaunch } from './trainerLaunch';
import { classifyTrainerExit, type StopEscalation, type TrainerOutcome } from './trainerOutcome';

export interface StopTimeouts {
  /** How long the trainer may take to honour `cancel` (finish the batch, save) before SIGTERM. */
  afterCancelMs: number;
  /** How long after SIGTERM before SIGKILL. */
  afterTermMs: number;
  /** How long to wait for stdout/stderr to close after the process exited. */
  closeGraceMs: number;
}

export const DEFAULT_STOP_TIMEOUTS: StopTimeouts = { afterCancelMs: 10_000, afterTermMs: 3_000, closeGraceMs: 2_000 };
export const STDERR_TAIL_LINES = 50;

export interface TrainerProcessOptions {
  launch: TrainerLaunch;
  /** Receives every stderr line and every stdout line that is not a protocol message. */
  log: (line: string) => void;
  timeouts?: Partial<StopTimeouts>;
  stderrTailLines?: number;
}

/** Garbage lines are logged up to this many characters. */
const LOGGED_GARBAGE_CHARS = 500;

function shortened(line: string): string {
  return line.length <= LOGGED_GARBAGE_CHARS ? line : `${line.slice(0, LOGGED_GARBAGE_CHARS)}… (${line.length} characters)`;
}

/** Keeps the last `limit` lines. */
class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly limit: number) {}
  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
  }
  snapshot(): string[] {
    return this.lines.slice();
  }
}

export class TrainerProcess implements Disposable {
  private readonly child: ChildProcess;
  private readonly messageEmitter = new Emitter<TrainerMessage>();
  private readonly timeouts: StopTimeouts;
  private readonly stdoutLines = new LineSplitter();
  private readonly stderrLines = new LineSplitter();
  private readonly stderrTail: LineTail;
  private readonly timers = new Set<NodeJS.Timeout>();
  private done: DoneMessage | null = null;
  private error: ErrorMessage | null = null;
  private spawnError: string | null = null;
  private stopEscalation: StopEscalation | null = null;
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private settled = false;
  /** leave() was called: the trainer is on its own, stop() does nothing. */
  private left = false;
  private resolveFinished!: (outcome: TrainerOutcome) => void;

  /** Settles once the process is gone (and its output read), whatever the way it ended. */
  readonly finished: Promise<TrainerOutcome>;
  /** Every protocol message, in order. Fires only after start() returned. */
  readonly onMessage: Event<TrainerMessage> = this.messageEmitter.event;

  private constructor(private readonly options: TrainerProcessOptions) {
    this.timeouts = { ...DEFAULT_STOP_TIMEOUTS, ...options.timeouts };
    this.stderrTail = new LineTail(options.stderrTailLines ?? STDERR_TAIL_LINES);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    const { executable, args, env, cwd } = options.launch;
    // Its own process group (POSIX): a training run outlives a window reload, which may end the extension
    // host's group; see leave().
    this.child = spawn(executable, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, detached: process.platform !== 'win32' });
    this.child.stdout?.on('data', (chunk: Buffer) => this.onStdout(this.stdoutLines.push(chunk)));
    this.child.stderr?.on('data', (chunk: Buffer) => this.onStderr(this.stderrLines.push(chunk)));
    this.child.stdin?.on('error', () => undefined); // EPIPE when the child is already gone
    this.child.on('error', (error) => this.onSpawnError(error));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    this.child.on('close', () => this.settle());
  }

  static start(options: TrainerProcessOptions): TrainerProcess {
    return new TrainerProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return !this.settled && this.exitStatus === null && this.spawnError === null;
  }

  get stopRequested(): boolean {
    return this.stopEscalation !== null;
  }

  /** Cancel, then SIGTERM after `afterCancelMs`, then SIGKILL after `afterTermMs`. Idempotent. */
  stop(): Promise<TrainerOutcome> {
    if (this.stopEscalation === null && this.isRunning && !this.left) {
      this.stopEscalation = 'cancel';
      this.child.stdin?.write(encodeMessage({ type: 'cancel' }));
      this.schedule(this.timeouts.afterCancelMs, () => {
        this.kill('SIGTERM');
        this.schedule(this.timeouts.afterTermMs, () => this.kill('SIGKILL'));
      });
    }
    return this.finished;
  }

  /** Stops the process without waiting for it. */
  dispose(): void {
    void this.stop();
  }

  /**
   * The window is going away (reload, close): stop listening but let the trainer go on. It notices that
   * nobody reads its output (EPIPE), keeps writing its run folder, and a reloaded window follows it there.
   */
  leave(): void {
    if (!this.isRunning || this.left) return;
    this.left = true;
    this.child.stdout?.removeAllListeners('data');
    this.child.stderr?.removeAllListeners('data');
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) stream?.destroy();
    this.child.unref();
  }

  private kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.exitStatus !== null || this.settled) return;
    this.stopEscalation = signal;
    try {
      this.child.kill(signal);
    } catch {
      // Already gone: 'exit' follows.
    }
  }

  private schedule(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private onStdout(lines: string[]): void {
    for (const line of lines) {
      const message = parseTrainerMessage(line);
      if (message === undefined) {
        if (line.trim() !== '') this.options.log(`[trainer stdout] ${shortened(line)}`);
        continue;
      }
      if (message.type === 'done') this.done = message;
      if (message.type === 'error') this.error = message;
      // What a person needs in the output channel after "Show Log": the trainer's own words, not only its stderr.
      if (message.type === 'error') this.options.log(`[trainer error: ${message.code}] ${message.message}`);
      if (message.type === 'warning') this.options.log(`[trainer warning] ${message.message}${message.file ? ` (${message.file})` : ''}`);
      try {
        this.messageEmitter.fire(message);
      } catch (error) {
        // A listener's bug must not stop the reading of the stream (the `done` line still has to come).
        this.options.log(`A handler of the trainer's "${message.type}" message failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private onStderr(lines: string[]): void {
    for (const line of lines) {
      this.stderrTail.add(line);
      this.options.log(line);
    }
  }

  private onSpawnError(error: Error): void {
    if (this.child.pid === undefined) {
      this.spawnError = `${this.options.launch.executable}: ${error.message}`;
      this.options.log(`Could not start the trainer: ${this.spawnError}`);
      this.schedule(this.timeouts.closeGraceMs, () => this.settle());
    } else {
      this.options.log(`Trainer process error: ${error.message}`);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitStatus = { code, signal };
    // 'close' normally follows once stdout/stderr are drained; do not wait forever if something holds them.
    this.schedule(this.timeouts.closeGraceMs, () => this.settle());
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.onStdout(this.stdoutLines.end());
    this.onStderr(this.stderrLines.end());
    const status = this.exitStatus ?? { code: this.child.exitCode, signal: this.child.signalCode };
    const outcome = classifyTrainerExit({
      code: status.code,
      signal: status.signal,
      done: this.done,
      error: this.error,
      spawnError: this.spawnError,
      stopEscalation: this.stopEscalation,
      stderrTail: this.stderrTail.snapshot(),
    });
    // The last line of every job in the output channel: how it ended and why.
    const how = status.signal !== null ? `signal ${status.signal}` : `exit code ${status.code ?? 'unknown'}`;
    this.options.log(`[${this.done?.command ?? 'trainer'} ${outcome.kind}, ${how}] ${outcome.summary}`);
    this.resolveFinished(outcome);
    this.messageEmitter.dispose();
  }
}
