/** Keras' progress bar, for the extension: a `batch-end` message after every batch and an `epoch-end` after every epoch. */
import type { TrainerMessage } from '../../../shared/trainerProtocol';
import type { BatchEndEvent, EpochEndEvent } from './trainingCallback';
import type { TrainingCallback } from './trainingCallback';

export class ProtocolEventsCallback implements TrainingCallback {
  readonly name = 'protocol-events';

  /** `emit`: the command's way out (main.ts writes JSON lines); never stdio itself. */
  constructor(private readonly emit: (message: TrainerMessage) => void) {}

  onBatchEnd(event: BatchEndEvent): void {
    this.emit({ type: 'batch-end', ...event });
  }

  onEpochEnd(event: EpochEndEvent): void {
    this.emit({ type: 'epoch-end', ...event });
  }
}
