/**
 * Keras-style callbacks of fit(): each one does one job when a batch or an epoch ends (history.json, the best
 * checkpoint, the resume state, progress.json, protocol messages); `CallbackList` calls them in the order of the
 * list, awaiting each, so what one wrote is on disk before the next starts. runCallbacks.ts holds that order.
 */
import type { TrainingState } from '../../engine/trainingEngine';
import { faultAt, killNow } from '../../util/testFaults';
import type { BatchProgress, EpochLogs } from '../../../shared/trainerProtocol';

/** After every training batch: the protocol's `batch-end` without its type. */
export type BatchEndEvent = BatchProgress;

/** After every epoch: that epoch's numbers only (Keras' logs). Epochs count from 1. */
export interface EpochEndEvent {
  epoch: number;
  epochs: number;
  logs: EpochLogs;
  seconds: number;
}

/** What an epoch-end callback may ask of the engine; fetched once per epoch however many callbacks ask. */
export interface EpochEndContext {
  /** The weights and optimizer state after the epoch's last step. */
  trainingState(): Promise<TrainingState>;
}

export interface TrainingCallback {
  /** For logs and the test faults: `SMALL_CONVNET_TEST_FAULT=kill:after-<name>:<epoch>` (testFaults.ts). */
  readonly name: string;
  onBatchEnd?(event: BatchEndEvent): void;
  onEpochEnd?(event: EpochEndEvent, context: EpochEndContext): void | Promise<void>;
}

export class CallbackList {
  constructor(
    private readonly callbacks: readonly TrainingCallback[],
    private readonly getTrainingState: () => Promise<TrainingState>,
  ) {}

  batchEnd(event: BatchEndEvent): void {
    for (const callback of this.callbacks) callback.onBatchEnd?.(event);
  }

  async epochEnd(event: EpochEndEvent): Promise<void> {
    let state: Promise<TrainingState> | undefined;
    const context: EpochEndContext = { trainingState: () => (state ??= this.getTrainingState()) };
    for (const callback of this.callbacks) {
      await callback.onEpochEnd?.(event, context);
      // The reliability tests stop the trainer between any two callbacks (faults.test.ts).
      if (faultAt(`after-${callback.name}`) === 'kill') killNow();
    }
  }
}
