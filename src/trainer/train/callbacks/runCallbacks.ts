/**
 * The callbacks of a training run, in the one order they run at every batch and epoch end. The order is what
 * keeps a run resumable whatever stops it between any two of them (faults.test.ts kills the trainer after each):
 * 1. history.json gets the epoch;
 * 2. the extension hears of it (`epoch-end`) once history.json holds it, so a window that reads the folder
 *    agrees with the panel;
 * 3. progress.json (batch ends only);
 * 4. the best checkpoint, then best.json;
 * 5. last, the resume state: a kill before it leaves the previous epoch's, and resume trains this epoch again
 *    with the same numbers (history.json's extra epoch is dropped, the checkpoint saved again under a new name);
 * 6. with --debug-memory, the memory report.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { HistoryEntry } from '../../../shared/runFiles';
import type { TrainerMessage } from '../../../shared/trainerProtocol';
import type { TrainingEngine } from '../../engine/trainingEngine';
import type { BestSoFar } from '../resumeState';
import { HistoryCallback } from './historyCallback';
import { MemoryReportCallback } from './memoryReportCallback';
import { ModelCheckpointCallback, type CheckpointSaved, type ModelCheckpointOptions } from './modelCheckpointCallback';
import { ProgressFileCallback } from './progressFileCallback';
import { ProtocolEventsCallback } from './protocolEventsCallback';
import { ResumeStateCallback } from './resumeStateCallback';
import type { TrainingCallback } from './trainingCallback';

export interface RunCallbacksOptions {
  runDir: string;
  runId: string;
  epochs: number;
  /** The host model checkpoints are saved from. */
  model: tfl.LayersModel;
  checkpointMetadata: ModelCheckpointOptions['metadata'];
  /** A resumed run's finished epochs and best checkpoint so far. */
  resumed?: { history: HistoryEntry[]; best: BestSoFar | null };
  emit: (message: TrainerMessage) => void;
  log: (line: string) => void;
  /** Set with --debug-memory: the engine whose memory is reported after each epoch. */
  debugMemoryOf?: TrainingEngine;
}

export interface RunCallbacks {
  callbacks: TrainingCallback[];
  history: HistoryCallback;
  checkpoint: ModelCheckpointCallback;
}

export function runCallbacks(options: RunCallbacksOptions): RunCallbacks {
  const { runDir, runId, emit, log } = options;
  const history = new HistoryCallback(runDir, options.resumed?.history);
  const checkpoint = new ModelCheckpointCallback({
    runDir,
    model: options.model,
    metadata: options.checkpointMetadata,
    best: options.resumed?.best ?? null,
    onSaved: (saved: CheckpointSaved) => emit({ type: 'checkpoint-saved', monitor: 'val_loss', ...saved }),
  });
  const callbacks: TrainingCallback[] = [
    history,
    new ProtocolEventsCallback(emit),
    new ProgressFileCallback({ runDir, runId, epochs: options.epochs, log }),
    checkpoint,
    new ResumeStateCallback({ runDir, runId, best: () => checkpoint.best }),
    ...(options.debugMemoryOf ? [new MemoryReportCallback({ engine: options.debugMemoryOf, log })] : []),
  ];
  return { callbacks, history, checkpoint };
}
