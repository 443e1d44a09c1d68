/**
 * One `train` process as the host sees it: its key (a temporary key, then the run folder once `run-started`
 * names it), its phase, a journal of its messages to replay into a panel that was hidden or reopened, and the
 * latest epoch for the status bar. No `vscode`.
 */
import type { TrainSettings } from '../../shared/recipes';
import type { BatchEndMessage, EpochEndMessage, RunStartedMessage, TrainerMessage } from '../../shared/trainerProtocol';
import { phaseOfDoneStatus } from '../../shared/runPhase';
import type { RunKey, RunPhase, RunPhaseMessage } from '../../shared/webviewProtocol';
import type { TrainerProcess } from '../trainer/trainerProcess';
import type { TrainerOutcome, TrainerOutcomeKind } from '../trainer/trainerOutcome';
import type { Disposable } from '../util/disposable';
import { Emitter, type Event } from '../util/emitter';

export interface RunEvent {
  runKey: RunKey;
  message: TrainerMessage;
}

export interface RunKeyChange {
  from: RunKey;
  to: RunKey;
  started: RunStartedMessage;
}

function phaseOfOutcome(kind: TrainerOutcomeKind): RunPhase {
  return kind === 'crashed' ? 'crashed' : phaseOfDoneStatus(kind);
}

export class TrainingRun implements Disposable {
  private currentKey: RunKey;
  private currentPhase: RunPhase = 'preparing';
  private phaseDetail: string | null = null;
  private phaseLogTail: string[] = [];
  private started: RunStartedMessage | null = null;
  private readonly events: TrainerMessage[] = [];
  private latestBatch: BatchEndMessage | null = null;
  private latestEpoch: EpochEndMessage | null = null;
  private readonly eventEmitter = new Emitter<RunEvent>();
  private readonly phaseEmitter = new Emitter<RunPhaseMessage>();
  private readonly keyEmitter = new Emitter<RunKeyChange>();

  /** Every trainer message, under the key that applies when it arrived (run-started: still the temporary key). */
  readonly onEvent: Event<RunEvent> = this.eventEmitter.event;
  readonly onPhase: Event<RunPhaseMessage> = this.phaseEmitter.event;
  /** Fires right after the run-started event, before any later message. */
  readonly onKeyChanged: Event<RunKeyChange> = this.keyEmitter.event;
  readonly finished: Promise<TrainerOutcome>;
  /** The temporary key, kept so a panel that knows only it can still find the run. */
  readonly temporaryKey: RunKey;

  constructor(private readonly options: { process: TrainerProcess; temporaryKey: RunKey; settings: TrainSettings; dataLabel: string }) {
    this.currentKey = options.temporaryKey;
    this.temporaryKey = options.temporaryKey;
    options.process.onMessage((message) => this.onMessage(message));
    this.finished = options.process.finished.then((outcome) => {
      this.setPhase(phaseOfOutcome(outcome.kind), outcome.kind === 'completed' ? null : outcome.summary, outcome.kind === 'crashed' ? outcome.stderrTail : []);
      this.dispose();
      return outcome;
    });
  }

  get key(): RunKey {
    return this.currentKey;
  }

  /** The run folder, once the trainer created it. */
  get runDir(): string | null {
    return this.started?.runDir ?? null;
  }

  get runStarted(): RunStartedMessage | null {
    return this.started;
  }

  get phase(): RunPhase {
    return this.currentPhase;
  }

  get isActive(): boolean {
    return this.currentPhase === 'preparing' || this.currentPhase === 'running' || this.currentPhase === 'stopping';
  }

  get settings(): TrainSettings {
    return this.started?.settings ?? this.options.settings;
  }

  get dataLabel(): string {
    return this.options.dataLabel;
  }

  get lastEpoch(): EpochEndMessage | null {
    return this.latestEpoch;
  }

  get lastBatch(): BatchEndMessage | null {
    return this.latestBatch;
  }

  /** The phase as a message for the panel. */
  phaseMessage(): RunPhaseMessage {
    return { type: 'run-phase', runKey: this.currentKey, phase: this.currentPhase, detail: this.phaseDetail, logTail: this.phaseLogTail };
  }

  /**
   * The messages so far, to rebuild the run in a panel: every message except batch-end, plus the latest
   * batch-end when its epoch has not ended yet.
   */
  journal(): TrainerMessage[] {
    const batch = this.latestBatch;
    const inEpoch = batch !== null && (this.latestEpoch === null || batch.epoch > this.latestEpoch.epoch);
    return inEpoch ? [...this.events, batch] : this.events.slice();
  }

  /** Asks the trainer to stop after the current batch (escalating if it does not). */
  stop(): Promise<TrainerOutcome> {
    if (this.isActive && this.currentPhase !== 'stopping') this.setPhase('stopping', 'Stopping after the current batch…', []);
    return this.options.process.stop();
  }

  /** The window is going away: the trainer goes on by itself (see TrainerProcess.leave). */
  leave(): void {
    if (this.isActive) this.options.process.leave();
  }

  dispose(): void {
    if (this.isActive) void this.options.process.stop();
    this.eventEmitter.dispose();
    this.keyEmitter.dispose();
    this.phaseEmitter.dispose();
  }

  private onMessage(message: TrainerMessage): void {
    if (message.type === 'batch-end') this.latestBatch = message;
    else this.events.push(message);
    if (message.type === 'epoch-end') this.latestEpoch = message;
    this.eventEmitter.fire({ runKey: this.currentKey, message });
    if (message.type === 'hello') this.setPhase(this.currentPhase, null, []);
    if (message.type === 'run-started') {
      this.started = message;
      const from = this.currentKey;
      this.currentKey = message.runDir;
      this.keyEmitter.fire({ from, to: message.runDir, started: message });
      if (this.currentPhase === 'preparing') this.setPhase('running', null, []);
    }
  }

  private setPhase(phase: RunPhase, detail: string | null, logTail: string[]): void {
    this.currentPhase = phase;
    this.phaseDetail = detail;
    this.phaseLogTail = logTail;
    this.phaseEmitter.fire(this.phaseMessage());
  }
}
