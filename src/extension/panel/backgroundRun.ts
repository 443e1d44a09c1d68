/**
 * A run the panel follows from its folder while a trainer of another window or process trains it: its phase
 * comes from run.json and trainer.lock each time the folder is read again, and says "stopping" once this
 * panel's Stop signalled that trainer, until the folder says how the run ended.
 */
import { phaseOfRunRecord, STOPPING_DETAIL, type PhaseAndDetail } from '../../shared/runPhase';
import type { RunOnDisk } from '../runs/runStore';

export class BackgroundRun {
  private stopWasAsked = false;

  /** This panel's Stop signalled the run's trainer; the phase to show now. */
  stopAsked(): PhaseAndDetail {
    this.stopWasAsked = true;
    return { phase: 'stopping', detail: STOPPING_DETAIL };
  }

  /** The phase to show for what the run's folder says now. */
  phaseOf(run: RunOnDisk): PhaseAndDetail {
    return phaseOfRunRecord({ record: run.record, trainer: run.trainer, stopAsked: this.stopWasAsked });
  }
}
