/** Keras' History callback, on disk: history.json holds every finished epoch after each one. */
import { join } from 'node:path';
import { HISTORY_FILE, type HistoryEntry, type HistoryFile } from '../../../shared/runFiles';
import { writeJsonAtomic } from '../../util/atomicWrite';
import type { EpochEndEvent } from './trainingCallback';
import type { TrainingCallback } from './trainingCallback';

export class HistoryCallback implements TrainingCallback {
  readonly name = 'history';
  private readonly entries: HistoryEntry[];

  /** `previous`: the epochs a resumed run had already finished. */
  constructor(
    private readonly runDir: string,
    previous: readonly HistoryEntry[] = [],
  ) {
    this.entries = [...previous];
  }

  get file(): string {
    return join(this.runDir, HISTORY_FILE);
  }

  get epochs(): readonly HistoryEntry[] {
    return this.entries;
  }

  onEpochEnd(event: EpochEndEvent): void {
    this.entries.push({ epoch: event.epoch, ...event.logs, seconds: event.seconds });
    const content: HistoryFile = {
      version: 1,
      history: {
        loss: this.entries.map((e) => e.loss),
        accuracy: this.entries.map((e) => e.accuracy),
        val_loss: this.entries.map((e) => e.val_loss),
        val_accuracy: this.entries.map((e) => e.val_accuracy),
      },
      epochs: this.entries,
    };
    writeJsonAtomic(this.file, content);
  }
}
