/**
 * The training runs of this window: starts `train` processes, finds a run by any of its keys, tells
 * listeners (panel, status bar, trees) when a run starts, changes phase or ends an epoch. No `vscode`.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { TrainSettings } from '../../shared/recipes';
import type { RunKey } from '../../shared/webviewProtocol';
import type { TrainerLauncher } from '../trainer/trainerLauncher';
import type { Disposable } from '../util/disposable';
import { Emitter, type Event } from '../util/emitter';
import { TrainingRun } from './trainingRun';

export interface TrainingStart {
  /** `train` starts a run; `resume` continues one (args name its folder). */
  command: 'train' | 'resume';
  args: readonly string[];
  settings: TrainSettings;
  /** For a person: where the images come from. */
  dataLabel: string;
}

/** How often batch progress may fire onDidChange (the status bar's text; the panel has its own stream). */
export const BATCH_CHANGE_INTERVAL_MS = 500;

export class TrainingRuns implements Disposable {
  private readonly runs: TrainingRun[] = [];
  private readonly startEmitter = new Emitter<TrainingRun>();
  private readonly changeEmitter = new Emitter<TrainingRun>();

  readonly onDidStart: Event<TrainingRun> = this.startEmitter.event;
  /** A run changed phase or key, finished an epoch, started a new one, or moved on by batches (at most twice a second). */
  readonly onDidChange: Event<TrainingRun> = this.changeEmitter.event;

  constructor(private readonly launcher: TrainerLauncher) {}

  start(request: TrainingStart): TrainingRun {
    const process = this.launcher.start({ command: request.command, args: request.args });
    const run = new TrainingRun({ process, temporaryKey: `pending:${randomUUID()}`, settings: request.settings, dataLabel: request.dataLabel });
    this.runs.push(run);
    run.onPhase(() => this.changeEmitter.fire(run));
    run.onKeyChanged(() => this.changeEmitter.fire(run));
    // The status bar follows the batches as the panel does: a new epoch at once, its batches every half second.
    let lastBatch = { epoch: 0, at: 0 };
    run.onEvent(({ message }) => {
      if (message.type === 'epoch-end' || message.type === 'checkpoint-saved') this.changeEmitter.fire(run);
      if (message.type === 'batch-end') {
        const now = Date.now();
        if (message.epoch !== lastBatch.epoch || now - lastBatch.at >= BATCH_CHANGE_INTERVAL_MS) {
          lastBatch = { epoch: message.epoch, at: now };
          this.changeEmitter.fire(run);
        }
      }
    });
    this.startEmitter.fire(run);
    return run;
  }

  /** Runs whose process is alive. */
  active(): TrainingRun[] {
    return this.runs.filter((run) => run.isActive);
  }

  /** Every run started in this window, oldest first. */
  all(): TrainingRun[] {
    return this.runs.slice();
  }

  /** The run with this key (its run folder or its temporary key). */
  find(key: RunKey): TrainingRun | undefined {
    return this.runs.find((run) => run.key === key || run.temporaryKey === key || (run.runDir !== null && samePath(run.runDir, key)));
  }

  isActiveHere(runDir: string): boolean {
    return this.runs.some((run) => run.isActive && run.runDir !== null && samePath(run.runDir, runDir));
  }

  /**
   * The window closes or reloads: runs that have a folder keep training on their own (a reloaded window
   * finds them through the folder's trainer.lock); a run still preparing is stopped.
   */
  dispose(): void {
    for (const run of this.runs) {
      if (run.runDir !== null) run.leave();
      run.dispose();
    }
    this.startEmitter.dispose();
    this.changeEmitter.dispose();
  }
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}
