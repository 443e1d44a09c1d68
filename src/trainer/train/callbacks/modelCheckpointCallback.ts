/**
 * Keras' ModelCheckpoint(save_best_only=True, monitor="val_loss"): after an epoch whose val_loss is finite and
 * lower than the best so far, the weights go into a new checkpoint folder and best.json names it
 * (checkpointStore.ts: crash-safe). A non-finite val_loss never counts as an improvement.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { CheckpointMetadata } from '../../../shared/runFiles';
import { setModelWeights } from '../../model/modelWeights';
import { saveBestCheckpoint } from '../checkpointStore';
import type { EpochEndEvent } from './trainingCallback';
import type { BestSoFar } from '../resumeState';
import type { EpochEndContext, TrainingCallback } from './trainingCallback';

export interface CheckpointSaved {
  epoch: number;
  /** The checkpoint folder. */
  dir: string;
  /** The monitored val_loss, and the best one before it (null at the first checkpoint). */
  value: number;
  previous: number | null;
}

export interface ModelCheckpointOptions {
  runDir: string;
  /** A model of the same architecture on this thread: the weights are copied into it to be saved. */
  model: tfl.LayersModel;
  /** What every checkpoint's metadata says about the run; the epoch's own fields are added. */
  metadata: Omit<CheckpointMetadata, 'checkpoint' | 'savedAt' | 'version' | 'epoch' | 'monitor' | 'logs'>;
  /** The best so far of a resumed run (null: none yet). */
  best: BestSoFar | null;
  onSaved?(saved: CheckpointSaved): void;
}

export class ModelCheckpointCallback implements TrainingCallback {
  readonly name = 'model-checkpoint';
  private bestSoFar: BestSoFar | null;

  constructor(private readonly options: ModelCheckpointOptions) {
    this.bestSoFar = options.best;
  }

  /** The epoch and val_loss of the checkpoint best.json names. */
  get best(): BestSoFar | null {
    return this.bestSoFar;
  }

  async onEpochEnd(event: EpochEndEvent, context: EpochEndContext): Promise<void> {
    const value = event.logs.val_loss;
    if (!Number.isFinite(value) || (this.bestSoFar !== null && value >= this.bestSoFar.value)) return;
    const { model, runDir } = this.options;
    setModelWeights(model, (await context.trainingState()).weights);
    const dir = await saveBestCheckpoint({ model, runDir, metadata: { ...this.options.metadata, epoch: event.epoch, monitor: 'val_loss', logs: event.logs } });
    const previous = this.bestSoFar?.value ?? null;
    this.bestSoFar = { epoch: event.epoch, value };
    this.options.onSaved?.({ epoch: event.epoch, dir, value, previous });
  }
}
