/**
 * Writes resume-state.bin (resumeState.ts) after every epoch: the weights, RMSprop's state and the best so far,
 * so `resume` continues exactly where the run stopped. It runs after the others (runCallbacks.ts): a kill before
 * it leaves the previous state, and resume trains the epoch again with the same numbers.
 */
import type { EpochEndEvent } from './trainingCallback';
import { writeResumeState, type BestSoFar } from '../resumeState';
import type { EpochEndContext, TrainingCallback } from './trainingCallback';

export class ResumeStateCallback implements TrainingCallback {
  readonly name = 'resume-state';

  constructor(
    private readonly options: {
      runDir: string;
      runId: string;
      /** The best checkpoint so far, as the checkpoint callback left it. */
      best: () => BestSoFar | null;
    },
  ) {}

  async onEpochEnd(event: EpochEndEvent, context: EpochEndContext): Promise<void> {
    const { runDir, runId, best } = this.options;
    writeResumeState(runDir, { runId, epoch: event.epoch, best: best(), training: await context.trainingState() });
  }
}
