/**
 * What became of a trainer child process, for a person: completed, cancelled (asked to stop), failed (the
 * trainer said why: bad data, a bad setting, no backend, diverged) or crashed (it died without `done`, or
 * with a code that is not a user error). The trainer's words are the editor's (`inEditorWords`: settings, not
 * command-line flags). Pure.
 */
import { inEditorWords } from '../../shared/settingWords';
import { EXIT, USER_ERROR_EXIT_CODES } from '../../shared/trainerErrors';
import type { DoneMessage, ErrorMessage } from '../../shared/trainerProtocol';

export type TrainerOutcomeKind = 'completed' | 'cancelled' | 'failed' | 'crashed';

/** How a stop request ended: the trainer honoured `cancel`, or it had to be killed. */
export type StopEscalation = 'cancel' | 'SIGTERM' | 'SIGKILL';

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  done: DoneMessage | null;
  /** The last `error` message the trainer wrote, if any. */
  error: ErrorMessage | null;
  /** Set when the executable could not be started at all. */
  spawnError: string | null;
  /** The strongest step of a stop request, or null when nobody asked it to stop. */
  stopEscalation: StopEscalation | null;
  /** The last stderr lines, oldest first. */
  stderrTail: string[];
}

export interface TrainerOutcome extends TrainerExit {
  kind: TrainerOutcomeKind;
  /** One sentence for a notification. */
  summary: string;
}

function describeExit(exit: Pick<TrainerExit, 'code' | 'signal'>): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return 'ended';
}

export function classifyTrainerExit(exit: TrainerExit): TrainerOutcome {
  const outcome = (kind: TrainerOutcomeKind, summary: string): TrainerOutcome => ({ ...exit, kind, summary });
  if (exit.spawnError !== null) return outcome('crashed', `The trainer could not be started: ${exit.spawnError}`);
  const { done, error } = exit;
  if (done !== null) {
    if (done.status === 'completed' && exit.code === 0) return outcome('completed', 'Done.');
    if (done.status === 'cancelled' && (exit.code === EXIT.cancelled || exit.code === 0)) return outcome('cancelled', 'Stopped.');
    if (done.status === 'cancelled' && exit.code === EXIT.terminated) {
      const by = exit.stopEscalation === 'SIGTERM' ? 'with SIGTERM (it did not stop in time)' : 'by SIGTERM from outside';
      return outcome('cancelled', `Stopped ${by}; what it saved up to its last finished epoch stays valid.`);
    }
    if (done.status === 'failed' && exit.code !== null && USER_ERROR_EXIT_CODES.includes(exit.code) && error?.code !== 'internal') {
      return outcome('failed', error !== null ? inEditorWords(error.message) : `The trainer failed (exit code ${exit.code}).`);
    }
  }
  if (exit.stopEscalation !== null && done === null) {
    const how = exit.stopEscalation === 'cancel' ? 'after the current batch' : `with ${exit.stopEscalation} (it did not stop in time)`;
    return outcome('cancelled', `Stopped ${how}.`);
  }
  const said = error !== null ? ` Its last error: ${inEditorWords(error.message)}` : '';
  const withoutDone = done === null ? ' before it finished' : '';
  return outcome('crashed', `The trainer ${describeExit(exit)}${withoutDone}.${said}`);
}
